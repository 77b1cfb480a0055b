// The session timeline: stacked lanes (CPU, memory, I/O, threads·fds, syscalls by category, and
// a strip of process events) sharing one time axis, one zoom and one pointer. Here: where each
// lane goes, and `prepareTimeline`, which picks what to draw from the bounded buffer (LTTB within
// the visible window, coarse outside it). timelineLanes.ts turns that into ECharts options.
import type { CategoryId, SessionEvent } from '@shared/contract'
import { CATEGORY_IDS } from '@shared/syscalls/index'
import { GrowingLttbUnion } from '@shared/decimateGrowing'
import { windowOf, type ProcessColumns, type SessionBuffer } from '../lib/series'
import { formatBytes, formatBytesRate, formatInt, formatPct, formatRate } from '../lib/format'

export type LaneId = 'cpu' | 'memory' | 'io' | 'threads' | 'syscalls' | 'events'

export interface Lane {
  id: LaneId
  title: string
  /** grid height in px */
  height: number
}

/** Every lane; they are drawn top to bottom in DISPLAY_ORDER. */
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

/** px: each lane's title row and the gap after it; under the bottom lane its time labels, then the slider */
export const LAYOUT = { header: 24, gap: 8, top: 0, axisLabels: 24, slider: 40, left: 72, right: 20 } as const

export interface LaneBox extends Lane {
  /** px from the timeline's top: the lane's title row, then its grid */
  headerTop: number
  top: number
  /** the lane's chart: from its title row to the next lane's (the bottom one also holds the time labels) */
  boxHeight: number
}

export function laneLayout(): { lanes: LaneBox[]; sliderTop: number; height: number } {
  let y: number = LAYOUT.top
  const boxes = new Map<LaneId, LaneBox>()
  DISPLAY_ORDER.forEach((id, i) => {
    const lane = LANES[laneIndex(id)]!
    const last = i === DISPLAY_ORDER.length - 1
    const boxHeight = LAYOUT.header + lane.height + (last ? LAYOUT.axisLabels : LAYOUT.gap)
    boxes.set(id, { ...lane, headerTop: y, top: y + LAYOUT.header, boxHeight })
    y += boxHeight
  })
  return { lanes: LANES.map((l) => boxes.get(l.id)!), sliderTop: y, height: y + LAYOUT.slider }
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

type Line = readonly (number | null)[]

/**
 * Decimation remembered between calls, so a view redrawn as data streams in decides again only
 * about the newest samples (GrowingLttbUnion), one per line and part of the window.
 */
class Decimations {
  private readonly parts = new Map<string, GrowingLttbUnion>()
  private used = new Set<string>()

  of(key: string): GrowingLttbUnion {
    this.used.add(key)
    let d = this.parts.get(key)
    if (!d) this.parts.set(key, (d = new GrowingLttbUnion()))
    return d
  }

  /** Forget the lines not drawn since the last sweep (processes no longer among the busiest). */
  sweep(): void {
    for (const k of this.parts.keys()) if (!this.used.has(k)) this.parts.delete(k)
    this.used = new Set()
  }
}

/** Detailed indices inside [from, to], a coarse outline outside it (for the slider and panning). */
function displayIndices(dec: Decimations, key: string, t: readonly number[], ys: readonly Line[], range: [number, number] | null, points: number): number[] {
  if (!range) return dec.of(`${key}:all`).indices(t, ys, points)
  const [s, e] = windowOf(t, range[0], range[1])
  const coarse = Math.max(8, Math.floor(points / 8))
  return [
    ...dec.of(`${key}:before`).indices(t, ys, coarse, 0, s),
    ...dec.of(`${key}:in`).indices(t, ys, points, s, e),
    ...dec.of(`${key}:after`).indices(t, ys, coarse, e, t.length)
  ]
}

/** A process's CPU summed over the whole run, kept up to date as samples are appended. */
class RunningSums {
  private readonly sums = new Map<number, { cpu: Line; upTo: number; sum: number }>()

  of(s: ProcessColumns): number {
    let r = this.sums.get(s.pid)
    // thinning replaces the arrays: count again from the start
    if (!r || r.cpu !== s.cpu || r.upTo > s.cpu.length) this.sums.set(s.pid, (r = { cpu: s.cpu, upTo: 0, sum: 0 }))
    for (let i = r.upTo; i < s.cpu.length; i++) r.sum += s.cpu[i] ?? 0
    r.upTo = s.cpu.length
    return r.sum
  }
}

function windowSum(s: ProcessColumns, from: number, to: number): number {
  const [a, b] = windowOf(s.t, from, to)
  let sum = 0
  for (let i = a; i < b; i++) sum += s.cpu[i] ?? 0
  return sum
}

export type TimelinePreparer = (buf: SessionBuffer, events: readonly SessionEvent[], opts: PrepareOptions) => TimelineData

/**
 * `prepareTimeline` for one view that prepares again and again as data comes in: what it decided
 * about the samples seen before is kept, so a call costs about the new samples, not the buffer.
 */
export function timelinePreparer(): TimelinePreparer {
  const dec = new Decimations()
  const sums = new RunningSums()
  return (buf, events, opts) => prepare(buf, events, opts, dec, sums)
}

/** What the timeline draws from the buffer and the events, for the range selected (null: all). */
export function prepareTimeline(buf: SessionBuffer, events: readonly SessionEvent[], opts: PrepareOptions): TimelineData {
  return prepare(buf, events, opts, new Decimations(), new RunningSums())
}

function prepare(buf: SessionBuffer, events: readonly SessionEvent[], opts: PrepareOptions, dec: Decimations, sums: RunningSums): TimelineData {
  const points = opts.points ?? 400
  const c = buf.tree
  const idx = displayIndices(dec, 'tree', c.t, [c.cpu, c.rss, c.read, c.write, c.total, c.errors, c.threads], opts.range, points)
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
    const sum = opts.range ? windowSum(s, from, to) : sums.of(s)
    if (sum > 0) ranked.push({ s, sum })
  }
  ranked.sort((p, q) => q.sum - p.sum || p.s.pid - q.s.pid)
  const procs = ranked.slice(0, opts.topN ?? 5).map(({ s }) => {
    const pi = displayIndices(dec, `proc-${s.pid}`, s.t, [s.cpu], opts.range, points)
    return { pid: s.pid, name: buf.nameOf(s.pid), t: pickAll(s.t, pi), cpu: pickAll(s.cpu, pi) }
  })
  dec.sweep()

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
