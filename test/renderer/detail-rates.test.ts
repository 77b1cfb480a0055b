// The rate charts above the Files and Network tables: each bucket's rate held from its start to
// the next bucket's, the last closed at the range's end, one named line per file or peer.
import { describe, expect, it } from 'vitest'
import { buildRateOption, rateName, ratePoints } from '../../src/renderer/src/charts/detailRates'
import type { RateSeries } from '../../src/shared/detail'

const data: RateSeries = { pid: 7, comm: 'cat', label: '/tmp/data', bytes: 3000, rates: [10_000, 0, 20_000] }

describe('rate charts', () => {
  it('hold each bucket from its start, the last to the range end', () => {
    expect(ratePoints(data, 1000, 1250, 100)).toEqual([
      [1, 10_000],
      [1.1, 0],
      [1.2, 20_000],
      [1.25, 20_000]
    ])
    expect(ratePoints({ ...data, rates: [] }, 0, 100, 100)).toEqual([])
  })

  it('draw one stepped line per series on the range, named by file and process', () => {
    // a process whose name was never read: its pid alone
    const o = buildRateOption([data, { ...data, pid: 8, comm: '', label: '127.0.0.1:80' }], { fromMs: 1000, toMs: 1250, bucketMs: 100 }) as {
      xAxis: { min: number; max: number }
      series: { name: string; step: string; data: [number, number][] }[]
    }
    expect([o.xAxis.min, o.xAxis.max]).toEqual([1, 1.25])
    expect(o.series.map((s) => s.name)).toEqual(['/tmp/data (cat 7)', '127.0.0.1:80 (8)'])
    expect(o.series.every((s) => s.step === 'end')).toBe(true)
    expect(rateName(data)).toBe('/tmp/data (cat 7)')
  })
})
