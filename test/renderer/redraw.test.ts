// @vitest-environment happy-dom
// Streaming redraws: the queue that spreads them over frames, and the timeline using it — while
// data streams in, one lane's chart gets a new option per frame, each in turn; a new range or
// theme reaches every chart at once.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { mount } from '@vue/test-utils'
import { RedrawQueue } from '../../src/renderer/src/lib/redrawQueue'
import { RedrawPacer } from '../../src/renderer/src/lib/redrawPacer'
import TimelineChart from '../../src/renderer/src/components/TimelineChart.vue'
import { prepareTimeline, type LaneId, type TimelineData } from '../../src/renderer/src/charts/timeline'
import { SessionBuffer } from '../../src/renderer/src/lib/series'
import { treePoint } from './fixtures'

describe('RedrawQueue', () => {
  it('hands out the key stale the longest first, each once', () => {
    const q = new RedrawQueue<string>()
    q.markStale(['a', 'b', 'c'])
    expect(q.take(1)).toEqual(['a'])
    // stale again: a goes to the back, b and c keep their places
    q.markStale(['a', 'b', 'c'])
    expect(q.take(2)).toEqual(['b', 'c'])
    expect(q.take(5)).toEqual(['a'])
    expect(q.size).toBe(0)
    expect(q.take(1)).toEqual([])
  })

  it('with keys made stale every frame, each is taken in turn: none starves', () => {
    const q = new RedrawQueue<number>()
    const taken: number[] = []
    for (let frame = 0; frame < 12; frame++) {
      q.markStale([0, 1, 2, 3])
      taken.push(...q.take(1))
    }
    expect(taken).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3])
  })

  it('forgets a key redrawn for another reason, and everything on clear', () => {
    const q = new RedrawQueue<string>()
    q.markStale(['a', 'b'])
    q.done('a')
    expect(q.has('a')).toBe(false)
    expect(q.take(2)).toEqual(['b'])
    q.markStale(['a'])
    q.clear()
    expect(q.size).toBe(0)
  })
})

// a stand-in for EChart that keeps the option it was last given
const seen = new Map<string, unknown>()
const EChartStub = defineComponent({
  props: { option: { type: Object, required: true }, label: { type: String, default: undefined }, height: { type: String, default: undefined } },
  setup(props) {
    return () => {
      seen.set(props.label!, props.option)
      return h('div')
    }
  }
})

function dataUpTo(n: number): TimelineData {
  const b = new SessionBuffer()
  b.appendTree(Array.from({ length: n }, (_, i) => treePoint(i * 100)))
  return prepareTimeline(b, [], { range: null })
}

