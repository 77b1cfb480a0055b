// The files section of a summary: one row per (process, file) the process used, and one per
// name it failed to open, from what the store kept of the helper's files monitor.
import { posix } from 'node:path'
import type { SessionStore } from '../store/store'
import { inodeOf, type FileKind } from '../types/recording-format'
import type { FileSummaryRow } from '../types/summary'
import { emptyFileRow } from '../../shared/detail'

import { errnoName } from './errno'

/**
 * A file's path as /proc/PID/fd would show it: the path for what lives in a directory tree; for
 * a pipe or socket its inode ("pipe:[1234]"); an anonymous inode by its name
 * ("anon_inode:[eventfd]"). A path the kernel side could not walk to its root starts with "…/".
 */
export function filePath(kind: FileKind, file: string, name: { parts: string[]; whole: boolean } | undefined): string | null {
  const ino = inodeOf(file)
  if (kind === 'pipe') return `pipe:[${ino}]`
  if (kind === 'socket') return `socket:[${ino}]`
  if (!name) return null
  if (kind === 'anon') return `anon_inode:${name.parts[0] ?? ''}`
  const path = [...name.parts].reverse().join('/')
  return name.whole ? `/${path}` : `…/${path}`
}

/** A time range of a session, in ms (both ends included). */
export interface TimeRange {
  fromMs: number
  toMs: number
}

const earliest = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b))
const latest = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b))

/**
 * Every file each process used: over the whole session, or (with `range`) what it did inside
 * that range, rows with no change in it left out. One row per path: the files that were at a path
 * one after another (made, deleted, made again: a lock file, a temporary) are one row, as a
 * user names them and as strace -y shows their calls.
 */
export function buildFiles(store: SessionStore, range?: TimeRange): FileSummaryRow[] | null {
  if (store.header.detail !== true) return null
  const timed = store.timed
  const rows: FileSummaryRow[] = []
  /** the values of a cumulative record in the range, or null when it did not change in it */
  const within = (key: string, whole: number[]): { v: number[]; firstMs: number | null; lastMs: number | null } | null => {
    if (!range) return { v: whole, firstMs: null, lastMs: null }
    const c = store.changes.get(key)?.within(range.fromMs, range.toMs)
    return c ? { v: c.delta, firstMs: c.firstMs, lastMs: c.lastMs } : null
  }
  /** pid and path → its row: calls by name join the row of the path they name */
  const byPath = new Map<string, FileSummaryRow>()
  for (const [key, u] of store.fileUses) {
    const c = within(`f ${key}`, u.v)
    if (!c) continue
    const [opens, reads, readBytes, writes, writeBytes, ioErrors, timeNs] = c.v as [number, number, number, number, number, number, number]
    const path = filePath(u.kind, u.file, store.fileNames.get(u.file))
    const firstMs = range ? c.firstMs : u.firstMs
    const lastMs = range ? c.lastMs : u.lastMs
    const same = path === null ? undefined : byPath.get(`${u.pid} ${path}`)
    if (same) {
      same.opens += opens
      same.reads += reads
      same.read_bytes += readBytes
      same.writes += writes
      same.write_bytes += writeBytes
      same.io_errors += ioErrors
      if (same.time_ns !== null) same.time_ns += timeNs
      same.first_ms = earliest(same.first_ms, firstMs)
      same.last_ms = latest(same.last_ms, lastMs)
      same.held ||= u.held
      continue
    }
    const row = emptyFileRow(u.pid, path, u.kind, timed)
    row.opens = opens
    row.reads = reads
    row.read_bytes = readBytes
    row.writes = writes
    row.write_bytes = writeBytes
    row.io_errors = ioErrors
    if (timed) row.time_ns = timeNs
    row.first_ms = firstMs
    row.last_ms = lastMs
    row.held = u.held
    rows.push(row)
    if (path !== null) byPath.set(`${u.pid} ${path}`, row)
  }
  // a name as given, made absolute against the directory it was relative to (lexically: a ".."
  // after a symlink in a name that does not exist cannot be resolved better). A directory's path
  // once: a tar names each file of a directory relative to it.
  const dirs = new Map<string, string | null>()
  const dirPath = (base: string): string | null => {
    let dir = dirs.get(base)
    if (dir === undefined) {
      const dirName = store.fileNames.get(base)
      dir = dirName ? filePath('dir', base, dirName) : null
      dirs.set(base, dir)
    }
    return dir
  }
  const absolute = (base: string | null, name: string): string => {
    if (name.startsWith('/')) return posix.normalize(name)
    const dir = base === null ? null : dirPath(base)
    if (!dir) return name
    // one plain component (most): no "." or ".." or "//" to resolve, as posix.join would
    if (!name.includes('/') && name !== '.' && name !== '..') return dir.endsWith('/') ? dir + name : `${dir}/${name}`
    return posix.join(dir, name)
  }
  const rowOf = (pid: number, path: string): FileSummaryRow => {
    let row = byPath.get(`${pid} ${path}`)
    if (!row) {
      row = emptyFileRow(pid, path, 'other', timed)
      rows.push(row)
      byPath.set(`${pid} ${path}`, row)
    }
    return row
  }
  const addErrno = (to: Record<string, number>, errno: number | null, n: number): void => {
    if (errno === null || n === 0) return
    const name = errnoName(errno)
    to[name] = (to[name] ?? 0) + n
  }
  for (const [key, f] of store.failedOpens) {
    const c = within(`fo ${key}`, [f.count])
    if (!c) continue
    const row = rowOf(f.pid, absolute(f.base, f.name))
    row.open_errors += c.v[0]!
    addErrno(row.errnos, f.errno, c.v[0]!)
    addErrno(row.open_errnos, f.errno, c.v[0]!)
  }
  const field = { stat: 'stats', unlink: 'unlinks', rename_from: 'renames_from', rename_to: 'renames_to', mkdir: 'mkdirs' } as const
  for (const [key, n] of store.nameOps) {
    const f = field[n.op as keyof typeof field]
    const c = f && within(`nm ${key}`, [n.count, n.errors])
    if (!c) continue
    const row = rowOf(n.pid, absolute(n.base, n.name))
    row[f] += c.v[0]!
    row.name_errors += c.v[1]!
    addErrno(row.errnos, n.errno, c.v[1]!)
  }
  return rows.sort(
    (a, b) =>
      b.read_bytes + b.write_bytes - (a.read_bytes + a.write_bytes) ||
      b.open_errors + b.name_errors - (a.open_errors + a.name_errors) ||
      a.pid - b.pid ||
      String(a.path).localeCompare(String(b.path))
  )
}
