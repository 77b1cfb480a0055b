// Chart option builders: given data, the right lanes, series, axes, colours, stacking, markers.
import { describe, expect, it } from 'vitest'
import type { Breakdown, Comparison, ComparisonSide, SessionEvent } from '../../src/shared/contract'
import { categoryInfo } from '../../src/shared/syscalls/index'
import { SessionBuffer } from '../../src/renderer/src/lib/series'
import { DISPLAY_ORDER, laneIndex, laneLayout, laneReadouts, LANES, LAYOUT, prepareTimeline, type LaneId } from '../../src/renderer/src/charts/timeline'
import {
  buildLaneOption,
  buildSliderOption,
  changedCharts,
  eventLabel,
  nearestIndex,
  pairs,
  pointsOf,
  timelineTooltip
} from '../../src/renderer/src/charts/timelineLanes'
import {
  buildCategoryBarsOption,
  buildCategoryDonutOption,
  buildCompareSharesOption,
  buildShareDonutOption,
  categoryRows
} from '../../src/renderer/src/charts/breakdown'
import { chartTheme } from '../../src/renderer/src/charts/theme'
import { treePoint } from './fixtures'

type Series = { id: string; name: string; type: string; stack?: string; data: unknown; color?: string; markArea?: { data: unknown[] } }
type Zoom = { type: string; start?: number; end?: number; startValue?: number; endValue?: number }
type LaneOpt = {
  grid: { top: number; height: number }
  xAxis: { max: number; axisLabel: { show: boolean } }
  yAxis: { type: string }
  series: Series[]
  dataZoom: Zoom[]
}

const events: SessionEvent[] = [
  { kind: 'fork', t_ms: 150, pid: 7, ppid: 1 },
  { kind: 'exec', t_ms: 160, pid: 7, comm: 'cat', filename: '/usr/bin/cat' },
  { kind: 'exit', t_ms: 250, pid: 7, code: 1, signal: null },
  { kind: 'notice', t_ms: 260, level: 'warning', message: 'x' }
]

function buffer(): SessionBuffer {
  const b = new SessionBuffer()
  b.appendTree([
    treePoint(0),
    treePoint(100, { syscall_gap: true, syscalls_per_s: {} }),
    treePoint(200, { syscall_gap: true, syscalls_per_s: {} }),
    treePoint(300, { syscalls_per_s: { file_io: 100, memory: 10 }, rss_bytes: 2 << 20 })
  ])
  const tick = (t: number) => ({
    t_ms: t,
    points: [1, 2, 3].map((pid) => ({
      pid,
      cpu_user_pct: pid * 10,
      cpu_system_pct: 0,
      rss_bytes: 1,
      pss_bytes: 1,
      read_bytes_per_s: 0,
      write_bytes_per_s: 0,
      threads: 1,
      fds: 1
    }))
  })
  b.appendProcesses([tick(0), tick(100), tick(200), tick(300)])
  b.names.set(3, 'busy')
  return b
}