describe('TimelineChart redraws', () => {
  const mounted: { unmount(): void }[] = []
  afterEach(() => {
    for (const w of mounted.splice(0)) w.unmount()
    seen.clear()
  })
  const readouts = { cpu: '', memory: '', io: '', threads: '', syscalls: '', events: '' } as Record<LaneId, string>

  async function mountWithData() {
    const w = mount(TimelineChart, { props: { data: dataUpTo(10), range: null, dark: false, readouts }, global: { stubs: { EChart: EChartStub } } })
    mounted.push(w)
    await nextTick()
    return w
  }
  const snapshot = () => new Map(seen)
  const changed = (before: Map<string, unknown>) => [...seen].filter(([k, v]) => before.get(k) !== v).map(([k]) => k)

  it('while data streams in, redraws one chart per frame, each in turn', async () => {
    // frames exactly one vsync apart: none overran, so none is skipped
    vi.useFakeTimers({ toFake: ['requestAnimationFrame', 'cancelAnimationFrame', 'performance', 'setTimeout', 'clearTimeout'] })
    try {
      const w = await mountWithData()
      expect(seen.size).toBe(7) // six lanes and the slider
      const order: string[][] = []
      for (let i = 0; i < 7; i++) {
        const before = snapshot()
        await w.setProps({ data: dataUpTo(11 + i) })
        // nothing is redrawn in the same turn as the data came
        expect(changed(before)).toEqual([])
        await vi.advanceTimersByTimeAsync(16)
        await nextTick()
        order.push(changed(before))
      }
      for (const o of order) expect(o).toHaveLength(1)
      expect(new Set(order.flat()).size).toBe(7)
      // the chart redrawn last shows the newest data
      const last = seen.get(order[6]![0]!) as { xAxis: { max: number } }
      expect(last.xAxis.max).toBeCloseTo(1.6) // 17 samples, 100 ms apart
    } finally {
      vi.useRealTimers()
    }
  })

  it('redraws nothing when the data drawn did not change', async () => {
    vi.useFakeTimers({ toFake: ['requestAnimationFrame', 'cancelAnimationFrame', 'performance', 'setTimeout', 'clearTimeout'] })
    try {
      const w = await mountWithData()
      const before = snapshot()
      await w.setProps({ data: dataUpTo(10) })
      await vi.advanceTimersByTimeAsync(16 * 8)
      await nextTick()
      expect(changed(before)).toEqual([])
    } finally {
      vi.useRealTimers()
    }
  })

  it('a new range or theme reaches every chart at once', async () => {
    const w = await mountWithData()
    let before = snapshot()
    await w.setProps({ range: [100, 500] })
    expect(changed(before)).toHaveLength(7)
    for (const o of seen.values()) expect((o as { dataZoom: { startValue: number }[] }).dataZoom[0]!.startValue).toBe(0.1)
    before = snapshot()
    await w.setProps({ dark: true })
    expect(changed(before)).toHaveLength(7)
  })

  it('emits the zoomed window as the range, null for the whole run', async () => {
    const w = await mountWithData()
    const lane = w.findAllComponents(EChartStub)[1]!
    lane.vm.$emit('datazoom', { batch: [{ startValue: 0.2, endValue: 0.5 }] })
    lane.vm.$emit('datazoom', { start: 0, end: 100 })
    expect(w.emitted('range')).toEqual([[[200, 500]], [null]])
  })
})

describe('RedrawPacer', () => {
  // each pacer's clock goes on from one run to the next
  const clocks = new WeakMap<RedrawPacer, number>()
  /** frames at the given intervals: which of them may redraw */
  function run(p: RedrawPacer, intervals: number[]): boolean[] {
    let t = clocks.get(p) ?? 1000
    const out = intervals.map((dt) => p.frame((t += dt)))
    clocks.set(p, t)
    return out
  }
  const vsync = (n: number): number[] => Array.from({ length: n }, () => 16.7)

  it('lets every frame redraw while frames keep their vsync', () => {
    expect(run(new RedrawPacer(), vsync(20)).every(Boolean)).toBe(true)
  })

  it('after a frame that overran, skips the next and redraws every other frame, less often as overruns go on', () => {
    const p = new RedrawPacer()
    run(p, vsync(5))
    expect(run(p, [33.4, 16.7, 16.7, 16.7, 16.7])).toEqual([false, false, true, false, true])
    expect(p.framesPerRedraw).toBe(2)
    run(p, [33.4])
    expect(p.framesPerRedraw).toBe(4)
    run(p, [50])
    expect(p.framesPerRedraw).toBe(4)
    expect(run(p, vsync(8))).toEqual([false, false, false, true, false, false, false, true])
  })

  it('comes back to every frame once frames keep their vsync again', () => {
    const p = new RedrawPacer()
    run(p, [16.7, 33.4, 33.4])
    expect(p.framesPerRedraw).toBe(4)
    run(p, vsync(200))
    expect(p.framesPerRedraw).toBe(1)
    expect(run(p, vsync(3))).toEqual([true, true, true])
  })

  it('a pause with nothing to draw is not an overrun', () => {
    const p = new RedrawPacer()
    run(p, vsync(3))
    p.pause()
    expect(run(p, [90, 16.7])).toEqual([true, true])
    expect(run(p, [1000])).toEqual([true])
    expect(p.framesPerRedraw).toBe(1)
  })
})
