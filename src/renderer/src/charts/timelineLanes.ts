// The timeline's ECharts options: one chart per lane (CPU, memory, I/O, threads·fds, syscalls by
// category, process events) and one for the range slider, all over the same time axis. Lanes
// are separate charts so a streaming frame can redraw one of them instead of all (each redraw
// of the whole timeline cost about a frame's budget). Pure functions unit tests can call.
import type { LaneId, MarkerEvent, TimelineData } from './timeline'
import { DISPLAY_ORDER, LANES, LAYOUT } from './timeline'
import { lowerBound } from '../lib/series'
import { escapeHtml, formatBytes, formatBytesRate, formatCount, formatInt, formatOffset, formatRate, isLongRun } from '../lib/format'
import { axisStyle, categoryColor, categoryLabel, chartTheme, type ChartTheme } from './theme'

export interface TimelineOptions {
  dark: boolean
  range: [number, number] | null
}

type Fmt = (v: number | null) => string
const sec = (ms: number): number => ms / 1000

/**
 * A line's points as one typed array, x (s) and y interleaved, NaN where a value is unavailable
 * (the line breaks there). ECharts deep-copies plain arrays of points on every setOption, a
 * typed array in one go: this is what keeps a redraw per frame cheap.
 */
export function pairs(t: readonly number[], ys: readonly (number | null)[]): Float64Array {
  const out = new Float64Array(t.length * 2)
  for (let i = 0; i < t.length; i++) {
    const y = ys[i]
    out[2 * i] = sec(t[i]!)
    out[2 * i + 1] = y === null || y === undefined ? NaN : y
  }
  return out
}

/** The points of a line series' data, back as [x, y | null] (for tests). */
export function pointsOf(data: unknown): [number, number | null][] {
  if (!(data instanceof Float64Array)) return []
  const out: [number, number | null][] = []
  for (let i = 0; i + 1 < data.length; i += 2) out.push([data[i]!, Number.isNaN(data[i + 1]!) ? null : data[i + 1]!])
  return out
}

export const EVENT_ROWS = ['exit', 'exec', 'fork'] as const

export function eventLabel(e: MarkerEvent, name: (pid: number) => string = (p) => `pid ${p}`): string {
  if (e.kind === 'fork') return `fork ${e.pid} ← ${e.ppid}`
  if (e.kind === 'exec') return `exec ${e.pid} ${e.filename || e.comm}`
  const how = e.signal !== null ? `signal ${e.signal}` : e.code !== null ? `code ${e.code}` : ''
  return `exit ${e.pid} ${name(e.pid)}${how ? ` (${how})` : ''}`
}

export const failedExit = (e: MarkerEvent): boolean => e.kind === 'exit' && (e.signal !== null || (e.code !== null && e.code !== 0))

export const LANE_FORMAT: Record<Exclude<LaneId, 'events'>, Fmt> = {
  cpu: (v) => (v === null ? '—' : `${formatCount(v)} %`),
  memory: formatBytes,
  io: formatBytesRate,
  threads: formatInt,
  syscalls: formatRate
}

/** One line of a lane: what its chart draws and what the tooltip reads back. */
export interface LineSpec {
  id: string
  name: string
  lane: Exclude<LaneId, 'events'>
  t: readonly number[]
  y: readonly (number | null)[]
  color: string
  /** ECharts series options beyond a plain line */
  style?: Record<string, unknown>
}

