// The digest a recording keeps at its end, as the store holds it: what reopening needs at once and
// per-bucket sums from which range breakdowns are answered without the ticks. recording/digest.ts
// reads and writes it, session/digest.ts builds it from a store; the shape and the breakdown live
// here, below both, because a store opened from a digest answers from it.
import type { Breakdown, ProcessInfo, SessionSnapshot } from '../../shared/contract'
import type { Summary } from '../types/summary'
import { addPacked, emptySums, toBreakdown, type PackedSums } from './range'

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

/** A range breakdown from the buckets: every bucket that overlaps [fromMs, toMs], whole. */
export function digestBreakdown(
  digest: RecordingDigest,
  sessionId: string,
  arch: 'x86_64' | 'aarch64',
  processes: ReadonlyMap<number, ProcessInfo>,
  fromMs: number,
  toMs: number
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
  return toBreakdown(sessionId, arch, processes, sums, from, to)
}
