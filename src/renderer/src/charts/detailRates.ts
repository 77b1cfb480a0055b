// The busiest files or peers of a range as bytes per second, one line each, on the timeline's
// margins and axis (as the thread lanes are), above the Files and Network tables.
import type { RateSeries } from '@shared/detail'
import { printable } from '@shared/printable'
import { escapeHtml, formatBytes, formatBytesRate, formatOffset, isLongRun } from '../lib/format'
import { LAYOUT } from './timeline'
import { axisStyle, chartTheme, rangeTimeAxis, tooltipStyle } from './theme'

/** a series' name in the legend and tooltip: the file or peer, and its process */
export const rateName = (s: RateSeries): string => `${printable(s.label)} (${s.comm ? `${printable(s.comm)} ` : ''}${s.pid})`

/** a series' points: [s, bytes/s] at each bucket's start, and the range's end closing the last */
export function ratePoints(s: RateSeries, fromMs: number, toMs: number, bucketMs: number): [number, number][] {
  const out = s.rates.map((r, i): [number, number] => [(fromMs + i * bucketMs) / 1000, r])
  if (s.rates.length) out.push([toMs / 1000, s.rates[s.rates.length - 1]!])
  return out
}

export function buildRateOption(
  series: readonly RateSeries[],
  range: { fromMs: number; toMs: number; bucketMs: number },
  opts: { dark?: boolean } = {}
): Record<string, unknown> {
  const th = chartTheme(opts.dark ?? false)
  const longRun = isLongRun(range.toMs - range.fromMs)
  return {
    animation: false,
    backgroundColor: 'transparent',
    color: th.processes,
    grid: { left: LAYOUT.left, right: LAYOUT.right, top: 8, bottom: 24, outerBoundsMode: 'none' },
    tooltip: {
      trigger: 'axis',
      ...tooltipStyle(th),
      formatter: (ps: { seriesIndex: number; value: [number, number]; marker: string }[]) => {
        if (!ps.length) return ''
        const head = formatOffset(ps[0]!.value[0] * 1000, longRun)
        const lines = ps.map((p) => `${p.marker}${escapeHtml(rateName(series[p.seriesIndex]!))}: <b>${formatBytesRate(p.value[1])}</b>`)
        return [head, ...lines].join('<br>')
      }
    },
    xAxis: rangeTimeAxis(th, range.fromMs, range.toMs),
    yAxis: {
      type: 'value',
      min: 0,
      ...axisStyle(th),
      splitNumber: 2,
      axisLabel: { color: th.muted, fontSize: 10, formatter: (v: number) => `${formatBytes(v)}/s` },
      splitLine: { lineStyle: { color: th.split } }
    },
    series: series.map((s) => ({
      name: rateName(s),
      type: 'line',
      // a bucket's rate holds from its start to the next one's
      step: 'end',
      showSymbol: false,
      lineStyle: { width: 1.5 },
      data: ratePoints(s, range.fromMs, range.toMs, range.bucketMs)
    }))
  }
}