/** The lines of every lane, in tooltip order within a lane. */
export function lineSpecs(d: TimelineData, th: ChartTheme): LineSpec[] {
  const dashed = (width: number): Record<string, unknown> => ({ lineStyle: { width, type: 'dashed' } })
  return [
    { id: 'cpu', name: 'CPU total', lane: 'cpu', t: d.t, y: d.cpu, color: th.cpu, style: { lineStyle: { width: 1.75 } } },
    ...d.procs.map((p, i): LineSpec => ({
      id: `proc-${p.pid}`,
      name: `${p.name} (${p.pid})`,
      lane: 'cpu',
      t: p.t,
      y: p.cpu,
      color: th.processes[i % th.processes.length]!,
      style: dashed(1)
    })),
    { id: 'rss', name: 'RSS', lane: 'memory', t: d.t, y: d.rss, color: th.rss },
    { id: 'pss', name: 'PSS', lane: 'memory', t: d.t, y: d.pss, color: th.pss, style: dashed(1.25) },
    { id: 'read', name: 'read', lane: 'io', t: d.t, y: d.read, color: th.read },
    { id: 'write', name: 'write', lane: 'io', t: d.t, y: d.write, color: th.write },
    { id: 'threads', name: 'threads', lane: 'threads', t: d.t, y: d.threads, color: th.threads },
    { id: 'fds', name: 'fds', lane: 'threads', t: d.t, y: d.fds, color: th.fds },
    ...d.cats.map((c): LineSpec => ({
      id: `cat-${c.id}`,
      name: categoryLabel(c.id),
      lane: 'syscalls',
      t: d.t,
      y: c.values,
      color: categoryColor(c.id),
      style: { stack: 'syscalls', areaStyle: { opacity: 0.85 }, lineStyle: { width: 0 } }
    })),
    { id: 'errors', name: 'errors', lane: 'syscalls', t: d.t, y: d.errors, color: th.errors, style: { ...dashed(1), z: 5 } }
  ]
}

const zoomWindow = (range: [number, number] | null): Record<string, number> =>
  range ? { startValue: sec(range[0]), endValue: sec(range[1]) } : { start: 0, end: 100 }

/** The time axis every lane and the slider share; only the bottom lane labels it. */
function timeAxis(d: TimelineData, th: ChartTheme, labelled: boolean): Record<string, unknown> {
  const longRun = isLongRun(d.extent[1])
  return {
    type: 'value',
    min: 0,
    max: sec(d.extent[1]),
    ...axisStyle(th),
    axisLabel: { show: labelled, color: th.muted, fontSize: 11, hideOverlap: true, formatter: (v: number) => formatOffset(v * 1000, longRun) },
    axisTick: { show: labelled },
    splitLine: { show: false }
  }
}

const lineSeries = (l: LineSpec): Record<string, unknown> => ({
  id: l.id,
  name: l.name,
  type: 'line',
  dimensions: ['x', 'y'],
  data: pairs(l.t, l.y),
  color: l.color,
  showSymbol: false,
  symbol: 'none',
  connectNulls: false,
  lineStyle: { width: 1.25 },
  emphasis: { disabled: true },
  // no hover states to compute: the tooltip is the timeline's own
  silent: true,
  ...l.style
})

const MARKERS = { fork: 'triangle', exec: 'diamond', exit: 'circle' } as const

/**
 * Process events: one row of markers per kind, failed exits a series of their own (red). The
 * points go as typed arrays like the lines: a build forks thousands of times.
 */
function markerSeries(d: TimelineData, th: ChartTheme): Record<string, unknown>[] {
  const colors = { fork: th.fork, exec: th.exec, exit: th.exit }
  const one = (id: string, kind: (typeof EVENT_ROWS)[number], color: string, evs: readonly MarkerEvent[]) => {
    const row = EVENT_ROWS.indexOf(kind)
    const data = new Float64Array(evs.length * 2)
    evs.forEach((e, i) => {
      data[2 * i] = sec(e.t_ms)
      data[2 * i + 1] = row
    })
    return {
      id,
      name: kind,
      type: 'scatter',
      dimensions: ['x', 'y'],
      symbol: MARKERS[kind],
      symbolSize: 7,
      color,
      silent: true,
      emphasis: { disabled: true },
      data
    }
  }
  const out: Record<string, unknown>[] = []
  for (const kind of ['fork', 'exec', 'exit'] as const) {
    const evs = d.events.filter((e) => e.kind === kind && !failedExit(e))
    if (evs.length) out.push(one(`ev-${kind}`, kind, colors[kind], evs))
  }
  const failed = d.events.filter(failedExit)
  if (failed.length) out.push(one('ev-exit-failed', 'exit', th.exitBad, failed))
  return out
}

