// Largest-Triangle-Three-Buckets over sample indices: keeps the first and last sample and, per
// bucket, the one that best preserves the curve's shape, so spikes survive decimation.
export function decimateIndices(n: number, maxPoints: number, y: (i: number) => number): number[] {
  if (n <= maxPoints || maxPoints < 3) return Array.from({ length: n }, (_, i) => i)
  const out = [0]
  const bucket = (n - 2) / (maxPoints - 2)
  let a = 0
  for (let b = 0; b < maxPoints - 2; b++) {
    const start = Math.floor(b * bucket) + 1
    const end = Math.min(Math.floor((b + 1) * bucket) + 1, n - 1)
    // average of the next bucket is the third triangle corner
    const nStart = end
    const nEnd = Math.min(Math.floor((b + 2) * bucket) + 1, n)
    let avgX = 0
    let avgY = 0
    const span = Math.max(1, nEnd - nStart)
    for (let j = nStart; j < nEnd; j++) {
      avgX += j
      avgY += y(j)
    }
    avgX /= span
    avgY /= span
    const ay = y(a)
    let best = start
    let bestArea = -1
    for (let j = start; j < end; j++) {
      const area = Math.abs((a - avgX) * (y(j) - ay) - (a - j) * (avgY - ay))
      if (area > bestArea) {
        bestArea = area
        best = j
      }
    }
    out.push(best)
    a = best
  }
  out.push(n - 1)
  return out
}
