// The compare view's rows of figures: exit usage of both sides, their change, and "unavailable"
// (never 0) for what a recording does not know.
import { describe, expect, it } from 'vitest'
import type { Comparison, ComparisonSide, ExitUsage } from '../../src/shared/contract'
import {
  callsCell,
  callsChange,
  compareFigures,
  compareWallFigures,
  figureBound,
  figureCell,
  figureDelta,
  figureRatio,
  timeCell,
  timeChange,
  UNAVAILABLE,
  WALL_REASONS
} from '../../src/renderer/src/lib/compare-figures'

const usage = (over: Partial<ExitUsage> = {}): ExitUsage => ({
  user_seconds: 0.012,
  system_seconds: 0.008,
  max_rss_bytes: 18 << 20,
  minor_faults: 400,
  major_faults: 0,
  vol_ctxsw: 10,
  invol_ctxsw: 3,
  ...over
})
const side = (over: Partial<ComparisonSide> = {}): ComparisonSide => ({
  path: '/r/x',
  title: 'x',
  durationMs: 50,
  total_calls: 120,
  by_category: [],
  // a run shorter than one sample: its samples saw no peak
  cpu_pct_peak: null,
  cpu_pct_mean: 40,
  rss_peak_bytes: null,
  cpu_seconds: 0.02,
  usage: usage(),
  syscalls_counted: true,
  processes: 1,
  peak_processes: 1,
  wall: null,
  syscalls_timed: true,
  ...over
})
const row = (c: Comparison, label: string) => {
  const f = compareFigures(c).find((x) => x.label === label)
  if (!f) throw new Error(`no row ${label}`)
  return [figureCell(f, 'a'), figureCell(f, 'b'), figureDelta(f), figureRatio(f)]
}

describe('compare figures', () => {
  const burst = side({
    durationMs: 1600,
    cpu_seconds: 0.3,
    usage: usage({
      user_seconds: 0.1,
      system_seconds: 0.2,
      max_rss_bytes: null,
      max_rss_at_most_bytes: 5 << 20,
      minor_faults: 9000,
      vol_ctxsw: 600,
      invol_ctxsw: 300
    }),
    processes: 201,
    peak_processes: 2
  })
  const c: Comparison = { a: side(), b: burst, syscalls: [] }

  it('shows both sides’ exit figures with the change from A to B', () => {
    expect(row(c, 'CPU user')).toEqual(['12.0 ms', '100 ms', '+88.0 ms', '8.33×'])
    expect(row(c, 'CPU system')).toEqual(['8.00 ms', '200 ms', '+192 ms', '25.0×'])
    expect(row(c, 'voluntary switches')).toEqual(['10', '600', '+590', '60.0×'])
    expect(row(c, 'involuntary switches')).toEqual(['3', '300', '+297', '100×'])
    expect(row(c, 'minor faults')).toEqual(['400', '9,000', '+8,600', '22.5×'])
    expect(row(c, 'processes')).toEqual(['1', '201', '+200', '201×'])
    expect(row(c, 'processes at once')).toEqual(['1', '2', '+1', '2.00×'])
    // a count that stayed 0 on both sides is known, and unchanged
    expect(row(c, 'major faults')).toEqual(['0', '0', '+0', '1.00×'])
  })

  it('says unavailable, never 0, for what a side does not know', () => {
    // the samples' peaks of a run shorter than one sample
    expect(row(c, 'CPU peak')).toEqual([UNAVAILABLE, UNAVAILABLE, '—', '—'])
    expect(row(c, 'RSS peak')).toEqual([UNAVAILABLE, UNAVAILABLE, '—', '—'])
    // a max RSS the kernel cannot tell from its launcher's: with what it is known to be below
    expect(row(c, 'max RSS')).toEqual(['18.0 MiB', UNAVAILABLE, '—', '—'])
    const rss = compareFigures(c).find((x) => x.label === 'max RSS')!
    expect(figureBound(rss, 'a')).toBeUndefined()
    expect(figureBound(rss, 'b')).toMatch(/^at most 5\.00 MiB: /)
  })

  it('a recording without eBPF: no exit figures, no syscall counts', () => {
    const noEbpf = side({ usage: null, syscalls_counted: false, total_calls: 0 })
    const d: Comparison = { a: side(), b: noEbpf, syscalls: [] }
    for (const label of [
      'CPU user',
      'CPU system',
      'max RSS',
      'minor faults',
      'major faults',
      'voluntary switches',
      'involuntary switches',
      'syscalls',
      'syscall rate'
    ]) {
      const [a, b, delta, ratio] = row(d, label)
      expect(a, label).not.toBe(UNAVAILABLE)
      expect([b, delta, ratio], label).toEqual([UNAVAILABLE, '—', '—'])
    }
    // what /proc still gave it is shown
    expect(row(d, 'CPU time')[1]).toBe('20.0 ms')
    expect(row(d, 'processes')[1]).toBe('1')
    // each syscall's calls: B's are not known, so neither is their change
    const read = {
      name: 'read',
      category: 'file_io' as const,
      a_calls: 40,
      b_calls: 0,
      delta: -40,
      ratio: 0,
      a_time_ns: 5000,
      b_time_ns: null,
      a_p99_ns: 400,
      b_p99_ns: null
    }
    expect([callsCell(d.a, 40), callsCell(d.b, 0)]).toEqual(['40', UNAVAILABLE])
    expect(callsChange(d, read)).toEqual({ delta: '—', ratio: '—' })
    expect(callsChange({ ...d, b: side() }, read)).toEqual({ delta: '−40', ratio: '0.00×' })
  })

  it('a figure that fell shows its change with a minus sign', () => {
    const d: Comparison = { a: burst, b: side(), syscalls: [] }
    expect(row(d, 'CPU time')).toEqual(['300 ms', '20.0 ms', '−280 ms', '0.07×'])
  })
})

