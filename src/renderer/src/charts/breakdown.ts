// Category breakdown charts for a range. Pure: data in, ECharts option out.
import type { Breakdown, Comparison } from '@shared/contract'
import { CATEGORIES } from '@shared/syscalls/index'

const label = (id: string): string => CATEGORIES.find((c) => c.id === id)?.label ?? id
const color = (id: string): string => CATEGORIES.find((c) => c.id === id)?.color ?? '#888'

export function buildCategoryDonutOption(b: Breakdown): Record<string, unknown> {
  return {
    animation: false,
    tooltip: { trigger: 'item', formatter: '{b}: {c} calls ({d}%)' },
    series: [
      {
        type: 'pie',
        radius: ['45%', '75%'],
        label: { formatter: '{b}\n{d}%' },
        data: b.by_category.map((c) => ({ name: label(c.category), value: c.calls, itemStyle: { color: color(c.category) } }))
      }
    ]
  }
}

export function buildCategoryBarsOption(b: Breakdown): Record<string, unknown> {
  const cats = [...b.by_category].sort((x, y) => y.calls - x.calls)
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    grid: { left: 90, right: 20, top: 10, bottom: 20 },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', inverse: true, data: cats.map((c) => label(c.category)) },
    series: [
      { name: 'calls', type: 'bar', data: cats.map((c) => ({ value: c.calls, itemStyle: { color: color(c.category) } })) },
      { name: 'errors', type: 'bar', data: cats.map((c) => c.errors), itemStyle: { color: '#d62728' } }
    ]
  }
}

export function buildCompareSharesOption(c: Comparison): Record<string, unknown> {
  const cats = CATEGORIES.map((x) => x.id)
  const share = (side: Comparison['a'], id: string): number => Math.round((side.by_category.find((x) => x.category === id)?.share ?? 0) * 1000) / 10
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 90, right: 20, top: 30, bottom: 20 },
    xAxis: { type: 'value', name: '% of calls' },
    yAxis: { type: 'category', inverse: true, data: cats.map(label) },
    series: [
      { name: `A: ${c.a.title}`, type: 'bar', data: cats.map((id) => share(c.a, id)) },
      { name: `B: ${c.b.title}`, type: 'bar', data: cats.map((id) => share(c.b, id)) }
    ]
  }
}