describe('the timeline', () => {
  const data = prepareTimeline(buffer(), events, { range: null, topN: 2 })
  const lane = (id: LaneId, range: [number, number] | null = null): LaneOpt => buildLaneOption(id, data, { dark: false, range }) as unknown as LaneOpt
  const s = (id: LaneId, sid: string): Series => lane(id).series.find((x) => x.id === sid)!

  it('lays the lanes out top to bottom, each chart from its title row to the next, the slider under them', () => {
    const { lanes, sliderTop, height } = laneLayout()
    const boxes = DISPLAY_ORDER.map((id) => lanes[laneIndex(id)]!)
    expect(boxes[0]!.headerTop).toBe(LAYOUT.top)
    for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.headerTop).toBe(boxes[i - 1]!.headerTop + boxes[i - 1]!.boxHeight)
    for (const b of boxes) expect(b.top + b.height).toBeLessThanOrEqual(b.headerTop + b.boxHeight)
    const last = boxes[boxes.length - 1]!
    expect(sliderTop).toBe(last.headerTop + last.boxHeight)
    expect(height).toBe(sliderTop + LAYOUT.slider)
  })

  it('gives every lane one grid under its title row, the same time axis, only the bottom one labelled, one zoom', () => {
    for (const l of LANES) {
      const o = lane(l.id)
      expect(o.grid).toMatchObject({ top: LAYOUT.header, height: l.height })
      expect(o.xAxis.max).toBe(0.3)
      expect(o.xAxis.axisLabel.show).toBe(l.id === DISPLAY_ORDER[DISPLAY_ORDER.length - 1])
      expect(o.dataZoom).toEqual([expect.objectContaining({ type: 'inside', start: 0, end: 100 })])
    }
    expect(lane('events').yAxis.type).toBe('category')
    const slider = buildSliderOption(data, { dark: false, range: null }) as unknown as LaneOpt
    expect(slider.dataZoom.map((d) => d.type)).toEqual(['slider'])
    expect(slider.xAxis.max).toBe(0.3)
    // its shadow is the total CPU
    expect(pointsOf(slider.series[0]!.data)).toEqual(pointsOf(s('cpu', 'cpu').data))
  })

  it('puts each metric on its lane, in seconds, with units kept', () => {
    expect(pointsOf(s('cpu', 'cpu').data)).toEqual([
      [0, 10],
      [0.1, 10],
      [0.2, 10],
      [0.3, 10]
    ])
    expect(pointsOf(s('memory', 'rss').data)[3]).toEqual([0.3, 2 << 20])
    expect(lane('io').series.map((x) => x.id)).toEqual(['read', 'write'])
    expect(lane('threads').series.map((x) => x.id)).toEqual(['threads', 'fds'])
  })

  it('stacks syscall rates by category in the categories’ colours, only categories that occur', () => {
    const cats = lane('syscalls').series.filter((x) => x.id.startsWith('cat-'))
    expect(cats.map((c) => c.id)).toEqual(['cat-file_io', 'cat-memory'])
    for (const c of cats) expect(c).toMatchObject({ stack: 'syscalls' })
    expect(s('syscalls', 'cat-file_io').color).toBe(categoryInfo('file_io').color)
    expect(s('syscalls', 'cat-file_io').name).toBe('File I/O')
    expect(pointsOf(s('syscalls', 'cat-memory').data)).toEqual([
      [0, 0],
      [0.1, 0],
      [0.2, 0],
      [0.3, 10]
    ])
    expect(s('syscalls', 'errors').stack).toBeUndefined()
  })

  it('shades the intervals without syscall data', () => {
    expect(s('syscalls', 'gaps').markArea!.data).toEqual([[{ xAxis: 0 }, { xAxis: 0.2 }]])
  })

  it('draws the busiest processes’ CPU, busiest first, named', () => {
    const procs = lane('cpu').series.filter((x) => x.id.startsWith('proc-'))
    expect(procs.map((p) => p.id)).toEqual(['proc-3', 'proc-2'])
    expect(procs[0]!.name).toBe('busy (3)')
  })

  it('marks fork, exec and exit on the process lane; a failed exit stands out', () => {
    const marks = lane('events').series
    // points as [x, row] pairs in one typed array per series; rows top to bottom: exit, exec, fork
    expect(marks.map((m) => [m.id, pointsOf(m.data)])).toEqual([
      ['ev-fork', [[0.15, 2]]],
      ['ev-exec', [[0.16, 1]]],
      ['ev-exit-failed', [[0.25, 0]]]
    ])
    expect(marks.find((m) => m.id === 'ev-exit-failed')!.color).toBe(chartTheme(false).exitBad)
    expect(eventLabel(events[1] as never)).toBe('exec 7 /usr/bin/cat')
  })

  it('holds a selected range in every zoom, in seconds, and detail inside it', () => {
    const ranged = prepareTimeline(buffer(), events, { range: [100, 200] })
    for (const l of LANES) {
      const z = (buildLaneOption(l.id, ranged, { dark: true, range: [100, 200] }) as unknown as LaneOpt).dataZoom[0]!
      expect(z).toMatchObject({ startValue: 0.1, endValue: 0.2 })
      expect(z.start).toBeUndefined()
    }
    expect((buildSliderOption(ranged, { dark: true, range: [100, 200] }) as unknown as LaneOpt).dataZoom[0]).toMatchObject({ startValue: 0.1, endValue: 0.2 })
  })

  it('thins long series to the display budget inside the window, coarse outside', () => {
    const b = new SessionBuffer()
    b.appendTree(Array.from({ length: 6000 }, (_, i) => treePoint(i * 100, { cpu_pct: i === 3000 ? 500 : 10 })))
    const whole = prepareTimeline(b, [], { range: null, points: 300 })
    expect(whole.t.length).toBeLessThanOrEqual(300)
    expect(whole.cpu).toContain(500)
    const zoomed = prepareTimeline(b, [], { range: [290_000, 310_000], points: 300 })
    const inside = zoomed.t.filter((t) => t >= 290_000 && t <= 310_000)
    expect(inside.length).toBe(201) // the whole window, at full resolution
    expect(zoomed.t.length).toBeLessThan(300 + 2 * 40)
    expect(zoomed.t[0]).toBe(0)
    expect(zoomed.t[zoomed.t.length - 1]).toBe(599_900)
  })

  it('hands ECharts each line as one typed array, unavailable values as breaks', () => {
    const d = pairs([0, 1000, 2000], [5, null, 7])
    expect(d).toBeInstanceOf(Float64Array)
    expect(pointsOf(d)).toEqual([
      [0, 5],
      [1, null],
      [2, 7]
    ])
    expect(s('cpu', 'cpu')).toMatchObject({ dimensions: ['x', 'y'] })
  })

  it('finds the sample nearest a time', () => {
    expect(nearestIndex([], 5)).toBe(-1)
    expect(nearestIndex([0, 100, 200], -50)).toBe(0)
    expect(nearestIndex([0, 100, 200], 140)).toBe(1)
    expect(nearestIndex([0, 100, 200], 160)).toBe(2)
    expect(nearestIndex([0, 100, 200], 900)).toBe(2)
  })

  it('tooltips: the time, lanes top to bottom, values in units, events only near the pointer, HTML escaped', () => {
    const b = buffer()
    b.names.set(3, '<busy>')
    const d = prepareTimeline(b, events, { range: null, topN: 2 })
    const html = timelineTooltip(d, 290, { dark: false, range: null })
    const order = ['CPU total', '&lt;busy&gt; (3)', 'RSS', 'read', 'threads', 'File I/O', 'errors'].map((name) => html.indexOf(name))
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!))).toBe(true)
    expect(html).toContain('2.00 MiB')
    expect(html).toContain('100/s')
    // events show only within 1/150 of the span of the pointer (2 ms of 300 ms)
    expect(html).not.toContain('exit 7')
    const atExit = timelineTooltip(d, 251, { dark: false, range: null })
    expect(atExit).toContain('exit 7 pid 7 (code 1)')
    // categories with no calls at that time are left out
    expect(timelineTooltip(d, 100, { dark: false, range: null })).not.toContain('File I/O')
  })

  it('tells which charts a new preparation concerns', () => {
    const again = prepareTimeline(buffer(), events, { range: null, topN: 2 })
    expect(changedCharts(data, again)).toEqual(new Set())
    const moreEvents = prepareTimeline(buffer(), [...events, { kind: 'fork', t_ms: 280, pid: 8, ppid: 1 }], { range: null, topN: 2 })
    expect(changedCharts(data, moreEvents)).toEqual(new Set(['events']))
    const b = buffer()
    b.tree.rss[1] = 5 << 20
    expect(changedCharts(data, prepareTimeline(b, events, { range: null, topN: 2 }))).toEqual(new Set(['memory']))
    const longer = buffer()
    longer.appendTree([treePoint(400)])
    expect(changedCharts(data, prepareTimeline(longer, events, { range: null, topN: 2 })).size).toBe(LANES.length + 1)
  })

  it('readouts: latest values while live, peaks after', () => {
    const b = buffer()
    expect(laneReadouts(b).memory).toBe('RSS 2.00 MiB · PSS 512 KiB')
    expect(laneReadouts(b, 'peak').syscalls).toBe('peak 110/s · 0/s errors')
  })
})

