// The session timeline: stacked lanes (CPU, memory, I/O, threads·fds, syscalls by category, and
// a strip of process events) in one chart, one grid per lane, all sharing one time axis, one
// zoom and one axis pointer. Two pure steps unit tests can call: `prepareTimeline` picks what to
// draw from the bounded buffer (LTTB within the visible window, coarse outside it),
// `buildTimelineOption` turns that into an ECharts option.
import type { CategoryId, SessionEvent } from '@shared/contract'
import { CATEGORY_IDS } from '@shared/syscalls/index'
import { lttbUnion } from '@shared/decimate'
import { windowOf, type ProcessColumns, type SessionBuffer } from '../lib/series'
import { escapeHtml, formatBytes, formatBytesRate, formatCount, formatInt, formatOffset, formatPct, formatRate } from '../lib/format'
import { axisStyle, categoryColor, categoryLabel, chartTheme, tooltipStyle, type ChartTheme } from './theme'

export type LaneId = 'cpu' | 'memory' | 'io' | 'threads' | 'syscalls' | 'events'

export interface Lane {
  id: LaneId
  title: string
  /** grid height in px */
  height: number
}

/**
 * Lanes in axis order (the slider's data shadow follows the first axis: CPU). They are drawn
 * top to bottom in DISPLAY_ORDER.
 */
export const LANES: readonly Lane[] = [
  { id: 'cpu', title: 'CPU', height: 110 },
  { id: 'memory', title: 'Memory', height: 76 },
  { id: 'io', title: 'I/O', height: 76 },
  { id: 'threads', title: 'Threads · fds', height: 60 },
  { id: 'syscalls', title: 'Syscalls', height: 120 },
  { id: 'events', title: 'Processes', height: 42 }
]
export const DISPLAY_ORDER: readonly LaneId[] = ['events', 'cpu', 'memory', 'io', 'threads', 'syscalls']
export const laneIndex = (id: LaneId): number => LANES.findIndex((l) => l.id === id)

export const LAYOUT = { header: 24, gap: 8, top: 0, bottom: 64, left: 72, right: 20 } as const

export interface LaneBox extends Lane {
  /** px from the chart's top: the lane's title row, then its grid */
  headerTop: number
  top: number
}

export function laneLayout(): { lanes: LaneBox[]; height: number } {
  let y: number = LAYOUT.top
  const boxes = new Map<LaneId, LaneBox>()
  for (const id of DISPLAY_ORDER) {
    const lane = LANES[laneIndex(id)]!
    boxes.set(id, { ...lane, headerTop: y, top: y + LAYOUT.header })
    y += LAYOUT.header + lane.height + LAYOUT.gap
  }
  return { lanes: LANES.map((l) => boxes.get(l.id)!), height: y - LAYOUT.gap + LAYOUT.bottom }
}

export type MarkerEvent = Extract<SessionEvent, { kind: 'fork' | 'exec' | 'exit' }>

export interface ProcessLine {
  pid: number
  name: string
  t: number[]
  cpu: (number | null)[]
}

/** What the timeline draws, already thinned for the screen. Times in ms since the start. */
export interface TimelineData {
  extent: [number, number]
  t: number[]
  cpu: (number | null)[]
  rss: (number | null)[]
  pss: (number | null)[]
  read: (number | null)[]
  write: (number | null)[]
  threads: (number | null)[]
  fds: (number | null)[]
  errors: number[]
  /** categories with any calls among the points drawn, in display order */
  cats: { id: CategoryId; values: number[] }[]
  /** the busiest processes in the window, busiest first */
  procs: ProcessLine[]
  events: MarkerEvent[]
  gaps: [number, number][]
}

export interface PrepareOptions {
  range: [number, number] | null
  /** points per line inside the window (default 400): about one per 3 px of a wide chart; more costs frame time and shows nothing more */
  points?: number
  topN?: number
  maxMarkers?: number
}

function pickAll<T>(xs: readonly T[], idx: readonly number[]): T[] {
  return idx.map((i) => xs[i]!)
}

