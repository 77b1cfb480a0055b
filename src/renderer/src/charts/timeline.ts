// The session timeline: stacked lanes sharing one time axis. Pure: data in, ECharts option out.
import type { CategoryId, SessionEvent, TreePoint } from '@shared/contract'
import { CATEGORIES } from '@shared/syscalls/index'

export interface ProcessSeries {
  pid: number
  comm: string
  points: { t_ms: number; cpu_user_pct: number | null; cpu_system_pct: number | null }[]
}

export const LANES = ['CPU %', 'Memory (MiB)', 'I/O (KiB/s)', 'Threads · fds', 'Syscalls/s'] as const

const MiB = 1024 * 1024
const s = (t: number): number => t / 1000

export function buildTimelineOption(tree: TreePoint[], processes: ProcessSeries[], events: SessionEvent[], topN = 3): Record<string, unknown> {
  const lanes = LANES.length
  const top = 6
  const laneH = 15
  const grid = LANES.map((_, i) => ({ left: 70, right: 24, top: `${top + i * (laneH + 3)}%`, height: `${laneH}%` }))
  const xAxis = LANES.map((_, i) => ({ type: 'value', gridIndex: i, min: 'dataMin', max: 'dataMax', axisLabel: { show: i === lanes - 1, formatter: '{value} s' }, splitLine: { show: false } }))
  const yAxis = LANES.map((name, i) => ({ type: 'value', gridIndex: i, name, nameTextStyle: { align: 'left' }, splitNumber: 2 }))
  const line = (name: string, lane: number, data: [number, number | null][], extra: Record<string, unknown> = {}) => ({
    name,
    type: 'line',
    xAxisIndex: lane,
    yAxisIndex: lane,
    showSymbol: false,
    connectNulls: false,
    sampling: 'lttb',
    data,
    ...extra
  })
  const series: Record<string, unknown>[] = [
    line('CPU total', 0, tree.map((p) => [s(p.t_ms), p.cpu_pct])),
    line('RSS', 1, tree.map((p) => [s(p.t_ms), p.rss_bytes === null ? null : p.rss_bytes / MiB])),
    line('PSS', 1, tree.map((p) => [s(p.t_ms), p.pss_bytes === null ? null : p.pss_bytes / MiB])),
    line('read', 2, tree.map((p) => [s(p.t_ms), p.read_bytes_per_s === null ? null : p.read_bytes_per_s / 1024])),
    line('write', 2, tree.map((p) => [s(p.t_ms), p.write_bytes_per_s === null ? null : p.write_bytes_per_s / 1024])),
    line('threads', 3, tree.map((p) => [s(p.t_ms), p.threads])),
    line('fds', 3, tree.map((p) => [s(p.t_ms), p.fds]))
  ]
  // the busiest processes get their own CPU line
  const busiest = [...processes]
    .map((p) => ({ p, total: p.points.reduce((a, x) => a + (x.cpu_user_pct ?? 0) + (x.cpu_system_pct ?? 0), 0) }))
    .sort((a, b) => b.total - a.total)
    .slice(0, topN)
  for (const { p } of busiest) {
    series.push(line(`${p.comm} (${p.pid})`, 0, p.points.map((x) => [s(x.t_ms), x.cpu_user_pct === null || x.cpu_system_pct === null ? null : x.cpu_user_pct + x.cpu_system_pct]), { lineStyle: { width: 1, type: 'dashed' } }))
  }
  for (const c of CATEGORIES) {
    series.push(line(c.label, 4, tree.map((p) => [s(p.t_ms), p.syscalls_per_s[c.id as CategoryId] ?? 0]), { stack: 'syscalls', areaStyle: { opacity: 0.7 }, color: c.color, lineStyle: { width: 0 } }))
  }
  // intervals without syscall data, shaded on the syscall lane
  const gaps: [{ xAxis: number }, { xAxis: number }][] = []
  let start: number | null = null
  for (const p of tree) {
    if (p.syscall_gap && start === null) start = s(p.t_ms)
    if (!p.syscall_gap && start !== null) {
      gaps.push([{ xAxis: start }, { xAxis: s(p.t_ms) }])
      start = null
    }
  }
  if (start !== null && tree.length) gaps.push([{ xAxis: start }, { xAxis: s(tree[tree.length - 1]!.t_ms) }])
  series.push({ name: 'no syscall data', type: 'line', xAxisIndex: 4, yAxisIndex: 4, data: [], markArea: { silent: true, itemStyle: { color: 'rgba(160,160,160,0.25)' }, data: gaps } })
  // process events as marks on the CPU lane
  const marks = events.filter((e) => e.kind === 'fork' || e.kind === 'exec' || e.kind === 'exit')
  series.push({
    name: 'process events',
    type: 'scatter',
    xAxisIndex: 0,
    yAxisIndex: 0,
    symbolSize: 7,
    data: marks.map((e) => ({ value: [s(e.t_ms), 0], name: `${e.kind} ${'pid' in e ? e.pid : ''}` })),
    tooltip: { formatter: (p: { name: string }) => p.name }
  })
  return {
    animation: false,
    tooltip: { trigger: 'axis', axisPointer: { type: 'line' }, valueFormatter: (v: unknown) => (typeof v === 'number' ? (Math.round(v * 10) / 10).toLocaleString() : String(v ?? '—')) },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    legend: { type: 'scroll', top: 0 },
    grid,
    xAxis,
    yAxis,
    dataZoom: [
      { type: 'inside', xAxisIndex: LANES.map((_, i) => i), filterMode: 'none' },
      { type: 'slider', xAxisIndex: LANES.map((_, i) => i), bottom: 4, height: 18, filterMode: 'none' }
    ],
    series
  }
}