const breakdown: Breakdown = {
  sessionId: 's',
  from_ms: 0,
  to_ms: 1000,
  total_calls: 130,
  total_errors: 4,
  total_time_ns: 9000,
  by_category: [
    { category: 'memory', calls: 30, errors: 0, time_ns: 8000 },
    { category: 'file_io', calls: 100, errors: 4, time_ns: 1000 },
    { category: 'time', calls: 0, errors: 0, time_ns: 0 }
  ],
  syscalls: [],
  processes: []
}

describe('breakdown charts', () => {
  it('the donut shows the categories with calls, largest first, in their colours, the total in the middle', () => {
    const o = buildCategoryDonutOption(breakdown) as {
      title: { text: string }
      series: { data: { name: string; value: number; itemStyle: { color: string } }[] }[]
    }
    expect(o.series[0]!.data.map((d) => [d.name, d.value, d.itemStyle.color])).toEqual([
      ['File I/O', 100, categoryInfo('file_io').color],
      ['Memory', 30, categoryInfo('memory').color]
    ])
    expect(o.title.text).toBe('130')
  })

  it('by time in syscalls the order follows the time', () => {
    expect(categoryRows(breakdown, 'time_ns').map((r) => r.category)).toEqual(['memory', 'file_io'])
    const o = buildCategoryDonutOption(breakdown, { metric: 'time_ns' }) as { title: { text: string } }
    expect(o.title.text).toBe('9.00 µs')
  })

  it('bars: one per category with calls, errors beside them', () => {
    const o = buildCategoryBarsOption(breakdown) as { yAxis: { data: string[] }; series: { id: string; data: unknown[] }[] }
    expect(o.yAxis.data).toEqual(['File I/O', 'Memory'])
    expect(o.series.map((x) => x.id)).toEqual(['calls', 'errors'])
    expect(o.series[1]!.data).toEqual([4, 0])
    const t = buildCategoryBarsOption(breakdown, { metric: 'time_ns' }) as { series: unknown[] }
    expect(t.series).toHaveLength(1)
  })
})

