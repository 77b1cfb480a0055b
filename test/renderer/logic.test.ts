// Renderer logic without a browser: argv splitting, picker filtering, sorting, chart options.
import { describe, expect, it } from 'vitest'
import { splitArgs } from '../../src/renderer/src/lib/args'
import { pickerRows } from '../../src/renderer/src/lib/tree'
import { sortRows } from '../../src/renderer/src/lib/sort'
import { buildTimelineOption, LANES } from '../../src/renderer/src/charts/timeline'
import { buildCategoryDonutOption, buildCompareSharesOption } from '../../src/renderer/src/charts/breakdown'
import { decimateIndices } from '../../src/shared/decimate'
import { CATEGORIES } from '../../src/shared/syscalls/index'
import type { Breakdown, ProcessListEntry, SyscallRow, TreePoint } from '../../src/shared/contract'

describe('splitArgs', () => {
  it.each([
    ['-j2 all', ['-j2', 'all']],
    [`-c 'echo "a b"'`, ['-c', 'echo "a b"']],
    [`"a \\"q\\" b" c\\ d`, ['a "q" b', 'c d']],
    [`'' x`, ['', 'x']],
    ['  spaced   out  ', ['spaced', 'out']],
    ['$(rm -rf /); `x`', ['$(rm', '-rf', '/);', '`x`']]
  ])('splits %s without any shell', (text, argv) => expect(splitArgs(text)).toEqual(argv))

  it('says what is wrong with unbalanced quotes', () => {
    expect(() => splitArgs(`a 'b`)).toThrow(/unbalanced single quote/)
    expect(() => splitArgs(`a "b`)).toThrow(/unbalanced double quote/)
    expect(() => splitArgs('a\\')).toThrow(/backslash at the end/)
  })
})

const proc = (pid: number, ppid: number, comm: string, user = 'me'): ProcessListEntry => ({ pid, ppid, comm, cmdline: comm, user, uid: 1000, cpu_pct: null, rss_bytes: null, startedAtMs: null, cannotTrace: null })

describe('the attach picker', () => {
  const list = [proc(1, 0, 'init', 'root'), proc(10, 1, 'bash'), proc(11, 10, 'make'), proc(12, 11, 'cc1'), proc(20, 1, 'sshd', 'root'), proc(21, 20, 'sshd')]
  it('in tree mode keeps a match’s ancestors and descendants', () => {
    const rows = pickerRows(list, 'make', 'tree')
    expect(rows.map((r) => [r.p.pid, r.depth])).toEqual([
      [1, 0],
      [10, 1],
      [11, 2],
      [12, 3]
    ])
  })
  it('in flat mode shows only matches, by name, pid or user', () => {
    expect(pickerRows(list, 'sshd', 'flat').map((r) => r.p.pid)).toEqual([20, 21])
    expect(pickerRows(list, '12', 'flat').map((r) => r.p.pid)).toEqual([12])
    expect(pickerRows(list, 'root', 'flat').map((r) => r.p.pid)).toEqual([1, 20])
    expect(pickerRows(list, '', 'tree')).toHaveLength(6)
  })
})

describe('sorting and decimation', () => {
  const row = (nr: number, name: string, calls: number, errors: number): SyscallRow => ({ nr, name, category: 'file_io', calls, errors, time_ns: calls * 10, calls_per_s: calls })
  it('sorts the syscall table by any column, both ways', () => {
    const rows = [row(0, 'read', 5, 1), row(1, 'write', 9, 0), row(2, 'close', 5, 3)]
    expect(sortRows(rows, 'calls', true).map((r) => r.name)).toEqual(['write', 'read', 'close'])
    expect(sortRows(rows, 'errors', true).map((r) => r.name)).toEqual(['close', 'read', 'write'])
    expect(sortRows(rows, 'name', false).map((r) => r.name)).toEqual(['close', 'read', 'write'])
  })
  it('keeps endpoints and spikes when decimating (LTTB)', () => {
    const ys = Array.from({ length: 10_000 }, (_, i) => (i === 4321 ? 1000 : Math.sin(i / 100)))
    const idx = decimateIndices(ys.length, 500, (i) => ys[i]!)
    expect(idx).toHaveLength(500)
    expect(idx[0]).toBe(0)
    expect(idx[idx.length - 1]).toBe(9999)
    expect(idx).toContain(4321)
    expect(decimateIndices(10, 500, () => 0)).toHaveLength(10)
  })
})

describe('chart options', () => {
  const point = (t: number, gap = false): TreePoint => ({ t_ms: t, cpu_pct: 50, rss_bytes: 2 * 1024 * 1024, pss_bytes: null, read_bytes_per_s: 1024, write_bytes_per_s: 0, threads: 2, fds: 5, processes: 1, syscalls_per_s: { file_io: 100, memory: 10 }, errors_per_s: 0, syscall_gap: gap })
  it('stacks syscall rates by category on the last lane, shades gaps, marks process events', () => {
    const o = buildTimelineOption([point(0), point(100, true), point(200, true), point(300)], [], [{ kind: 'fork', t_ms: 150, pid: 7, ppid: 1 }]) as { grid: unknown[]; series: { name: string; stack?: string; xAxisIndex: number; data: unknown[]; markArea?: { data: unknown[] }; color?: string }[]; dataZoom: { xAxisIndex: number[] }[] }
    expect(o.grid).toHaveLength(LANES.length)
    const fileIo = o.series.find((s) => s.name === 'File I/O')!
    expect(fileIo).toMatchObject({ stack: 'syscalls', xAxisIndex: 4, color: CATEGORIES.find((c) => c.id === 'file_io')!.color })
    expect(fileIo.data).toEqual([
      [0, 100],
      [0.1, 100],
      [0.2, 100],
      [0.3, 100]
    ])
    expect(o.series.find((s) => s.name === 'RSS')!.data[0]).toEqual([0, 2])
    expect(o.series.find((s) => s.name === 'no syscall data')!.markArea!.data).toEqual([[{ xAxis: 0.1 }, { xAxis: 0.3 }]])
    expect(o.series.find((s) => s.name === 'process events')!.data).toHaveLength(1)
    expect(o.dataZoom[0]!.xAxisIndex).toEqual([0, 1, 2, 3, 4])
  })
  it('draws categories with their colours and compares shares', () => {
    const b: Breakdown = { sessionId: 'x', from_ms: 0, to_ms: 1, total_calls: 10, total_errors: 1, total_time_ns: 5, by_category: [{ category: 'network', calls: 10, errors: 1, time_ns: 5 }], syscalls: [], processes: [] }
    const donut = buildCategoryDonutOption(b) as { series: { data: { name: string; value: number; itemStyle: { color: string } }[] }[] }
    expect(donut.series[0]!.data).toEqual([{ name: 'Network', value: 10, itemStyle: { color: CATEGORIES.find((c) => c.id === 'network')!.color } }])
    const side = (calls: number) => ({ path: 'p', title: 't', durationMs: 1, total_calls: calls, by_category: [{ category: 'network' as const, calls, share: 1 }], cpu_pct_peak: null, cpu_pct_mean: null, rss_peak_bytes: null, cpu_seconds: null })
    const cmp = buildCompareSharesOption({ a: side(5), b: side(7), syscalls: [] }) as { series: { data: number[] }[] }
    expect(cmp.series[0]!.data[3]).toBe(100)
  })
})