/** The option of one lane's chart: its grid below the title row, its axes, its series, the wheel/drag zoom. */
export function buildLaneOption(id: LaneId, d: TimelineData, o: TimelineOptions): Record<string, unknown> {
  const th = chartTheme(o.dark)
  const lane = LANES.find((l) => l.id === id)!
  const bottom = id === DISPLAY_ORDER[DISPLAY_ORDER.length - 1]
  const yAxis =
    id === 'events'
      ? {
          type: 'category',
          data: [...EVENT_ROWS],
          ...axisStyle(th),
          axisTick: { show: false },
          splitLine: { show: false },
          axisLabel: { color: th.muted, fontSize: 10 }
        }
      : { type: 'value', min: 0, splitNumber: 2, ...axisStyle(th), axisLabel: { color: th.muted, fontSize: 11, formatter: (v: number) => LANE_FORMAT[id](v) } }
  const series: Record<string, unknown>[] =
    id === 'events'
      ? markerSeries(d, th)
      : lineSpecs(d, th)
          .filter((l) => l.lane === id)
          .map(lineSeries)
  if (id === 'syscalls' && d.gaps.length)
    series.push({
      id: 'gaps',
      name: 'no syscall data',
      type: 'line',
      data: [],
      silent: true,
      markArea: {
        silent: true,
        itemStyle: { color: th.gapShade },
        label: { show: true, position: 'insideTop', color: th.muted, fontSize: 10, formatter: 'no syscall data' },
        data: d.gaps.map(([a, b]) => [{ xAxis: sec(a) }, { xAxis: sec(b) }])
      }
    })
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { fontFamily: 'system-ui, sans-serif' },
    // placed exactly; 'none' spares ECharts measuring every axis label on every update
    grid: { left: LAYOUT.left, right: LAYOUT.right, top: LAYOUT.header, height: lane.height, outerBoundsMode: 'none' },
    xAxis: timeAxis(d, th, bottom),
    yAxis,
    dataZoom: [{ type: 'inside', id: 'zoom-inside', filterMode: 'none', ...zoomWindow(o.range) }],
    series
  }
}

/** The range slider under the lanes, its shadow the total CPU (the line itself is not drawn). */
export function buildSliderOption(d: TimelineData, o: TimelineOptions): Record<string, unknown> {
  const th = chartTheme(o.dark)
  const longRun = isLongRun(d.extent[1])
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: LAYOUT.left, right: LAYOUT.right, top: 0, height: 1, outerBoundsMode: 'none' },
    xAxis: { ...timeAxis(d, th, false), show: false },
    yAxis: { type: 'value', min: 0, show: false },
    dataZoom: [
      {
        type: 'slider',
        id: 'zoom-slider',
        filterMode: 'none',
        bottom: 8,
        height: 22,
        left: LAYOUT.left,
        right: LAYOUT.right,
        borderColor: th.axis,
        textStyle: { color: th.muted },
        labelFormatter: (v: number) => formatOffset(v * 1000, longRun),
        ...zoomWindow(o.range)
      }
    ],
    series: [
      {
        id: 'shadow',
        type: 'line',
        dimensions: ['x', 'y'],
        data: pairs(d.t, d.cpu),
        showSymbol: false,
        symbol: 'none',
        lineStyle: { opacity: 0 },
        silent: true,
        emphasis: { disabled: true }
      }
    ]
  }
}

// ---- the tooltip: the timeline draws its own over all lanes (one box, one pointer line)

