// The top threads' states over the range, one lane each, on the timeline's time axis (the same
// margins and the same window): each step of a lane is split, left to right, into its time on a
// CPU, waiting for one, blocked uninterruptible and asleep, coloured as Perfetto colours thread
// states. The order of the states inside a step is not known (the kernel side sums them per
// tick), so a step shows the shares, and the tooltip says so. Pure: rows in, ECharts option out.
import type { ThreadLane, ThreadLaneStep, WallTimeRows } from '@shared/contract'
import { escapeHtml, formatNs, formatOffset } from '../lib/format'
import { LAYOUT } from './timeline'
import { axisStyle, chartTheme, rangeTimeAxis, tooltipStyle, type ChartTheme } from './theme'

/** px per lane */
export const LANE_HEIGHT = 26

/** the parts of a step, in the order they are drawn */
export const STATE_PARTS = [
  { key: 'cpu_ns', label: 'on a CPU', color: (t: ChartTheme) => t.stateRunning },
  { key: 'runqueue_ns', label: 'waiting for a CPU', color: (t: ChartTheme) => t.stateRunnable },
  { key: 'disk_ns', label: 'blocked, uninterruptible', color: (t: ChartTheme) => t.stateDisk },
  { key: 'sleep_ns', label: 'blocked, asleep', color: (t: ChartTheme) => t.stateSleep }
] as const

export const laneLabel = (l: ThreadLane): string => `${l.comm || '?'} ${l.tid}`

/** A step's parts as [share of the step's time, part index], in drawing order, empty ones left
 * out. A part can be below 0 in a step where a correction landed (time sent as waiting turned
 * out to be on a CPU: docs/threads.md): the step is drawn from its parts above 0. */
export function stepShares(s: ThreadLaneStep): [number, number][] {
  const total = STATE_PARTS.reduce((n, p) => n + Math.max(0, s[p.key]), 0)
  if (total <= 0) return []
  return STATE_PARTS.map((p, i): [number, number] => [s[p.key] / total, i]).filter(([share]) => share > 0)
}

/** one data item per step: [lane, t0 s, t1 s, step index] */
export function laneItems(rows: WallTimeRows): [number, number, number, number][] {
  const out: [number, number, number, number][] = []
  rows.lanes.forEach((l, lane) => l.steps.forEach((s, i) => out.push([lane, s.t0_ms / 1000, s.t1_ms / 1000, i])))
  return out
}

function stepTooltip(l: ThreadLane, s: ThreadLaneStep): string {
  const parts = STATE_PARTS.filter((p) => s[p.key] > 0).map((p) => {
    const what = p.key === 'sleep_ns' || p.key === 'disk_ns' ? (s.blocked_in ? ` (mostly ${escapeHtml(s.blocked_in)})` : '') : ''
    return `${p.label}: <b>${formatNs(s[p.key])}</b>${what}`
  })
  return `<b>${escapeHtml(laneLabel(l))}</b> (pid ${l.pid})<br>${formatOffset(s.t0_ms)} – ${formatOffset(s.t1_ms)}<br>${parts.join('<br>')}`
}

interface RenderApi {
  value: (dim: number) => number
  coord: (v: [number, number]) => [number, number]
}

export function buildThreadLaneOption(rows: WallTimeRows, opts: { dark?: boolean } = {}): Record<string, unknown> {
  const th = chartTheme(opts.dark ?? false)
  const colors = STATE_PARTS.map((p) => p.color(th))
  const items = laneItems(rows)
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: LAYOUT.left, right: LAYOUT.right, top: 4, bottom: 24, outerBoundsMode: 'none' },
    tooltip: {
      trigger: 'item',
      ...tooltipStyle(th),
      formatter: (p: { value: [number, number, number, number] }) => {
        const l = rows.lanes[p.value[0]]
        const s = l?.steps[p.value[3]]
        return l && s ? stepTooltip(l, s) : ''
      }
    },
    xAxis: rangeTimeAxis(th, rows.from_ms, rows.to_ms),
    yAxis: {
      type: 'category',
      inverse: true,
      data: rows.lanes.map(laneLabel),
      ...axisStyle(th),
      axisTick: { show: false },
      // the name over the tid: the timeline's margin is narrow
      axisLabel: {
        color: th.muted,
        fontSize: 10,
        lineHeight: 11,
        width: LAYOUT.left - 6,
        overflow: 'truncate',
        formatter: (_v: string, i: number) => {
          const l = rows.lanes[i]
          return l ? `${l.comm || '?'}\n${l.tid}` : ''
        }
      }
    },
    series: [
      {
        id: 'states',
        type: 'custom',
        data: items,
        encode: { x: [1, 2], y: 0 },
        clip: true,
        renderItem: (_params: unknown, api: RenderApi) => {
          const lane = api.value(0)
          const l = rows.lanes[lane]
          const s = l?.steps[api.value(3)]
          if (!s) return null
          const [x0, y] = api.coord([api.value(1), lane])
          const [x1] = api.coord([api.value(2), lane])
          const h = LANE_HEIGHT * 0.7
          let x = x0
          const children = stepShares(s).map(([share, i]) => {
            const w = (x1 - x0) * share
            const r = { type: 'rect', shape: { x, y: y - h / 2, width: Math.max(w, 0.5), height: h }, style: { fill: colors[i] } }
            x += w
            return r
          })
          return { type: 'group', children }
        }
      }
    ]
  }
}

/** the chart's height for its lanes: px */
export const laneChartHeight = (rows: WallTimeRows): number => rows.lanes.length * LANE_HEIGHT + 28