describe('compare charts', () => {
  const side = (title: string, net: number, mem: number): ComparisonSide => ({
    path: `/r/${title}`,
    title,
    durationMs: 1000,
    total_calls: net + mem,
    by_category: [
      { category: 'network', calls: net, share: net / (net + mem) },
      { category: 'memory', calls: mem, share: mem / (net + mem) }
    ],
    cpu_pct_peak: null,
    cpu_pct_mean: null,
    rss_peak_bytes: null,
    cpu_seconds: null,
    usage: null,
    syscalls_counted: true,
    processes: 1,
    peak_processes: 1,
    wall: null,
    syscalls_timed: false
  })
  const cmp: Comparison = { a: side('one', 75, 25), b: side('two', 10, 90), syscalls: [] }

  it('grouped bars of both sides’ shares in percent, by category', () => {
    const o = buildCompareSharesOption(cmp) as { yAxis: { data: string[] }; series: { id: string; data: { value: number }[] }[] }
    expect(o.yAxis.data).toEqual(['Memory', 'Network'])
    expect(o.series.map((s) => s.id)).toEqual(['a', 'b'])
    expect(o.series[0]!.data.map((d) => d.value)).toEqual([25, 75])
    expect(o.series[1]!.data.map((d) => d.value)).toEqual([90, 10])
  })

  it('a donut per side', () => {
    const o = buildShareDonutOption(cmp.b) as { series: { data: { name: string; value: number }[] }[] }
    expect(o.series[0]!.data).toEqual([expect.objectContaining({ name: 'Memory', value: 90 }), expect.objectContaining({ name: 'Network', value: 10 })])
  })
})
