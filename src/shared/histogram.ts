// Log2 histograms as the kernel side keeps them (bpf/syscope.h, HIST_BUCKETS): bucket k counts
// the values v with 2^(k-1) < v <= 2^k (bucket 0: v <= 1), so `le_ns` (its upper bound, as
// Prometheus means "le") is exactly 2^k. The last bucket also holds everything above. Syscall
// latency, disk latency and request sizes all use it; the summary, the store and the views read
// them through here.

export const HIST_BUCKETS = 48

/** a bucket's upper bound: every value in it is <= this; the last bucket's is unbounded */
export function bucketUpper(k: number): number {
  return k >= HIST_BUCKETS - 1 ? Infinity : 2 ** k
}

/** a bucket's lower bound: every value in it is > this (bucket 0: >= 0) */
export function bucketLower(k: number): number {
  return k === 0 ? 0 : 2 ** (k - 1)
}

/** the bucket a value falls in (what hist_bucket() computes in the kernel) */
export function bucketOf(v: number): number {
  if (v <= 1) return 0
  const k = Math.ceil(Math.log2(v))
  // log2 of a value just above a power of two can round down to it
  const fixed = 2 ** k < v ? k + 1 : k
  return Math.min(fixed, HIST_BUCKETS - 1)
}

/** The histogram's non-empty buckets in order, as the JSON contract lists them. `le_ns` of the
 * last, unbounded bucket is null (JSON has no Infinity). */
export function histRows(counts: ArrayLike<number>, unit: 'le_ns' | 'le_bytes' = 'le_ns'): Record<string, number | null>[] {
  const rows: Record<string, number | null>[] = []
  for (let k = 0; k < counts.length; k++) {
    const count = counts[k] ?? 0
    if (!count) continue
    const le = bucketUpper(k)
    rows.push({ [unit]: Number.isFinite(le) ? le : null, count })
  }
  return rows
}

/**
 * The q-quantile (0 < q <= 1) estimated from the histogram: the value of rank ceil(q * n), placed
 * by linear interpolation inside its bucket and kept within the exact min and max where known.
 * Exact to within its bucket (a factor of two); null for an empty histogram.
 */
export function histQuantile(counts: ArrayLike<number>, q: number, min: number | null = null, max: number | null = null): number | null {
  let n = 0
  for (let k = 0; k < counts.length; k++) n += counts[k] ?? 0
  if (!n) return null
  const rank = Math.max(1, Math.ceil(q * n))
  let below = 0
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k] ?? 0
    if (!c) continue
    if (below + c >= rank) {
      let lo = bucketLower(k)
      let hi = bucketUpper(k)
      if (min !== null) lo = Math.max(lo, min)
      if (max !== null) hi = Math.min(hi, max)
      if (!Number.isFinite(hi)) hi = lo
      if (hi < lo) hi = lo
      // the c values spread evenly over (lo, hi]: the r-th of them sits at lo + r/c of the way
      const v = lo + ((rank - below) / c) * (hi - lo)
      return Math.round(v)
    }
    below += c
  }
  return max
}

/** bucket-wise a + b, into a (grown as needed) */
export function histAdd(into: number[], add: ArrayLike<number>): number[] {
  for (let k = 0; k < add.length; k++) into[k] = (into[k] ?? 0) + (add[k] ?? 0)
  return into
}
