// Category charts for a range of a session, and for comparing two recordings. Pure: data in,
// ECharts option out. Every category keeps its one colour (src/shared/syscalls).
import type { Breakdown, CategoryId, Comparison, ComparisonSide } from '@shared/contract'
import { CATEGORY_IDS } from '@shared/syscalls/index'
import { escapeHtml, formatInt, formatNs } from '../lib/format'
import { axisStyle, categoryColor, categoryLabel, chartTheme, tooltipStyle } from './theme'

export type CategoryMetric = 'calls' | 'time_ns' | 'errors'

export const METRIC_LABEL: Record<CategoryMetric, string> = { calls: 'calls', time_ns: 'time in syscalls', errors: 'errors' }
const metricFormat = (m: CategoryMetric): ((v: number) => string) => (m === 'time_ns' ? formatNs : formatInt)

/** Categories with anything to show for the metric, largest first. */
export function categoryRows(b: Breakdown, metric: CategoryMetric): { category: CategoryId; value: number; share: number }[] {
  const total = b.by_category.reduce((a, c) => a + c[metric], 0)
  return b.by_category
    .filter((c) => c[metric] > 0)
    .map((c) => ({ category: c.category, value: c[metric], share: total ? c[metric] / total : 0 }))
    .sort((x, y) => y.value - x.value || CATEGORY_IDS.indexOf(x.category) - CATEGORY_IDS.indexOf(y.category))
}

export function buildCategoryDonutOption(b: Breakdown, opts: { dark?: boolean; metric?: CategoryMetric } = {}): Record<string, unknown> {
  const th = chartTheme(opts.dark ?? false)
  const metric = opts.metric ?? 'calls'
  const fmt = metricFormat(metric)
  const rows = categoryRows(b, metric)
  const total = rows.reduce((a, r) => a + r.value, 0)
  return {
    animation: false,
    backgroundColor: 'transparent',
    tooltip: {
      trigger: 'item',
      ...tooltipStyle(th),
      formatter: (p: { name: string; value: number; percent: number; marker: string }) =>
        `${p.marker}${escapeHtml(p.name)}: <b>${escapeHtml(fmt(p.value))}</b> ${METRIC_LABEL[metric]} (${p.percent.toFixed(1)} %)`
    },
    title: {
      text: fmt(total),
      subtext: METRIC_LABEL[metric],
      left: 'center',
      top: 'center',
      itemGap: 2,
      textStyle: { color: th.text, fontSize: 15, fontWeight: 600, fontFamily: 'ui-monospace, monospace' },
      subtextStyle: { color: th.muted, fontSize: 11 }
    },
    series: [
      {
        id: 'categories',
        type: 'pie',
        radius: ['55%', '85%'],
        itemStyle: { borderColor: th.background, borderWidth: 1 },
        // names are on the bars beside it; small slices' labels would only collide
        label: { show: false },
        data: rows.map((r) => ({ name: categoryLabel(r.category), value: r.value, category: r.category, itemStyle: { color: categoryColor(r.category) } }))
      }
    ]
  }
}

export function buildCategoryBarsOption(b: Breakdown, opts: { dark?: boolean; metric?: CategoryMetric } = {}): Record<string, unknown> {
  const th = chartTheme(opts.dark ?? false)
  const metric = opts.metric ?? 'calls'
  const fmt = metricFormat(metric)
  const rows = categoryRows(b, metric)
  const errs = new Map(b.by_category.map((c) => [c.category, c.errors]))
  const series: Record<string, unknown>[] = [
    {
      id: metric,
      name: METRIC_LABEL[metric],
      type: 'bar',
      barMaxWidth: 16,
      data: rows.map((r) => ({ value: r.value, category: r.category, itemStyle: { color: categoryColor(r.category) } })),
      label: { show: true, position: 'right', color: th.muted, fontSize: 11, formatter: (p: { value: number }) => fmt(p.value) }
    }
  ]
  if (metric === 'calls') {
    series.push({
      id: 'errors',
      name: 'errors',
      type: 'bar',
      barMaxWidth: 6,
      barGap: '-40%',
      z: 3,
      color: th.errors,
      data: rows.map((r) => errs.get(r.category) ?? 0)
    })
  }
  return {
    animation: false,
    backgroundColor: 'transparent',
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, ...tooltipStyle(th), valueFormatter: (v: number) => fmt(v) },
    grid: { left: 8, right: 64, top: 6, bottom: 6, containLabel: true },
    xAxis: { type: 'value', ...axisStyle(th), axisLabel: { show: false }, splitLine: { show: false } },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => categoryLabel(r.category)), ...axisStyle(th), axisTick: { show: false } },
    series
  }
}

