// The files section of a summary: one row per (process, file) the process used, and one per
// name it failed to open, from what the store kept of the helper's files monitor.
import { constants } from 'node:os'
import { posix } from 'node:path'
import type { SessionStore } from '../store/store'
import type { FileKind } from '../types/recording-format'
import type { FileSummaryRow } from '../types/summary'

/** errno numbers to names (Linux's, as this host's Node knows them) */
const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]))
export const errnoName = (n: number): string => ERRNO_NAMES.get(n) ?? `errno ${n}`

/**
 * A file's path as /proc/PID/fd would show it: the path for what lives in a directory tree; for
 * a pipe or socket its inode ("pipe:[1234]"); an anonymous inode by its name
 * ("anon_inode:[eventfd]"). A path the kernel side could not walk to its root starts with "…/".
 */
export function filePath(kind: FileKind, file: string, name: { parts: string[]; whole: boolean } | undefined): string | null {
  const ino = file.slice(file.indexOf(':') + 1)
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

/**
 * Every file each process used: over the whole session, or (with `range`) what it did inside
 * that range, rows with no change in it left out.
 */
export function buildFiles(store: SessionStore, range?: TimeRange): FileSummaryRow[] | null {
  if (store.header.detail !== true) return null
  const rows: FileSummaryRow[] = []
  for (const [key, u] of store.fileUses) {
    let v = u.v
    let firstMs = u.firstMs
    let lastMs = u.lastMs
    if (range) {
      const c = store.changes.get(`f ${key}`)?.within(range.fromMs, range.toMs)
      if (!c) continue
      ;({ delta: v, firstMs, lastMs } = c)
    }
    const [opens, reads, readBytes, writes, writeBytes, ioErrors, timeNs] = v as [number, number, number, number, number, number, number]
    rows.push({
      pid: u.pid,
      path: filePath(u.kind, u.file, store.fileNames.get(u.file)),
      kind: u.kind,
      opens,
      open_errors: 0,
      reads,
      read_bytes: readBytes,
      writes,
      write_bytes: writeBytes,
      io_errors: ioErrors,
      time_ns: timeNs,
      errnos: {},
      first_ms: firstMs,
      last_ms: lastMs
    })
  }
  // failed opens: the name as given, made absolute against the directory it was relative to
  // (lexically: a ".." after a symlink in a name that does not exist cannot be resolved better)
  for (const [key, f] of store.failedOpens) {
    let count = f.count
    if (range) {
      const c = store.changes.get(`fo ${key}`)?.within(range.fromMs, range.toMs)
      if (!c) continue
      count = c.delta[0]!
    }
    const base = f.base === null ? undefined : store.fileNames.get(f.base)
    const dir = base ? filePath('dir', f.base!, base) : null
    const path = f.name.startsWith('/') ? posix.normalize(f.name) : dir ? posix.join(dir, f.name) : null
    rows.push({
      pid: f.pid,
      path: path ?? f.name,
      kind: 'other',
      opens: 0,
      open_errors: count,
      reads: 0,
      read_bytes: 0,
      writes: 0,
      write_bytes: 0,
      io_errors: 0,
      time_ns: 0,
      errnos: { [errnoName(f.errno)]: count },
      first_ms: null,
      last_ms: null
    })
  }
  return rows.sort((a, b) => b.read_bytes + b.write_bytes - (a.read_bytes + a.write_bytes) || b.open_errors - a.open_errors || a.pid - b.pid)
}
