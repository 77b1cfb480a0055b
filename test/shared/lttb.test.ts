// LTTB decimation: output length, endpoints, extremes kept, gaps kept, ranges.
import { describe, expect, it } from 'vitest'
import { lttb, lttbIndices, lttbUnion } from '../../src/shared/decimate'

const ys: number[] = Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 100))
ys[4321] = 1000
ys[7777] = -500
const xs = ys.map((_, i) => i * 100)
const seq = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

describe('lttbIndices', () => {
  it('returns exactly the threshold, ascending, keeping both ends', () => {
    const idx = lttbIndices(xs, ys, 500)
    expect(idx).toHaveLength(500)
    expect(idx[0]).toBe(0)
    expect(idx[idx.length - 1]).toBe(9999)
    for (let i = 1; i < idx.length; i++) expect(idx[i]!).toBeGreaterThan(idx[i - 1]!)
  })

  it('keeps a spike and a dip that striding would miss', () => {
    const idx = lttbIndices(xs, ys, 200)
    expect(idx).toContain(4321)
    expect(idx).toContain(7777)
    // every 50th sample (what striding keeps) misses both
    expect(4321 % 50).not.toBe(0)
  })

  it('keeps everything when there are fewer samples than the threshold', () => {
    expect(lttbIndices(seq(10), seq(10), 500)).toEqual(seq(10))
    expect(lttbIndices([], [], 500)).toEqual([])
  })

  it('uses the real x: unevenly spaced samples are weighed by time, not position', () => {
    // a flat line with one bump, the samples crowded at the start
    const x = [0, 1, 2, 3, 4, 5, 100, 200, 300, 400]
    const v = [0, 0, 0, 0, 0, 0, 0, 9, 0, 0]
    expect(lttbIndices(x, v, 4)).toContain(7)
  })

  it('works on a sub-range', () => {
    const idx = lttbIndices(xs, ys, 50, 4000, 5000)
    expect(idx).toHaveLength(50)
    expect(idx[0]).toBe(4000)
    expect(idx[49]).toBe(4999)
    expect(idx).toContain(4321)
  })

  it('with a threshold under 3 keeps only the ends', () => {
    expect(lttbIndices(seq(100), seq(100), 2)).toEqual([0, 99])
    expect(lttbIndices(seq(100), seq(100), 1)).toEqual([0])
  })

  it('counts unavailable values as 0 for the choice', () => {
    const v = [1, null, 1, 1, 50, 1, null, 1]
    expect(lttbIndices(seq(8), v, 3)).toEqual([0, 4, 7])
  })
})

describe('lttb over points', () => {
  it('returns the chosen points themselves', () => {
    const pts = ys.map((v, i) => ({ t: i, v }))
    const out = lttb(
      pts,
      100,
      (p) => p.t,
      (p) => p.v
    )
    expect(out).toHaveLength(100)
    expect(out[0]).toBe(pts[0])
    expect(out).toContain(pts[4321])
  })
})

describe('lttbUnion', () => {
  it('keeps the extremes of every series within the threshold', () => {
    const a = seq(5000).map((i) => (i === 1234 ? 50 : 1))
    const b = seq(5000).map((i) => (i === 3456 ? 80 : 2))
    const idx = lttbUnion(seq(5000), [a, b], 300)
    expect(idx).toContain(1234)
    expect(idx).toContain(3456)
    expect(idx.length).toBeLessThanOrEqual(300)
    expect([...idx].sort((p, q) => p - q)).toEqual(idx)
  })

  it('keeps where a run of unavailable values starts and ends, so a gap stays a gap', () => {
    const v: (number | null)[] = seq(2000).map((i) => (i >= 1000 && i < 1100 ? null : 1))
    const idx = lttbUnion(seq(2000), [v], 60)
    expect(idx).toContain(1000)
    expect(idx).toContain(1100)
  })

  it('on a sub-range returns indices of that range only', () => {
    const idx = lttbUnion(xs, [ys], 40, 100, 900)
    expect(idx[0]).toBe(100)
    expect(idx[idx.length - 1]).toBe(899)
  })
})