const shareOf = (side: ComparisonSide, id: CategoryId): number => side.by_category.find((x) => x.category === id)?.share ?? 0

/** Both recordings' category shares as grouped bars, in category order (percent of all calls). */
export function buildCompareSharesOption(c: Comparison, opts: { dark?: boolean } = {}): Record<string, unknown> {
  const th = chartTheme(opts.dark ?? false)
  const cats = CATEGORY_IDS.filter((id) => shareOf(c.a, id) > 0 || shareOf(c.b, id) > 0)
  const pct = (v: number): number => Math.round(v * 1000) / 10
  const bar = (side: ComparisonSide, key: 'a' | 'b') => ({
    id: key,
    // the titles are long command lines: the legend says A and B, the tooltip the rest
    name: key.toUpperCase(),
    type: 'bar',
    barMaxWidth: 14,
    data: cats.map((id) => ({ value: pct(shareOf(side, id)), itemStyle: { color: categoryColor(id), opacity: key === 'a' ? 1 : 0.55 } })),
    // A solid, B lighter: the legend needs a colour of its own for each side
    color: key === 'a' ? th.muted : th.axis
  })
  return {
    animation: false,
    backgroundColor: 'transparent',
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, ...tooltipStyle(th), valueFormatter: (v: number) => `${v.toFixed(1)} %` },
    legend: { top: 0, textStyle: { color: th.muted } },
    grid: { left: 8, right: 16, top: 28, bottom: 6, containLabel: true },
    xAxis: { type: 'value', name: '% of calls', ...axisStyle(th) },
    yAxis: { type: 'category', inverse: true, data: cats.map(categoryLabel), ...axisStyle(th), axisTick: { show: false } },
    series: [bar(c.a, 'a'), bar(c.b, 'b')]
  }
}

/** One recording's category shares as a donut (the Compare view puts two side by side). */
export function buildShareDonutOption(side: ComparisonSide, opts: { dark?: boolean } = {}): Record<string, unknown> {
  const th = chartTheme(opts.dark ?? false)
  const data = CATEGORY_IDS.map((id) => ({ id, calls: side.by_category.find((x) => x.category === id)?.calls ?? 0 })).filter((x) => x.calls > 0)
  return {
    animation: false,
    backgroundColor: 'transparent',
    tooltip: {
      trigger: 'item',
      ...tooltipStyle(th),
      formatter: (p: { name: string; value: number; percent: number; marker: string }) =>
        `${p.marker}${escapeHtml(p.name)}: <b>${formatInt(p.value)}</b> calls (${p.percent.toFixed(1)} %)`
    },
    title: {
      text: formatInt(side.total_calls),
      subtext: 'calls',
      left: 'center',
      top: 'center',
      itemGap: 2,
      textStyle: { color: th.text, fontSize: 14, fontFamily: 'ui-monospace, monospace' },
      subtextStyle: { color: th.muted, fontSize: 11 }
    },
    series: [
      {
        id: 'shares',
        type: 'pie',
        radius: ['50%', '72%'],
        itemStyle: { borderColor: th.background, borderWidth: 1 },
        minShowLabelAngle: 10,
        label: { color: th.muted, fontSize: 11, formatter: '{b} {d}%' },
        data: data.map((x) => ({ name: categoryLabel(x.id), value: x.calls, itemStyle: { color: categoryColor(x.id) } }))
      }
    ]
  }
}
