// The session buffer: bounded however long a session runs, ticks deduplicated across the
// snapshot, gaps tracked exactly, idle processes forgotten first.
import { describe, expect, it } from 'vitest'
import { PROCESS_OVERFLOW, SessionBuffer, lowerBound, processCpu, windowOf } from '../../src/renderer/src/lib/series'
import { treePoint } from './fixtures'

describe('SessionBuffer', () => {
  it('appends tree points in order and skips ones it already has', () => {
    const b = new SessionBuffer()
    b.appendTree([treePoint(100), treePoint(200)])
    b.appendTree([treePoint(200), treePoint(150), treePoint(300, { syscalls_per_s: { memory: 5, file_io: 1 } })])
    expect(b.tree.t).toEqual([100, 200, 300])
    expect(b.tree.total).toEqual([100, 100, 6])
    expect(b.tree.cats.memory).toEqual([0, 0, 5])
    expect(b.tEnd).toBe(300)
  })

  it('stays within its capacity and keeps the spikes of every metric and the last tick', () => {
    const b = new SessionBuffer(1000, 500)
    for (let i = 1; i <= 36_000; i += 100) {
      b.appendTree(
        Array.from({ length: 100 }, (_, k) => {
          const t = (i + k) * 100
          return treePoint(t, { cpu_pct: i + k === 12_345 ? 999 : 10, syscalls_per_s: { file_io: i + k === 30_001 ? 1e6 : 100 } })
        })
      )
    }
    expect(b.length).toBeLessThanOrEqual(1000)
    expect(b.tree.cpu).toContain(999)
    expect(b.tree.total).toContain(1e6)
    expect(b.tEnd).toBe(36_000 * 100)
    // every column stays aligned with the times
    for (const col of [b.tree.cpu, b.tree.rss, b.tree.gap, b.tree.cats.file_io]) expect(col).toHaveLength(b.tree.t.length)
  })

  it('merges intervals without syscall data, from the tick before to the tick flagged', () => {
    const b = new SessionBuffer()
    b.appendTree([
      treePoint(100),
      treePoint(200, { syscall_gap: true }),
      treePoint(300, { syscall_gap: true }),
      treePoint(400),
      treePoint(500, { syscall_gap: true })
    ])
    expect(b.gaps).toEqual([
      [100, 300],
      [400, 500]
    ])
  })

  it('keeps per-process CPU and RSS, bounded, and forgets the idlest exited processes first', () => {
    const b = new SessionBuffer(8000, 100, 3)
    const tick = (t: number, pids: number[]) => ({
      t_ms: t,
      points: pids.map((pid) => ({
        pid,
        cpu_user_pct: pid === 1 ? 50 : pid,
        cpu_system_pct: 1,
        rss_bytes: 1000,
        pss_bytes: null,
        read_bytes_per_s: null,
        write_bytes_per_s: null,
        threads: 1,
        fds: 1
      }))
    })
    b.appendProcesses([tick(100, [1, 2, 3]), tick(200, [1, 2, 3])])
    for (let t = 300; t < 30_000; t += 100) b.appendProcesses([tick(t, [1, 4, 5])])
    expect([...b.procs.keys()].sort()).toEqual([1, 4, 5])
    expect(b.procs.get(1)!.t.length).toBeLessThanOrEqual(100)
    expect(b.procs.get(1)!.cpu[0]).toBe(51)
  })

  it('thins processes that fill up together a few per append, none past its overflow limit', () => {
    const b = new SessionBuffer(8000, 1000)
    const pids = Array.from({ length: 50 }, (_, i) => i + 1)
    const tick = (t: number) => ({
      t_ms: t,
      points: pids.map((pid) => ({
        pid,
        cpu_user_pct: (t / 100) % 7,
        cpu_system_pct: 0,
        rss_bytes: 1000,
        pss_bytes: null,
        read_bytes_per_s: null,
        write_bytes_per_s: null,
        threads: 1,
        fds: 1
      }))
    })
    let most = 0
    for (let t = 100; t <= 300_000; t += 1000) {
      const before = pids.map((p) => b.procs.get(p)?.t.length ?? 0)
      b.appendProcesses(Array.from({ length: 10 }, (_, k) => tick(t + k * 100)))
      const thinned = pids.filter((p, i) => b.procs.get(p)!.t.length < before[i]!).length
      most = Math.max(most, thinned)
      for (const p of pids) expect(b.procs.get(p)!.t.length).toBeLessThanOrEqual(1000 * PROCESS_OVERFLOW)
    }
    expect(most).toBeGreaterThan(0)
    // a few at a time, not all fifty in one append
    expect(most).toBeLessThanOrEqual(5)
  })

  it('loads a snapshot with process names, replacing what it had', () => {
    const b = new SessionBuffer()
    b.appendTree([treePoint(5000)])
    b.load({
      tree: [treePoint(100), treePoint(200)],
      processes: [{ pid: 7, comm: 'cc1', t_ms: [100], cpu_pct: [null], rss_bytes: [5] }],
      processInfo: [{ pid: 8, ppid: 7, comm: 'as', cmdline: [], startedAtMs: null, exitedAtMs: null, exitCode: null, exitSignal: null }]
    })
    expect(b.tree.t).toEqual([100, 200])
    expect(b.procs.get(7)!.cpu).toEqual([null])
    expect(b.nameOf(7)).toBe('cc1')
    expect(b.nameOf(8)).toBe('as')
    expect(b.nameOf(9)).toBe('pid 9')
  })

  it('appends a later snapshot’s process lines: only their newer points', () => {
    const b = new SessionBuffer()
    b.load({ tree: [treePoint(100)], processes: [{ pid: 7, comm: 'cc1', t_ms: [100, 200], cpu_pct: [1, 2], rss_bytes: [5, 6] }], processInfo: [] })
    b.appendSeries([
      { pid: 7, comm: 'cc1', t_ms: [100, 200, 300], cpu_pct: [1, 2, 3], rss_bytes: [5, 6, 7] },
      { pid: 8, comm: 'as', t_ms: [300], cpu_pct: [9], rss_bytes: [null] }
    ])
    expect(b.procs.get(7)!.t).toEqual([100, 200, 300])
    expect(b.procs.get(7)!.cpu).toEqual([1, 2, 3])
    expect(b.procs.get(8)!.rss).toEqual([null])
  })

  it('CPU of a process is user + system, unavailable only when both are', () => {
    expect(processCpu({ cpu_user_pct: 3, cpu_system_pct: 2 })).toBe(5)
    expect(processCpu({ cpu_user_pct: 3, cpu_system_pct: null })).toBe(3)
    expect(processCpu({ cpu_user_pct: null, cpu_system_pct: null })).toBeNull()
  })
})

describe('windows', () => {
  const t = [0, 100, 200, 300, 400, 500]
  it('finds the samples covering a range, one more each side', () => {
    expect(lowerBound(t, 250)).toBe(3)
    expect(windowOf(t, 150, 350)).toEqual([1, 5])
    expect(windowOf(t, 0, 10_000)).toEqual([0, 6])
    expect(windowOf([], 0, 1)).toEqual([0, 0])
  })
})