/** Detailed indices inside [from, to], a coarse outline outside it (for the slider and panning). */
function displayIndices(t: readonly number[], ys: readonly (readonly (number | null)[])[], range: [number, number] | null, points: number): number[] {
  if (!range) return lttbUnion(t, ys, points)
  const [s, e] = windowOf(t, range[0], range[1])
  const coarse = Math.max(8, Math.floor(points / 8))
  return [...lttbUnion(t, ys, coarse, 0, s), ...lttbUnion(t, ys, points, s, e), ...lttbUnion(t, ys, coarse, e, t.length)]
}

export function prepareTimeline(buf: SessionBuffer, events: readonly SessionEvent[], opts: PrepareOptions): TimelineData {
  const points = opts.points ?? 400
  const c = buf.tree
  const idx = displayIndices(c.t, [c.cpu, c.rss, c.read, c.write, c.total, c.errors, c.threads], opts.range, points)
  const end = Math.max(buf.tEnd, 1)
  const [from, to] = opts.range ?? [0, end]

  const cats: TimelineData['cats'] = []
  for (const id of CATEGORY_IDS) {
    const values = pickAll(c.cats[id], idx)
    if (values.some((v) => v > 0)) cats.push({ id, values })
  }

  // the busiest processes of the window get a line each
  const ranked: { s: ProcessColumns; sum: number }[] = []
  for (const s of buf.procs.values()) {
    const [a, b] = windowOf(s.t, from, to)
    let sum = 0
    for (let i = a; i < b; i++) sum += s.cpu[i] ?? 0
    if (sum > 0) ranked.push({ s, sum })
  }
  ranked.sort((p, q) => q.sum - p.sum || p.s.pid - q.s.pid)
  const procs = ranked.slice(0, opts.topN ?? 5).map(({ s }) => {
    const pi = displayIndices(s.t, [s.cpu], opts.range, points)
    return { pid: s.pid, name: buf.nameOf(s.pid), t: pickAll(s.t, pi), cpu: pickAll(s.cpu, pi) }
  })

  const maxMarkers = opts.maxMarkers ?? 1500
  let marks = events.filter((e): e is MarkerEvent => (e.kind === 'fork' || e.kind === 'exec' || e.kind === 'exit') && e.t_ms >= from && e.t_ms <= to)
  if (marks.length > maxMarkers) {
    const step = marks.length / maxMarkers
    marks = Array.from({ length: maxMarkers }, (_, i) => marks[Math.floor(i * step)]!)
  }

  return {
    extent: [0, end],
    t: pickAll(c.t, idx),
    cpu: pickAll(c.cpu, idx),
    rss: pickAll(c.rss, idx),
    pss: pickAll(c.pss, idx),
    read: pickAll(c.read, idx),
    write: pickAll(c.write, idx),
    threads: pickAll(c.threads, idx),
    fds: pickAll(c.fds, idx),
    errors: pickAll(c.errors, idx),
    cats,
    procs,
    events: marks,
    gaps: buf.gaps.map(([a, b]) => [a, b] as [number, number])
  }
}

// ---- the ECharts option

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

/** The points of a line series' data, back as [x, y | null] (for tests and tooltips). */
export function pointsOf(data: unknown): [number, number | null][] {
  if (!(data instanceof Float64Array)) return []
  const out: [number, number | null][] = []
  for (let i = 0; i + 1 < data.length; i += 2) out.push([data[i]!, Number.isNaN(data[i + 1]!) ? null : data[i + 1]!])
  return out
}

const EVENT_ROWS = ['exit', 'exec', 'fork'] as const

export function eventLabel(e: MarkerEvent, name: (pid: number) => string = (p) => `pid ${p}`): string {
  if (e.kind === 'fork') return `fork ${e.pid} ← ${e.ppid}`
  if (e.kind === 'exec') return `exec ${e.pid} ${e.filename || e.comm}`
  const how = e.signal !== null ? `signal ${e.signal}` : e.code !== null ? `code ${e.code}` : ''
  return `exit ${e.pid} ${name(e.pid)}${how ? ` (${how})` : ''}`
}

