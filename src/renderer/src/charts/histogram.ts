// A syscall's durations as bars, one per log2 bucket (src/shared/histogram.ts): every bucket
// from the shortest call's to the longest's, empty ones too, so that the shape reads as a
// distribution. Pure: rows in, ECharts option out.
import type { LatencyRow } from '@shared/contract'
import { bucketOf } from '@shared/histogram'
import { escapeHtml, formatInt, formatNs } from '../lib/format'
import { axisStyle, chartTheme, tooltipStyle } from './theme'

/** "≤ 1.0 ms" for a bucket's upper bound (null: the last, unbounded one) */
const bound = (le: number | null): string => (le === null ? '> 19 h' : `≤ ${formatNs(le)}`)

/** [upper bound, count] of every bucket between the first and the last non-empty one */
export function histogramBars(row: LatencyRow): [number | null, number][] {
  const hist = row.hist ?? []
  if (!hist.length) return []
  const count = new Map(hist.map((h) => [h.le_ns === null ? Infinity : bucketOf(h.le_ns), h.count]))
  const ks = [...count.keys()].map((k) => (k === Infinity ? 47 : k))
  const bars: [number | null, number][] = []
  for (let k = Math.min(...ks); k <= Math.max(...ks); k++) bars.push([k >= 47 ? null : 2 ** k, count.get(k >= 47 ? Infinity : k) ?? 0])
  return bars
}

export function buildHistogramOption(row: LatencyRow, opts: { dark?: boolean } = {}): Record<string, unknown> {
  const th = chartTheme(opts.dark ?? false)
  const bars = histogramBars(row)
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
        return `${escapeHtml(row.name)} ${escapeHtml(bound(le))}: <b>${formatInt(n)}</b> call(s)`
      }
    },
    title: { text: `${row.name}: ${formatInt(row.count)} calls`, left: 0, top: 0, textStyle: { color: th.text, fontSize: 12, fontWeight: 600 } },
    xAxis: { type: 'category', data: bars.map(([le]) => bound(le)), ...axisStyle(th), axisLabel: { color: th.muted, fontSize: 10, rotate: 30 } },
    yAxis: { type: 'value', minInterval: 1, ...axisStyle(th), axisLabel: { color: th.muted, fontSize: 10 }, splitLine: { lineStyle: { color: th.split } } },
    series: [{ id: 'durations', type: 'bar', data: bars.map(([, n]) => n), itemStyle: { color: th.cpu }, barCategoryGap: '10%' }]
  }
}