/** Index of the sample nearest to `at` in ascending `t`; -1 when empty. */
export function nearestIndex(t: readonly number[], at: number): number {
  const lo = lowerBound(t, at)
  if (lo >= t.length) return t.length - 1
  if (lo > 0 && at - t[lo - 1]! <= t[lo]! - at) return lo - 1
  return lo
}

const swatch = (color: string): string => `<span class="tt-swatch" style="background:${color}"></span>`

/**
 * The tooltip at `atMs`: the time, then each lane's values top to bottom (syscall categories
 * only where non-zero), and the process events within 1/150 of the visible span of the pointer.
 */
export function timelineTooltip(d: TimelineData, atMs: number, o: TimelineOptions): string {
  const th = chartTheme(o.dark)
  const longRun = isLongRun(d.extent[1])
  const span = o.range ? o.range[1] - o.range[0] : d.extent[1]
  const rows: string[] = [`<b>${escapeHtml(formatOffset(atMs, longRun))}</b>`]
  const near = d.events.filter((e) => Math.abs(e.t_ms - atMs) <= span / 150)
  for (const e of near) rows.push(`${swatch(failedExit(e) ? th.exitBad : th[e.kind])}${escapeHtml(eventLabel(e))}`)
  const lines = lineSpecs(d, th)
  for (const lane of DISPLAY_ORDER) {
    if (lane === 'events') continue
    for (const l of lines) {
      if (l.lane !== lane) continue
      const i = nearestIndex(l.t, atMs)
      if (i < 0) continue
      const y = l.y[i] ?? null
      if (l.id.startsWith('cat-') && !y) continue
      rows.push(`${swatch(l.color)}${escapeHtml(l.name)} <b class="tt-value">${escapeHtml(LANE_FORMAT[lane](y))}</b>`)
    }
  }
  return rows.map((r) => `<div>${r}</div>`).join('')
}

// ---- which charts a change of data concerns

export type TimelineChartId = LaneId | 'slider'

const sameValues = (a: readonly unknown[], b: readonly unknown[]): boolean => a === b || (a.length === b.length && a.every((v, i) => v === b[i]))

/**
 * The charts whose drawn data differs between two preparations: a new extent moves every chart's
 * time axis; otherwise only the lanes whose lines or markers changed (a session's output or a
 * notice prepares the timeline again with nothing new to draw).
 */
export function changedCharts(a: TimelineData, b: TimelineData): Set<TimelineChartId> {
  const all: TimelineChartId[] = [...DISPLAY_ORDER, 'slider']
  if (a.extent[0] !== b.extent[0] || a.extent[1] !== b.extent[1]) return new Set(all)
  const out = new Set<TimelineChartId>()
  const t = sameValues(a.t, b.t)
  const procs =
    a.procs.length === b.procs.length &&
    a.procs.every((p, i) => p.pid === b.procs[i]!.pid && p.name === b.procs[i]!.name && sameValues(p.t, b.procs[i]!.t) && sameValues(p.cpu, b.procs[i]!.cpu))
  const cats = a.cats.length === b.cats.length && a.cats.every((c, i) => c.id === b.cats[i]!.id && sameValues(c.values, b.cats[i]!.values))
  const gaps = a.gaps.length === b.gaps.length && a.gaps.every((g, i) => g[0] === b.gaps[i]![0] && g[1] === b.gaps[i]![1])
  if (!t || !sameValues(a.cpu, b.cpu) || !procs) out.add('cpu')
  if (!t || !sameValues(a.rss, b.rss) || !sameValues(a.pss, b.pss)) out.add('memory')
  if (!t || !sameValues(a.read, b.read) || !sameValues(a.write, b.write)) out.add('io')
  if (!t || !sameValues(a.threads, b.threads) || !sameValues(a.fds, b.fds)) out.add('threads')
  if (!t || !cats || !sameValues(a.errors, b.errors) || !gaps) out.add('syscalls')
  if (!sameValues(a.events, b.events)) out.add('events')
  if (!t || !sameValues(a.cpu, b.cpu)) out.add('slider')
  return out
}