const failedExit = (e: MarkerEvent): boolean => e.kind === 'exit' && (e.signal !== null || (e.code !== null && e.code !== 0))

export function buildTimelineOption(d: TimelineData, o: TimelineOptions): Record<string, unknown> {
  const th: ChartTheme = chartTheme(o.dark)
  const { lanes } = laneLayout()
  const longRun = d.extent[1] >= 600_000
  const all = LANES.map((_, i) => i)
  const L = (id: LaneId): number => laneIndex(id)
  const bottomLane = L(DISPLAY_ORDER[DISPLAY_ORDER.length - 1]!)

  // the lanes are placed exactly; 'none' spares ECharts measuring every axis label to fit them
  // into outer bounds on every update (a tenth of a streaming frame)
  const grid = lanes.map((b) => ({ left: LAYOUT.left, right: LAYOUT.right, top: b.top, height: b.height, outerBoundsMode: 'none' }))
  const xAxis = lanes.map((_, i) => ({
    type: 'value',
    gridIndex: i,
    min: 0,
    max: sec(d.extent[1]),
    ...axisStyle(th),
    axisLabel: { show: i === bottomLane, color: th.muted, fontSize: 11, hideOverlap: true, formatter: (v: number) => formatOffset(v * 1000, longRun) },
    axisTick: { show: i === bottomLane },
    splitLine: { show: false }
  }))
  const yFormat: Record<Exclude<LaneId, 'events'>, Fmt> = {
    cpu: (v) => (v === null ? '—' : `${formatCount(v)} %`),
    memory: formatBytes,
    io: formatBytesRate,
    threads: formatInt,
    syscalls: formatRate
  }
  const yAxis = LANES.map((lane, i) =>
    lane.id === 'events'
      ? { type: 'category', gridIndex: i, data: [...EVENT_ROWS], ...axisStyle(th), axisTick: { show: false }, splitLine: { show: false }, axisLabel: { color: th.muted, fontSize: 10 } }
      : {
          type: 'value',
          gridIndex: i,
          min: 0,
          splitNumber: 2,
          ...axisStyle(th),
          axisLabel: { color: th.muted, fontSize: 11, formatter: (v: number) => yFormat[lane.id as Exclude<LaneId, 'events'>](v) }
        }
  )

  const fmtOf = new Map<string, SeriesMeta>()
  const line = (id: string, name: string, lane: LaneId, data: Float64Array, color: string, extra: Record<string, unknown> = {}) => {
    fmtOf.set(id, { fmt: lane === 'events' ? () => '' : yFormat[lane], order: DISPLAY_ORDER.indexOf(lane) })
    return {
      id,
      name,
      type: 'line',
      xAxisIndex: L(lane),
      yAxisIndex: L(lane),
      dimensions: ['x', 'y'],
      data,
      color,
      showSymbol: false,
      symbol: 'none',
      connectNulls: false,
      lineStyle: { width: 1.25 },
      emphasis: { disabled: true },
      // no hover states to compute: the axis tooltip does not need them
      silent: true,
      ...extra
    }
  }

  const series: Record<string, unknown>[] = [
    line('cpu', 'CPU total', 'cpu', pairs(d.t, d.cpu), th.cpu, { lineStyle: { width: 1.75 } }),
    ...d.procs.map((p, i) => line(`proc-${p.pid}`, `${p.name} (${p.pid})`, 'cpu', pairs(p.t, p.cpu), th.processes[i % th.processes.length]!, { lineStyle: { width: 1, type: 'dashed' } })),
    line('rss', 'RSS', 'memory', pairs(d.t, d.rss), th.rss),
    line('pss', 'PSS', 'memory', pairs(d.t, d.pss), th.pss, { lineStyle: { width: 1.25, type: 'dashed' } }),
    line('read', 'read', 'io', pairs(d.t, d.read), th.read),
    line('write', 'write', 'io', pairs(d.t, d.write), th.write),
    line('threads', 'threads', 'threads', pairs(d.t, d.threads), th.threads),
    line('fds', 'fds', 'threads', pairs(d.t, d.fds), th.fds),
    ...d.cats.map((c) =>
      line(`cat-${c.id}`, categoryLabel(c.id), 'syscalls', pairs(d.t, c.values), categoryColor(c.id), { stack: 'syscalls', areaStyle: { opacity: 0.85 }, lineStyle: { width: 0 } })
    ),
    line('errors', 'errors', 'syscalls', pairs(d.t, d.errors), th.errors, { lineStyle: { width: 1, type: 'dashed' }, z: 5 })
  ]
  if (d.gaps.length)
    series.push({
      id: 'gaps',
      name: 'no syscall data',
      type: 'line',
      xAxisIndex: L('syscalls'),
      yAxisIndex: L('syscalls'),
      data: [],
      silent: true,
      markArea: {
        silent: true,
        itemStyle: { color: th.gapShade },
        label: { show: true, position: 'insideTop', color: th.muted, fontSize: 10, formatter: 'no syscall data' },
        data: d.gaps.map(([a, b]) => [{ xAxis: sec(a) }, { xAxis: sec(b) }])
      }
    })

  // process events: one row of markers per kind, failed exits a series of their own (red). The
  // points go as typed arrays like the lines (a build forks thousands of times; ECharts deep-copies
  // object data on every update), their labels stay here for the tooltip.
  const kinds = { fork: { symbol: 'triangle', color: th.fork }, exec: { symbol: 'diamond', color: th.exec }, exit: { symbol: 'circle', color: th.exit } } as const
  const markerLabels = new Map<string, string[]>()
  const markerSeries = (id: string, kind: (typeof EVENT_ROWS)[number], color: string, evs: readonly MarkerEvent[]) => {
    const row = EVENT_ROWS.indexOf(kind)
    const data = new Float64Array(evs.length * 2)
    evs.forEach((e, i) => {
      data[2 * i] = sec(e.t_ms)
      data[2 * i + 1] = row
    })
    markerLabels.set(id, evs.map((e) => eventLabel(e)))
    return { id, name: kind, type: 'scatter', xAxisIndex: L('events'), yAxisIndex: L('events'), dimensions: ['x', 'y'], symbol: kinds[kind].symbol, symbolSize: 7, color, emphasis: { disabled: true }, data }
  }
  for (const kind of ['fork', 'exec', 'exit'] as const) {
    const evs = d.events.filter((e) => e.kind === kind && !failedExit(e))
    if (evs.length) series.push(markerSeries(`ev-${kind}`, kind, kinds[kind].color, evs))
  }
  const failed = d.events.filter(failedExit)
  if (failed.length) series.push(markerSeries('ev-exit-failed', 'exit', th.exitBad, failed))

  const span = sec(o.range ? o.range[1] - o.range[0] : d.extent[1])
  const tooltip = {
    trigger: 'axis',
    ...tooltipStyle(th),
    axisPointer: { type: 'line', lineStyle: { color: th.muted } },
    formatter: (params: unknown) => timelineTooltip(params as TooltipParam[], fmtOf, span, longRun, (id, i) => markerLabels.get(id)?.[i])
  }

  const zoomWindow = o.range ? { startValue: sec(o.range[0]), endValue: sec(o.range[1]) } : { start: 0, end: 100 }
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { fontFamily: 'system-ui, sans-serif' },
    grid,
    xAxis,
    yAxis,
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    tooltip,
    dataZoom: [
      { type: 'inside', id: 'zoom-inside', xAxisIndex: all, filterMode: 'none', ...zoomWindow },
      {
        type: 'slider',
        id: 'zoom-slider',
        xAxisIndex: all,
        filterMode: 'none',
        bottom: 8,
        height: 22,
        left: LAYOUT.left,
        right: LAYOUT.right,
        borderColor: th.axis,
        textStyle: { color: th.muted },
        labelFormatter: (v: number) => formatOffset(v * 1000, longRun),
        ...zoomWindow
      }
    ],
    series
  }
}

