// The thread-state lanes: each step split into its states by share, one item per step, on the
// timeline's margins and the range's window.
import { describe, expect, it } from 'vitest'
import type { ThreadLaneStep, WallTime, WallTimeRows } from '../../src/shared/contract'
import { buildThreadLaneOption, laneChartHeight, laneItems, stepShares, LANE_HEIGHT } from '../../src/renderer/src/charts/threadLanes'
import { LAYOUT } from '../../src/renderer/src/charts/timeline'

const step = (t0: number, t1: number, cpu: number, rq: number, disk: number, sleep: number, blockedIn: string | null = null): ThreadLaneStep => ({
  t0_ms: t0,
  t1_ms: t1,
  cpu_ns: cpu,
  runqueue_ns: rq,
  disk_ns: disk,
  sleep_ns: sleep,
  blocked_in: blockedIn
})
const time: WallTime = {
  wall_ns: 1,
  elapsed_ns: 1,
  on_cpu_ns: 1,
  on_cpu_system_ns: null,
  on_cpu_user_ns: null,
  runqueue_ns: 0,
  runqueue_preempted_ns: 0,
  blocked_ns: 0,
  blocked_uninterruptible_ns: 0,
  blocked_by: []
}
const rows: WallTimeRows = {
  sessionId: 's',
  from_ms: 1000,
  to_ms: 3000,
  unavailable: null,
  tree: time,
  processes: [],
  thread_count: 2,
  lanes: [
    { pid: 1, tid: 1, comm: 'main', time, steps: [step(1000, 1250, 250, 0, 0, 0), step(1250, 1500, 0, 0, 50, 200, 'read')] },
    { pid: 1, tid: 2, comm: 'worker', time, steps: [step(2000, 3000, 10, 30, 0, 60, 'futex')] }
  ]
}

describe('thread lanes', () => {
  it('split a step into its states by share, left to right, leaving out empty ones', () => {
    expect(stepShares(step(0, 100, 30, 0, 10, 60))).toEqual([
      [0.3, 0],
      [0.1, 2],
      [0.6, 3]
    ])
    expect(stepShares(step(0, 100, 0, 0, 0, 0))).toEqual([])
  })

  it('draw a step with a correction in it (a part below 0) from its parts above 0, filling the step', () => {
    // 40 ns sent earlier as waiting were on a CPU: this step's waiting is -40, its CPU 140
    expect(stepShares(step(0, 100, 140, -40, 0, 0))).toEqual([[1, 0]])
    expect(stepShares(step(0, 100, 90, -10, 0, 30)).reduce((n, [share]) => n + share, 0)).toBeCloseTo(1, 12)
  })

  it('make one item per step, in seconds, with its lane and index', () => {
    expect(laneItems(rows)).toEqual([
      [0, 1, 1.25, 0],
      [0, 1.25, 1.5, 1],
      [1, 2, 3, 0]
    ])
  })

  it('share the timeline margins and show the range, a labelled lane per thread', () => {
    const o = buildThreadLaneOption(rows) as {
      grid: { left: number; right: number }
      xAxis: { min: number; max: number }
      yAxis: { data: string[]; axisLabel: { formatter: (v: string, i: number) => string } }
      tooltip: { formatter: (p: unknown) => string }
    }
    expect(o.grid.left).toBe(LAYOUT.left)
    expect(o.grid.right).toBe(LAYOUT.right)
    expect([o.xAxis.min, o.xAxis.max]).toEqual([1, 3])
    expect(o.yAxis.data).toEqual(['main 1', 'worker 2'])
    expect(o.yAxis.axisLabel.formatter('worker 2', 1)).toBe('worker\n2')
    expect(laneChartHeight(rows)).toBe(2 * LANE_HEIGHT + 28)
    const tip = o.tooltip.formatter({ value: [0, 1.25, 1.5, 1] })
    expect(tip).toContain('blocked, asleep: <b>200 ns</b> (mostly read)')
    expect(tip).not.toContain('on a CPU')
  })
})
