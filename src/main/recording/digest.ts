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
import { closeSync, fstatSync, fsyncSync, openSync, readSync } from 'node:fs'
import { gunzipSync, gzipSync } from 'node:zlib'
import type { Breakdown, ProcessInfo, SessionSnapshot } from '../../shared/contract'
import type { Summary } from '../analysis/summary'
import { addPacked, emptySums, toBreakdown, type PackedSums } from '../session/range'
import { writeAll } from './writer'

// 2: per-process series as parallel arrays (a digest of version 1 is ignored: the ticks load)
export const DIGEST_VERSION = 2
/** at most this many buckets: a range breakdown is exact to one bucket (an hour: 7.2 s) */
export const DIGEST_BUCKETS = 500
const LOCATOR_TAIL_BYTES = 512

export interface DigestBucket {
  /** time of the tick before the bucket's first (where its interval starts) */
  t0: number
  /** time of its first and last tick */
  first_t: number
  t1: number
  sums: PackedSums
}

export interface RecordingDigest {
  k: 'digest'
  v: number
  ticks: number
  duration_ms: number
  snapshot: Omit<SessionSnapshot, 'info'>
  summary: Summary
  /** the whole run's breakdown, as the first view asks for it */
  whole: Omit<Breakdown, 'sessionId'>
  ended: { t: number; exit_code: number | null; exit_signal: string | null; message: string | null } | null
  buckets: DigestBucket[]
}

export interface DigestLocator {
  k: 'digest_at'
  offset: number
  length: number
  ticks: number
  duration_ms: number
}

/** Append the digest to a closed recording. */
export function appendDigest(path: string, digest: RecordingDigest): void {
  const body = gzipSync(JSON.stringify(digest) + '\n', { level: 6 })
  const fd = openSync(path, 'a')
  try {
    const offset = fstatSync(fd).size
    const locator: DigestLocator = { k: 'digest_at', offset, length: body.length, ticks: digest.ticks, duration_ms: digest.duration_ms }
    const tail = gzipSync(JSON.stringify(locator) + '\n', { level: 0 })
    writeAll(fd, body)
    writeAll(fd, tail)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** The locator in the file's last bytes, or null when the file has no digest. */
export function readDigestLocator(path: string): DigestLocator | null {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return null
  }
  try {
    const size = fstatSync(fd).size
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
    return ok && loc.offset + loc.length <= size - (n - at) ? loc : null
  } catch {
    return null
  } finally {
    closeSync(fd)
  }
}

/** The digest of a recording, or null when it has none or it cannot be read (then load the ticks). */
export function readDigest(path: string, loc: DigestLocator | null = readDigestLocator(path)): RecordingDigest | null {
  if (!loc) return null
  try {
    const fd = openSync(path, 'r')
    const buf = Buffer.alloc(loc.length)
    try {
      readSync(fd, buf, 0, loc.length, loc.offset)
    } finally {
      closeSync(fd)
    }
    const d = JSON.parse(gunzipSync(buf).toString('utf8')) as RecordingDigest
    return d && d.k === 'digest' && d.v === DIGEST_VERSION && Array.isArray(d.buckets) && d.snapshot && d.summary && d.whole ? d : null
  } catch {
    return null
  }
}

/** A range breakdown from the buckets: every bucket that overlaps [fromMs, toMs], whole. */
export function digestBreakdown(
  digest: RecordingDigest,
  sessionId: string,
  arch: 'x86_64' | 'aarch64',
  processes: ReadonlyMap<number, ProcessInfo>,
  fromMs: number,
  toMs: number,
  intervalMs: number
): Breakdown {
  if (fromMs <= 0 && toMs >= digest.duration_ms) return { ...digest.whole, sessionId }
  const sums = emptySums()
  let from: number | null = null
  let to = 0
  for (const b of digest.buckets) {
    if (b.t1 < fromMs || b.first_t > toMs) continue
    addPacked(sums, b.sums)
    if (from === null) from = b.t0
    to = b.t1
  }
  if (from === null) {
    // nothing recorded in the range: an empty breakdown at its start
    from = to = Math.min(Math.max(fromMs, 0), digest.duration_ms)
  }
  return toBreakdown(sessionId, arch, processes, sums, from, to, intervalMs)
}