interface SeriesMeta {
  fmt: Fmt
  /** the lane's place top to bottom: the tooltip lists lanes in that order */
  order: number
}

interface TooltipParam {
  seriesId?: string
  seriesName?: string
  marker?: string
  value?: unknown
  name?: string
  dataIndex?: number
  axisValue?: number
}

/** Axis tooltip: the time, then each lane's values; event markers only near the pointer. */
export function timelineTooltip(
  params: TooltipParam[],
  meta: ReadonlyMap<string, SeriesMeta>,
  spanS: number,
  longRun: boolean,
  markerLabel: (seriesId: string, dataIndex: number) => string | undefined = () => undefined
): string {
  if (!params.length) return ''
  const at = Number(params[0]!.axisValue ?? 0)
  const rows: string[] = [`<div class="tt-time"><b>${escapeHtml(formatOffset(at * 1000, longRun))}</b></div>`]
  const orderOf = (p: TooltipParam): number => (p.seriesId?.startsWith('ev-') ? -1 : (meta.get(p.seriesId ?? '')?.order ?? 99))
  const sorted = params.map((p, i) => ({ p, i })).sort((x, y) => orderOf(x.p) - orderOf(y.p) || x.i - y.i)
  for (const { p } of sorted) {
    const id = p.seriesId ?? ''
    const v = Array.isArray(p.value) ? p.value : []
    if (id.startsWith('ev-')) {
      if (Math.abs(Number(v[0]) - at) > spanS / 150) continue
      rows.push(`${p.marker ?? ''}${escapeHtml(markerLabel(id, p.dataIndex ?? -1) ?? p.name ?? '')}`)
      continue
    }
    const y = v[1] === null || v[1] === undefined || Number.isNaN(Number(v[1])) ? null : Number(v[1])
    if (id.startsWith('cat-') && !y) continue
    const fmt = meta.get(id)?.fmt
    if (!fmt) continue
    rows.push(`${p.marker ?? ''}${escapeHtml(p.seriesName ?? '')} <b style="float:right;margin-left:12px">${escapeHtml(fmt(y))}</b>`)
  }
  return rows.join('<br/>')
}

