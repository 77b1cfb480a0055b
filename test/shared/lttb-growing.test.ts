// LTTB of growing lines: kept between calls yet the same as deciding from scratch, stable on
// screen as samples arrive, spikes and gaps kept.
import { describe, expect, it } from 'vitest'
import { bucketWidth, GrowingLttb, GrowingLttbUnion } from '../../src/shared/decimateGrowing'

const N = 6000
const xs = Array.from({ length: N }, (_, i) => i * 100)
const wave = xs.map((_, i) => Math.sin(i / 37) + 0.3 * Math.sin(i / 5.3))
wave[2345] = 40
wave[5012] = -30

describe('bucketWidth', () => {
  it('is the narrowest step of the ladder that fits, growing by about a quarter', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((s) => bucketWidth(s, 1))).toEqual([1, 2, 3, 4, 5, 7, 7, 9])
    expect(bucketWidth(1000, 100)).toBe(12)
    expect(bucketWidth(10, 100)).toBe(1)
  })
})

describe('GrowingLttb', () => {
  it('grown a few samples at a time, gives exactly what a fresh one gives for the whole line', () => {
    const grown = new GrowingLttb()
    for (let end = 2; end <= N; end += 7) {
      const got = grown.indices(xs, wave, 120, 0, end)
      expect(got).toEqual(new GrowingLttb().indices(xs, wave, 120, 0, end))
    }
  })

  it('keeps both ends and at most the threshold, ascending, a spike and a dip among them', () => {
    const idx = new GrowingLttb().indices(xs, wave, 200)
    expect(idx[0]).toBe(0)
    expect(idx[idx.length - 1]).toBe(N - 1)
    expect(idx.length).toBeLessThanOrEqual(200)
    // the ladder's steps (a quarter, rounded up) cost about a fifth of the points at most
    expect(idx.length).toBeGreaterThanOrEqual(200 * 0.75)
    for (let i = 1; i < idx.length; i++) expect(idx[i]!).toBeGreaterThan(idx[i - 1]!)
    expect(idx).toContain(2345)
    expect(idx).toContain(5012)
  })

  it('as the line grows, the points already drawn stay put except when the bucket width steps up', () => {
    const g = new GrowingLttb()
    let before = g.indices(xs, wave, 120, 0, 1000)
    let moved = 0
    for (let end = 1010; end <= N; end += 10) {
      const now = g.indices(xs, wave, 120, 0, end)
      // all but the last two buckets and the last sample
      const settled = before.slice(0, -3)
      if (!settled.every((v, i) => now[i] === v)) moved++
      before = now
    }
    // 500 calls; the width steps 1000 → 6000 samples about eight times (×1.25 each)
    expect(moved).toBeLessThanOrEqual(10)
  })

  it('starts over for a line that was replaced, starts elsewhere or got shorter', () => {
    const g = new GrowingLttb()
    g.indices(xs, wave, 100, 0, 3000)
    const other = wave.map((v) => -v)
    expect(g.indices(xs, other, 100, 0, 3000)).toEqual(new GrowingLttb().indices(xs, other, 100, 0, 3000))
    expect(g.indices(xs, other, 100, 500, 3000)).toEqual(new GrowingLttb().indices(xs, other, 100, 500, 3000))
    expect(g.indices(xs, other, 100, 500, 2000)).toEqual(new GrowingLttb().indices(xs, other, 100, 500, 2000))
  })

  it('keeps every sample of a line shorter than the threshold', () => {
    expect(new GrowingLttb().indices(xs, wave, 100, 10, 60)).toEqual(Array.from({ length: 50 }, (_, i) => 10 + i))
  })
})

describe('GrowingLttbUnion', () => {
  const other = wave.map((v, i) => (i >= 3000 && i < 3100 ? null : Math.cos(v)))

  it('grown a few samples at a time, gives exactly what a fresh one gives', () => {
    const grown = new GrowingLttbUnion()
    for (let end = 50; end <= N; end += 13)
      expect(grown.indices(xs, [wave, other], 300, 0, end)).toEqual(new GrowingLttbUnion().indices(xs, [wave, other], 300, 0, end))
  })

  it('keeps where a run of missing values starts and the sample after it, even when they arrived in pieces', () => {
    const grown = new GrowingLttbUnion()
    for (let end = 2990; end <= 3200; end += 3) grown.indices(xs, [wave, other], 300, 0, end)
    const idx = grown.indices(xs, [wave, other], 300, 0, 3200)
    expect(idx).toContain(3000)
    expect(idx).toContain(3100)
    expect(idx).toContain(2345)
    expect(idx.length).toBeLessThanOrEqual(300 + 4)
  })
})
