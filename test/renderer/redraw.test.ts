// @vitest-environment happy-dom
// Streaming redraws: the queue that spreads them over frames, and the timeline using it — while
// data streams in, one lane's chart gets a new option per frame, each in turn; a new range or
// theme reaches every chart at once.
import { afterEach, describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { mount } from '@vue/test-utils'
import { RedrawQueue } from '../../src/renderer/src/lib/redrawQueue'
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
  props: { option: { type: Object, required: true }, label: String, height: String },
  setup(props) {
    return () => {
      seen.set(props.label!, props.option)
      return h('div')
    }
  }
})

const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)))

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
    const w = await mountWithData()
    expect(seen.size).toBe(7) // six lanes and the slider
    const order: string[][] = []
    for (let i = 0; i < 7; i++) {
      const before = snapshot()
      await w.setProps({ data: dataUpTo(11 + i) })
      // nothing is redrawn in the same turn as the data came
      expect(changed(before)).toEqual([])
      await frame()
      await nextTick()
      order.push(changed(before))
    }
    for (const o of order) expect(o).toHaveLength(1)
    expect(new Set(order.flat()).size).toBe(7)
    // the chart redrawn last shows the newest data
    const last = seen.get(order[6]![0]!) as { xAxis: { max: number } }
    expect(last.xAxis.max).toBeCloseTo(1.6) // 17 samples, 100 ms apart
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
