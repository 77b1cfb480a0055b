// Largest-Triangle-Three-Buckets (Steinarsson 2013): picks `threshold` of n samples so the line
// keeps its shape. Always keeps the first and the last sample; in each bucket it keeps the
// sample that makes the largest triangle with the one kept before and the next bucket's mean,
// so isolated spikes and dips survive where averaging or striding would erase them.
// x must not decrease; null y values count as 0 for the choice (lttbUnion keeps the gaps).
// Arrays, not accessor functions: this runs over every series on every redraw.

export type Values = ArrayLike<number | null>

/** Indices (ascending) of the samples LTTB keeps out of [start, end) of x/y. */
export function lttbIndices(x: ArrayLike<number>, y: Values, threshold: number, start = 0, end = x.length): number[] {
  const len = end - start
  if (len <= 0) return []
  if (threshold >= len) return Array.from({ length: len }, (_, i) => start + i)
  // fewer than three points cannot keep both ends and a middle: keep the ends
  if (threshold < 3) return threshold <= 1 ? [start] : [start, end - 1]
  const out = [start]
  const every = (len - 2) / (threshold - 2)
  let a = start
  for (let b = 0; b < threshold - 2; b++) {
    const from = start + Math.floor(b * every) + 1
    const to = Math.min(start + Math.floor((b + 1) * every) + 1, end - 1)
    // the third corner: the mean of the next bucket (the last sample for the last bucket)
    a = bucketPick(x, y, a, from, to, to, Math.min(start + Math.floor((b + 2) * every) + 1, end))
    out.push(a)
  }
  out.push(end - 1)
  return out
}

/**
 * LTTB's choice in the bucket [from, to): the sample making the largest triangle with the one
 * kept before (`a`) and the mean of [nFrom, nTo), the next bucket.
 */
export function bucketPick(x: ArrayLike<number>, y: Values, a: number, from: number, to: number, nFrom: number, nTo: number): number {
  let avgX = 0
  let avgY = 0
  for (let j = nFrom; j < nTo; j++) {
    avgX += x[j]!
    avgY += y[j] ?? 0
  }
  const span = Math.max(1, nTo - nFrom)
  avgX /= span
  avgY /= span
  const ax = x[a]!
  const ay = y[a] ?? 0
  let best = from
  let bestArea = -1
  for (let j = from; j < to; j++) {
    const area = Math.abs((ax - avgX) * ((y[j] ?? 0) - ay) - (ax - x[j]!) * (avgY - ay))
    if (area > bestArea) {
      bestArea = area
      best = j
    }
  }
  return best
}

/** LTTB over an array of points. */
export function lttb<T>(points: readonly T[], threshold: number, x: (p: T) => number, y: (p: T) => number | null): T[] {
  return lttbIndices(points.map(x), points.map(y), threshold).map((i) => points[i]!)
}

/**
 * One index set that keeps the shape of several series sampled at the same x: the union of each
 * series' LTTB choice with `threshold / ys.length` points, plus the first sample of every run of
 * nulls and the sample after it (so a gap in the data stays a gap on screen). Stacked series
 * need one index set: stacking pairs values up by position.
 */
export function lttbUnion(x: ArrayLike<number>, ys: readonly Values[], threshold: number, start = 0, end = x.length): number[] {
  const len = end - start
  if (len <= threshold || ys.length === 0) return Array.from({ length: Math.max(0, len) }, (_, i) => start + i)
  const each = Math.max(3, Math.floor(threshold / ys.length))
  const keep = new Uint8Array(len)
  for (const y of ys) for (const i of lttbIndices(x, y, each, start, end)) keep[i - start] = 1
  for (const y of ys) {
    let inGap = false
    for (let i = start; i < end; i++) {
      const isNull = y[i] === null
      if (isNull !== inGap) keep[i - start] = 1
      inGap = isNull
    }
  }
  const out: number[] = []
  for (let i = 0; i < len; i++) if (keep[i]) out.push(start + i)
  return out
}
