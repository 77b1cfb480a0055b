// Building a recording's digest (src/main/recording/digest.ts) from a finished session.
import { DIGEST_BUCKETS, DIGEST_VERSION } from '../recording/digest'
import type { DigestBucket, RecordingDigest } from '../store/store-digest'
import { packSums } from '../store/range'
import { buildSummary } from '../analysis/summary'
import type { SessionStore } from '../store/store'

/** Points per line in the digest's timeline: what the views ask for. */
export const DIGEST_POINTS = 2000

export function buildDigest(store: SessionStore): RecordingDigest {
  const n = store.tickCount
  const per = Math.max(1, Math.ceil(n / DIGEST_BUCKETS))
  const buckets: DigestBucket[] = []
  for (let lo = 0; lo < n; lo += per) {
    const hi = Math.min(n, lo + per)
    buckets.push({ t0: lo > 0 ? store.tickTime(lo - 1) : 0, first_t: store.tickTime(lo), t1: store.tickTime(hi - 1), sums: packSums(store.sumTicks(lo, hi)) })
  }
  const { info: _info, ...snapshot } = store.snapshot('ended', DIGEST_POINTS, 'recording')
  const { sessionId: _id, ...whole } = store.breakdown(0, Number.MAX_SAFE_INTEGER)
  return {
    k: 'digest',
    v: DIGEST_VERSION,
    ticks: n,
    duration_ms: store.durationMs(),
    snapshot,
    summary: buildSummary(store, 'ended'),
    whole,
    ended: store.ended,
    buckets
  }
}