/** Each lane's figures for its title row: the latest values while live, the peaks afterwards. */
export function laneReadouts(buf: SessionBuffer, mode: 'latest' | 'peak' = 'latest'): Record<LaneId, string> {
  const c = buf.tree
  const i = c.t.length - 1
  if (i < 0) return { cpu: '', memory: '', io: '', threads: '', syscalls: '', events: '' }
  if (mode === 'peak') {
    const p = buf.peaks
    return {
      cpu: `peak ${formatPct(p.cpu)}`,
      memory: `peak RSS ${formatBytes(p.rss)} · PSS ${formatBytes(p.pss)}`,
      io: `peak read ${formatBytesRate(p.read)} · write ${formatBytesRate(p.write)}`,
      threads: `peak ${formatInt(p.threads)} threads · ${formatInt(p.fds)} fds`,
      syscalls: `peak ${formatRate(p.total)} · ${formatRate(p.errors)} errors`,
      events: `peak ${formatInt(p.processes)} processes`
    }
  }
  return {
    cpu: formatPct(c.cpu[i]),
    memory: `RSS ${formatBytes(c.rss[i])} · PSS ${formatBytes(c.pss[i])}`,
    io: `read ${formatBytesRate(c.read[i])} · write ${formatBytesRate(c.write[i])}`,
    threads: `${formatInt(c.threads[i])} threads · ${formatInt(c.fds[i])} fds`,
    syscalls: `${formatRate(c.total[i])} · ${formatRate(c.errors[i])} errors`,
    events: `${formatInt(c.processes[i])} processes`
  }
}
