// A recording's digest: what reopening it needs at once (the decimated timeline, the process
// table, events, output, the whole-run summary) and per-bucket sums for range breakdowns,
// appended when the session ends. An hour of 50 processes at 10 Hz is ~460 MiB of JSON lines;
// its digest is a few MiB, so reopening it reads the digest and not the hour.
//
// Layout: the tick stream (one gzip member, sync-flushed per tick) is followed by two more gzip
// members — gunzip and zcat still read the file as one stream:
//   1. one line {"k":"digest",...}
//   2. one line {"k":"digest_at","offset":…,"length":…} stored uncompressed (deflate level 0),
//      so its text is readable in the file's last bytes and locates member 1 without inflating
//      anything else.
// A file without them (the app was killed, or it was still being written) is loaded tick by tick.
//
// The locator also keeps the CRC-32 of the file's bytes before the digest (`ticks_crc`): zlib
// checks the tick stream's own CRC only when the ticks are inflated, which reopening from the
// digest never does, so damage to the ticks would otherwise go unnoticed until a CSV export.
// Checking the compressed bytes is a read at disk speed, with no inflating (an hour: ~63 MiB).
import { closeSync, fstatSync, fsyncSync, openSync, readSync } from 'node:fs'
import { crc32, gunzipSync, gzipSync } from 'node:zlib'
import type { RecordingDigest } from '../store/store-digest'
import { writeAll } from './writer'
import { openRegularFileSync } from './open-file'
import { nestsDeeperThan } from './json-depth'
import { MAX_DIGEST_BYTES, MAX_DIGEST_TEXT_BYTES, MAX_JSON_DEPTH } from '../types/limits'
import { isEvent, isFinite, isNumOrNull, isObject, isPid, isString, isStringArray, isStringOrNull } from './check-record'

// 2: per-process series as parallel arrays (a digest of version 1 is ignored: the ticks load)
// 3: figures summed differently since: a process row's CPU and I/O beyond its last sample (its
// exit figures), the tree's blocked_by names; an older digest would show the old sums, so the
// ticks load instead
// 4: a process's CPU seconds and bytes in a bucket weigh each sample by its own interval, not the
// nominal one (the packed rows hold seconds and bytes, not sums of rates)
export const DIGEST_VERSION = 4
/** at most this many buckets: a range breakdown is exact to one bucket (an hour: 7.2 s) */
export const DIGEST_BUCKETS = 500
const LOCATOR_TAIL_BYTES = 512

export interface DigestLocator {
  k: 'digest_at'
  offset: number
  length: number
  ticks: number
  duration_ms: number
  /** CRC-32 of the file's first `offset` bytes (absent from digests written before it was kept) */
  ticks_crc?: number
}

const CRC_READ_BYTES = 1024 * 1024

/** CRC-32 of the first `length` bytes of the open file `fd`. */
function crcOfFile(fd: number, length: number): number {
  const buf = Buffer.alloc(Math.min(CRC_READ_BYTES, Math.max(length, 1)))
  let crc = 0
  for (let at = 0; at < length;) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, length - at), at)
    if (n === 0) break
    crc = crc32(buf.subarray(0, n), crc)
    at += n
  }
  return crc
}