describe('compare: where the time went', () => {
  const MS = 1e6
  const wall = (by: [string, number][], cpu: number): NonNullable<ComparisonSide['wall']> => {
    const blocked = by.reduce((n, [, ns]) => n + ns, 0)
    return {
      wall_ns: cpu + 10 * MS + blocked,
      elapsed_ns: 2000 * MS,
      on_cpu_ns: cpu,
      on_cpu_system_ns: cpu / 4,
      on_cpu_user_ns: (cpu * 3) / 4,
      runqueue_ns: 10 * MS,
      runqueue_preempted_ns: 0,
      blocked_ns: blocked,
      blocked_uninterruptible_ns: 0,
      blocked_by: by.map(([syscall, ns]) => ({ syscall, ns, uninterruptible_ns: 0 }))
    }
  }
  const wrow = (c: Comparison, label: string) => {
    const f = compareWallFigures(c).find((x) => x.label === label)
    if (!f) throw new Error(`no row ${label}`)
    return [figureCell(f, 'a'), figureCell(f, 'b'), figureDelta(f), figureRatio(f)]
  }

  it('gives each part in both, and the reasons that weighed most in either, 0 where one had none', () => {
    const c: Comparison = {
      a: side({
        wall: wall(
          [
            ['wait4', 1000 * MS],
            ['read', 200 * MS]
          ],
          500 * MS
        )
      }),
      b: side({
        wall: wall(
          [
            ['wait4', 300 * MS],
            ['futex', 500 * MS]
          ],
          900 * MS
        )
      }),
      syscalls: []
    }
    expect(compareWallFigures(c).map((f) => f.label)).toEqual([
      'thread time',
      'elapsed',
      'on a CPU',
      'in syscalls, on a CPU',
      'waiting for a CPU',
      'blocked',
      'blocked in wait4',
      'blocked in futex',
      'blocked in read'
    ])
    expect(wrow(c, 'blocked in wait4')).toEqual(['1.00 s', '300 ms', '−700 ms', '0.30×'])
    expect(wrow(c, 'blocked in futex')).toEqual(['0 ns', '500 ms', '+500 ms', 'new'])
    expect(wrow(c, 'on a CPU')).toEqual(['500 ms', '900 ms', '+400 ms', '1.80×'])
  })

  it('keeps the heaviest reasons only, and says unavailable for a side without wall time', () => {
    const many = wall(
      Array.from({ length: 12 }, (_, i) => [`s${i}`, (i + 1) * MS] as [string, number]),
      100 * MS
    )
    const c: Comparison = { a: side({ wall: many }), b: side(), syscalls: [] }
    const reasons = compareWallFigures(c).filter((f) => f.label.startsWith('blocked in '))
    expect(reasons.map((f) => f.label)).toEqual(Array.from({ length: WALL_REASONS }, (_, i) => `blocked in s${11 - i}`))
    expect(wrow(c, 'blocked')).toEqual(['78.0 ms', UNAVAILABLE, '—', '—'])
    expect(compareWallFigures({ a: side(), b: side(), syscalls: [] })).toEqual([])
  })

  it("gives a syscall's time change only where both timed it", () => {
    const r = {
      name: 'read',
      category: 'file_io' as const,
      a_calls: 4,
      b_calls: 5,
      delta: 1,
      ratio: 1.25,
      a_time_ns: 3000,
      b_time_ns: 1000,
      a_p99_ns: 900,
      b_p99_ns: 300
    }
    expect(timeChange(r)).toBe(-2000)
    expect(timeChange({ ...r, b_time_ns: null })).toBeNull()
    expect([timeCell(r.a_time_ns), timeCell(null)]).toEqual(['3.00 µs', UNAVAILABLE])
  })
})
