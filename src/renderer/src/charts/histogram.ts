// A log2 histogram as bars, one per bucket (src/shared/histogram.ts): every bucket from the
// smallest value's to the largest's, empty ones too, so that the shape reads as a distribution.
// A syscall's durations, a disk's request latencies and sizes. Pure: rows in, ECharts option out.
import { bucketOf } from '@shared/histogram'
import { escapeHtml, formatBytes, formatInt, formatNs } from '../lib/format'
import { axisStyle, chartTheme, tooltipStyle } from './theme'

/** A histogram to draw: its non-empty buckets' upper bounds (null: the last, unbounded one). */
export interface HistogramInput {
  title: string
  buckets: { le: number | null; count: number }[]
  /** what the bounds measure */
  unit: 'ns' | 'bytes'
  /** what is counted, plural: "calls", "requests" */
  counted: string
}

/** "≤ 1.0 ms" for a bucket's upper bound (null: the last, unbounded one) */
function bound(le: number | null, unit: HistogramInput['unit']): string {
  if (le === null) return unit === 'ns' ? '> 19 h' : '> 128 TiB'
  return `≤ ${unit === 'ns' ? formatNs(le) : formatBytes(le)}`
}

/** [upper bound, count] of every bucket between the first and the last non-empty one */
export function histogramBars(buckets: HistogramInput['buckets']): [number | null, number][] {
  if (!buckets.length) return []
  const count = new Map(buckets.map((h) => [h.le === null ? Infinity : bucketOf(h.le), h.count]))
  const ks = [...count.keys()].map((k) => (k === Infinity ? 47 : k))
  const bars: [number | null, number][] = []
  for (let k = Math.min(...ks); k <= Math.max(...ks); k++) bars.push([k >= 47 ? null : 2 ** k, count.get(k >= 47 ? Infinity : k) ?? 0])
  return bars
}

export function buildHistogramOption(h: HistogramInput, opts: { dark?: boolean; color?: string } = {}): Record<string, unknown> {
  const th = chartTheme(opts.dark ?? false)
  const bars = histogramBars(h.buckets)
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: 48, right: 12, top: 24, bottom: 40 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      ...tooltipStyle(th),
      formatter: (ps: { dataIndex: number }[]) => {
        const [le, n] = bars[ps[0]?.dataIndex ?? 0] ?? [null, 0]
        return `${escapeHtml(bound(le, h.unit))}: <b>${formatInt(n)}</b> ${escapeHtml(h.counted)}`
      }
    },
    title: { text: h.title, left: 0, top: 0, textStyle: { color: th.text, fontSize: 12, fontWeight: 600 } },
    xAxis: { type: 'category', data: bars.map(([le]) => bound(le, h.unit)), ...axisStyle(th), axisLabel: { color: th.muted, fontSize: 10, rotate: 30 } },
    yAxis: { type: 'value', minInterval: 1, ...axisStyle(th), axisLabel: { color: th.muted, fontSize: 10 }, splitLine: { lineStyle: { color: th.split } } },
    series: [{ id: 'histogram', type: 'bar', data: bars.map(([, n]) => n), itemStyle: { color: opts.color ?? th.cpu }, barCategoryGap: '10%' }]
  }
}