/** Append the digest to a closed recording. */
export function appendDigest(path: string, digest: RecordingDigest): void {
  const body = gzipSync(JSON.stringify(digest) + '\n', { level: 6 })
  const fd = openSync(path, 'a+')
  try {
    const { size: offset } = openStat(fd)
    const ticks_crc = crcOfFile(fd, offset)
    const locator: DigestLocator = { k: 'digest_at', offset, length: body.length, ticks: digest.ticks, duration_ms: digest.duration_ms, ticks_crc }
    const tail = gzipSync(JSON.stringify(locator) + '\n', { level: 0 })
    writeAll(fd, body)
    writeAll(fd, tail)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

function openStat(fd: number): { size: number } {
  // fstat, not the path's stat: the file written is the file measured
  return { size: fstatSync(fd).size }
}

/** The locator in the file's last bytes, or null when the file has no digest (or is not a regular file). */
export function readDigestLocator(path: string): DigestLocator | null {
  let fd: number
  let size: number
  try {
    ;({ fd, size } = openRegularFileSync(path))
  } catch {
    return null
  }
  try {
    const n = Math.min(size, LOCATOR_TAIL_BYTES)
    const buf = Buffer.alloc(n)
    readSync(fd, buf, 0, n, size - n)
    const text = buf.toString('latin1')
    const at = text.lastIndexOf('{"k":"digest_at"')
    if (at < 0) return null
    const end = text.indexOf('\n', at)
    if (end < 0) return null
    const loc = JSON.parse(text.slice(at, end)) as DigestLocator
    const ok = [loc.offset, loc.length, loc.ticks, loc.duration_ms].every((v) => Number.isSafeInteger(v) && v >= 0)
    const crcOk = loc.ticks_crc === undefined || (Number.isInteger(loc.ticks_crc) && loc.ticks_crc >= 0 && loc.ticks_crc < 2 ** 32)
    return ok && crcOk && loc.offset + loc.length <= size - (n - at) ? loc : null
  } catch {
    return null
  } finally {
    closeSync(fd)
  }
}

export interface DigestRead {
  digest: RecordingDigest | null
  /** why a digest that is there was not used (the ticks are loaded instead), or null */
  problem: string | null
  /** the ticks before the digest do not match the checksum written with it */
  ticksDamaged: boolean
}

/**
 * The digest of a recording: null when it has none, or when it cannot be used (then load the
 * ticks), with `problem` saying why. Its compressed size and its text are bounded (limits.ts):
 * a digest is a few MiB, and gzip of a few MB can hold GBs.
 */
export function readDigest(path: string, loc: DigestLocator | null = readDigestLocator(path)): DigestRead {
  const none = (problem: string | null): DigestRead => ({ digest: null, problem, ticksDamaged: false })
  if (!loc) return none(null)
  if (loc.length > MAX_DIGEST_BYTES) return none(`its digest is ${loc.length} bytes, over the ${MAX_DIGEST_BYTES} syscope reads`)
  let buf: Buffer
  let ticksDamaged = false
  try {
    const { fd } = openRegularFileSync(path)
    buf = Buffer.alloc(loc.length)
    try {
      readSync(fd, buf, 0, loc.length, loc.offset)
      if (loc.ticks_crc !== undefined) ticksDamaged = crcOfFile(fd, loc.offset) !== loc.ticks_crc
    } finally {
      closeSync(fd)
    }
  } catch (e) {
    return none(`its digest could not be read (${(e as Error).message})`)
  }
  let text: string
  try {
    text = gunzipSync(buf, { maxOutputLength: MAX_DIGEST_TEXT_BYTES }).toString('utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ERR_BUFFER_TOO_LARGE') return none(`its digest inflates to over ${MAX_DIGEST_TEXT_BYTES} bytes, more than syscope reads`)
    return none(`its digest is damaged (${(e as Error).message})`)
  }
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return none('its digest is damaged (nested too deep)')
  let d: unknown
  try {
    d = JSON.parse(text)
  } catch {
    return none('its digest is damaged (not JSON)')
  }
  if (!isObject(d) || d.k !== 'digest') return none('its digest is damaged (not a digest)')
  // a digest of another version is not damage: the ticks load, silently
  if (d.v !== DIGEST_VERSION) return none(null)
  const bad = digestProblem(d)
  if (bad) return none(`its digest is damaged (${bad})`)
  return { digest: d as unknown as RecordingDigest, problem: null, ticksDamaged }
}

const isArrayOf = (v: unknown, each: (x: unknown) => boolean): boolean => Array.isArray(v) && v.every(each)
const isNumArray = (v: unknown): boolean => isArrayOf(v, isFinite)
const isNumOrNullArray = (v: unknown): boolean => isArrayOf(v, isNumOrNull)

function isProcessInfo(p: unknown): boolean {
  return (
    isObject(p) &&
    isPid(p.pid) &&
    isPid(p.ppid) &&
    isString(p.comm) &&
    isStringArray(p.cmdline) &&
    isNumOrNull(p.startedAtMs) &&
    isNumOrNull(p.exitedAtMs) &&
    isNumOrNull(p.exitCode) &&
    isNumOrNull(p.exitSignal)
  )
}

function isTreePoint(p: unknown): boolean {
  return (
    isObject(p) &&
    isFinite(p.t_ms) &&
    ['cpu_pct', 'rss_bytes', 'pss_bytes', 'read_bytes_per_s', 'write_bytes_per_s', 'threads', 'fds'].every((f) => isNumOrNull(p[f])) &&
    isFinite(p.processes) &&
    isObject(p.syscalls_per_s) &&
    Object.values(p.syscalls_per_s).every(isFinite) &&
    isFinite(p.errors_per_s) &&
    typeof p.syscall_gap === 'boolean'
  )
}

function isProcessLine(p: unknown): boolean {
  return isObject(p) && isPid(p.pid) && isString(p.comm) && isNumArray(p.t_ms) && isNumOrNullArray(p.cpu_pct) && isNumOrNullArray(p.rss_bytes)
}

function isOutput(o: unknown): boolean {
  return isObject(o) && (o.stream === 'stdout' || o.stream === 'stderr') && isFinite(o.t_ms) && isString(o.text)
}

function isBucket(b: unknown): boolean {
  if (!isObject(b) || !isFinite(b.t0) || !isFinite(b.first_t) || !isFinite(b.t1) || !isObject(b.sums)) return false
  const { sys, pid } = b.sums
  return (
    isArrayOf(sys, (r) => Array.isArray(r) && r.length === 4 && isNumArray(r)) && isArrayOf(pid, (r) => Array.isArray(r) && r.length === 10 && isNumArray(r))
  )
}

function isBreakdownBody(w: unknown): boolean {
  if (!isObject(w)) return false
  const rowOk = (r: unknown): boolean => isObject(r) && Object.values(r).every((v) => isNumOrNull(v) || isString(v) || isStringArray(v))
  return (
    ['from_ms', 'to_ms', 'total_calls', 'total_errors', 'total_time_ns'].every((f) => isFinite(w[f])) &&
    isArrayOf(w.by_category, rowOk) &&
    isArrayOf(w.syscalls, rowOk) &&
    isArrayOf(w.processes, rowOk)
  )
}

/** What is wrong with the shape of a parsed digest of this version, or null. */
function digestProblem(d: Record<string, unknown>): string | null {
  if (!isPid(d.ticks) || !isFinite(d.duration_ms)) return 'ticks, duration_ms'
  const s = d.snapshot
  if (!isObject(s)) return 'snapshot'
  if (!isArrayOf(s.tree, isTreePoint)) return 'snapshot.tree'
  if (!isArrayOf(s.processes, isProcessLine)) return 'snapshot.processes'
  if (!isArrayOf(s.processInfo, isProcessInfo)) return 'snapshot.processInfo'
  if (!isArrayOf(s.events, isEvent)) return 'snapshot.events'
  if (!isArrayOf(s.output, isOutput)) return 'snapshot.output'
  if (!isStringArray(s.warnings)) return 'snapshot.warnings'
  if (!isBreakdownBody(d.whole)) return 'whole'
  if (!isArrayOf(d.buckets, isBucket)) return 'buckets'
  const e = d.ended
  if (!(e === null || (isObject(e) && isFinite(e.t) && isNumOrNull(e.exit_code) && isStringOrNull(e.exit_signal) && isStringOrNull(e.message)))) return 'ended'
  if (!isObject(d.summary) || !isObject(d.summary.session) || !isObject(d.summary.ebpf) || !isObject(d.summary.proc)) return 'summary'
  return null
}
