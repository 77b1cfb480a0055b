// Wall time of a time range: a thread's figures are kept as they grew, so a range gets what grew
// inside it, the parts still add up to the wall time, and each of the top threads has a lane
// whose steps cover its time in the range. The whole range is the summary's figures.
import { describe, expect, it } from 'vitest'
import { SessionStore } from '../../src/main/store/store'
import { THREAD_STEP_MS } from '../../src/main/store/thread-times'
import { wallTimeRows } from '../../src/main/analysis/threads'
import { buildSummary } from '../../src/main/analysis/summary'
import { WALL_TIME_LANES, LANE_STEPS, wallTimeSentence } from '../../src/shared/wall-time'
import type { RecordLine, RecordingHeader } from '../../src/main/types/recording-format'
import { testHeader } from './fixtures/recording-lines'
import { checkRecord } from '../../src/main/recording/check-record'

const base = testHeader('wall')
const header: RecordingHeader = { ...base, root_pid: 100, ebpf: { ...base.ebpf, threads: true } }

const NANOSLEEP = 230 // clock_nanosleep on x86_64
const READ = 0
const MS = 1e6

/**
 * Ten seconds of ticks (100 ms): thread 100 spins for the first 4 s, then sleeps in
 * clock_nanosleep; thread 101 is blocked in read (uninterruptible 20 ms a tick) and waits 10 ms a
 * tick for a CPU; thread 102 lives from 3 s to 5 s on a CPU.
 */
function lines(): RecordLine[] {
  const out: RecordLine[] = []
  for (let i = 1; i <= 100; i++) {
    const t = i * 100
    const th = []
    th.push(
      t <= 4000
        ? { tid: 100, cpu: 100 * MS, rq: 0, pre: 0, by: [], ...(i === 1 ? { comm: 'main', first_ns: 0 } : {}) }
        : { tid: 100, cpu: 0, rq: 0, pre: 0, by: [[NANOSLEEP, 100 * MS, 0]] as [number, number, number][] }
    )
    th.push({
      tid: 101,
      cpu: 0,
      rq: 10 * MS,
      pre: 0,
      by: [[READ, 70 * MS, 20 * MS]] as [number, number, number][],
      ...(i === 1 ? { comm: 'reader', first_ns: 0 } : {})
    })
    if (t > 3000 && t <= 5000)
      th.push({
        tid: 102,
        cpu: 100 * MS,
        rq: 0,
        pre: 0,
        by: [],
        ...(t === 3100 ? { comm: 'short', first_ns: 3000 * MS } : {}),
        ...(t === 5000 ? { end_ns: 5000 * MS } : {})
      })
    out.push({ k: 'th', t, pid: 100, th })
  }
  out.push({ k: 'end', t: 10_000, exit_code: 0, exit_signal: null, message: null })
  return out
}

function storeOf(): SessionStore {
  const s = new SessionStore(header, 'w', null)
  for (const l of lines()) s.ingest(l)
  return s
}

describe('wall time of a range', () => {
  it('is what grew inside the range, and its parts add up', () => {
    const s = storeOf()
    const r = wallTimeRows(s, { fromMs: 2000, toMs: 6000 })
    expect(r.unavailable).toBeNull()
    expect(r.thread_count).toBe(3)
    const tree = r.tree!
    // (2 s, 6 s]: 100 spins 2 s and sleeps 2 s; 101 4 s (0.4 s waiting, 0.8 s D, 2.8 s S); 102 2 s
    // on a CPU. The store keeps a thread's changes about THREAD_STEP_MS apart, so each end of the
    // range is exact to within that much of each thread's time (three threads, two ends)
    const near = (got: number, want: number): void => expect(Math.abs(got - want)).toBeLessThanOrEqual(2 * 3 * THREAD_STEP_MS * MS)
    near(tree.on_cpu_ns, 4000 * MS)
    near(tree.runqueue_ns, 400 * MS)
    near(tree.wall_ns, 10_000 * MS)
    expect(tree.blocked_by.map((b) => b.syscall)).toEqual(['read', 'clock_nanosleep'])
    near(tree.blocked_by[0]!.ns, 3600 * MS)
    near(tree.blocked_by[0]!.uninterruptible_ns, 800 * MS)
    near(tree.blocked_by[1]!.ns, 2000 * MS)
    // but the parts add up, to the nanosecond
    expect(tree.on_cpu_ns + tree.runqueue_ns + tree.blocked_ns).toBe(tree.wall_ns)
    expect(tree.blocked_by.reduce((n, b) => n + b.ns, 0)).toBe(tree.blocked_ns)
    for (const l of r.lanes) expect(l.time.on_cpu_ns + l.time.runqueue_ns + l.time.blocked_ns).toBe(l.time.wall_ns)
  })

  it('is exact where the range ends on kept changes', () => {
    // ticks THREAD_STEP_MS apart are each kept: a range on them is exact
    const s = new SessionStore(header, 'exact', null)
    for (let i = 1; i <= 20; i++) {
      const t = i * THREAD_STEP_MS
      s.ingest({
        k: 'th',
        t,
        pid: 100,
        th: [
          {
            tid: 100,
            cpu: i <= 8 ? 250 * MS : 0,
            rq: 0,
            pre: 0,
            by: i <= 8 ? [] : [[NANOSLEEP, 250 * MS, 0]],
            ...(i === 1 ? { comm: 'main', first_ns: 0 } : {})
          }
        ]
      })
    }
    s.ingest({ k: 'end', t: 20 * THREAD_STEP_MS, exit_code: 0, exit_signal: null, message: null })
    const tree = wallTimeRows(s, { fromMs: 4 * THREAD_STEP_MS, toMs: 12 * THREAD_STEP_MS }).tree!
    expect(tree.on_cpu_ns).toBe(4 * 250 * MS)
    // one process: not named on each row
    expect(tree.blocked_by).toEqual([{ syscall: 'clock_nanosleep', ns: 4 * 250 * MS, uninterruptible_ns: 0 }])
    expect(tree.elapsed_ns).toBe(8 * THREAD_STEP_MS * MS)
    expect(wallTimeSentence(tree)).toBe('2.00 s of thread time over 2.00 s: 1.00 s on CPU, 0 s waiting for a CPU, 1.00 s blocked: 1.00 s clock_nanosleep')
  })

  it('leaves out threads that had no time in the range', () => {
    const r = wallTimeRows(storeOf(), { fromMs: 6000, toMs: 8000 })
    expect(r.lanes.map((l) => l.tid).sort()).toEqual([100, 101])
    expect(r.processes).toHaveLength(1)
    expect(r.processes[0]!.threads).toBe(2)
  })

  it('over the whole run equals the summary', () => {
    const s = storeOf()
    const r = wallTimeRows(s, { fromMs: 0, toMs: 1e12 })
    const sum = buildSummary(s, 'ended')
    expect(r.tree).toEqual(sum.proc.tree.time)
    expect(r.to_ms).toBe(10_000)
  })

  it('gives each lane steps that cover its time and ends where its ticks did', () => {
    const r = wallTimeRows(storeOf(), { fromMs: 0, toMs: 1e12 })
    const main = r.lanes.find((l) => l.tid === 100)!
    expect(main.steps.length).toBeLessThanOrEqual(LANE_STEPS)
    // steps follow one another, no gap, no overlap
    for (let i = 1; i < main.steps.length; i++) expect(main.steps[i]!.t0_ms).toBe(main.steps[i - 1]!.t1_ms)
    expect(main.steps[0]!.t0_ms).toBe(0)
    expect(main.steps.at(-1)!.t1_ms).toBe(10_000)
    // no step wider than the store keeps changes apart, plus a tick
    for (const st of main.steps) expect(st.t1_ms - st.t0_ms).toBeLessThanOrEqual(THREAD_STEP_MS + header.interval_ms)
    const sum = (k: 'cpu_ns' | 'sleep_ns') => main.steps.reduce((n, st) => n + st[k], 0)
    expect(sum('cpu_ns')).toBe(4000 * MS)
    expect(sum('sleep_ns')).toBe(6000 * MS)
    // spinning, then asleep in clock_nanosleep
    expect(main.steps.find((st) => st.t1_ms <= 4000)!.blocked_in).toBeNull()
    expect(main.steps.at(-1)!.blocked_in).toBe('clock_nanosleep')
    const short = r.lanes.find((l) => l.tid === 102)!
    expect(short.steps[0]!.t0_ms).toBe(3000)
    expect(short.steps.at(-1)!.t1_ms).toBe(5000)
  })

  it("draws the step that holds a range's end whole (clipped by the chart)", () => {
    const r = wallTimeRows(storeOf(), { fromMs: 2000, toMs: 6050 })
    const main = r.lanes.find((l) => l.tid === 100)!
    expect(main.steps[0]!.t0_ms).toBe(2000)
    expect(main.steps.at(-1)!.t1_ms).toBeGreaterThanOrEqual(6050)
    expect(main.steps.at(-1)!.t1_ms).toBeLessThanOrEqual(6050 + THREAD_STEP_MS)
  })

  it('ranks lanes by time on or waiting for a CPU and keeps at most WALL_TIME_LANES', () => {
    const s = new SessionStore(header, 'many', null)
    for (let i = 1; i <= 10; i++)
      s.ingest({
        k: 'th',
        t: i * 100,
        pid: 100,
        th: Array.from({ length: 40 }, (_, k) => ({ tid: 1000 + k, cpu: k * MS, rq: 0, pre: 0, by: [[READ, (100 - k) * MS, 0]] as [number, number, number][] }))
      })
    s.ingest({ k: 'end', t: 1000, exit_code: 0, exit_signal: null, message: null })
    const r = wallTimeRows(s, { fromMs: 0, toMs: 1000 })
    expect(r.thread_count).toBe(40)
    expect(r.lanes).toHaveLength(WALL_TIME_LANES)
    expect(r.lanes[0]!.tid).toBe(1039)
    expect(r.lanes.at(-1)!.tid).toBe(1039 - WALL_TIME_LANES + 1)
  })

  it('tells a read of a pipe from one of a socket, as the kernel side marks them', () => {
    const s = new SessionStore(header, 'on', null)
    s.ingest({ k: 'p', pid: 100, ppid: 1, comm: 'tar', cmdline: ['tar'], start_ms: 0, uid: 0 })
    // bpf/syscope.h TT_ON_SHIFT: the fd's kind + 1 above bit 16 (4 a pipe, 5 a socket)
    const on = (nr: number, kind: number): number => nr | (kind << 16)
    s.ingest({
      k: 'th',
      t: 100,
      pid: 100,
      th: [
        {
          tid: 100,
          cpu: 0,
          rq: 0,
          pre: 0,
          by: [
            [on(READ, 4), 60 * MS, 0],
            [on(READ, 5), 30 * MS, 0],
            [READ, 10 * MS, 0]
          ],
          first_ns: 0
        }
      ]
    })
    s.ingest({ k: 'end', t: 100, exit_code: 0, exit_signal: null, message: null })
    const w = buildSummary(s, 'ended').proc.tree.time!
    expect(w.blocked_by).toEqual([
      { syscall: 'read', on: 'pipe', ns: 60 * MS, uninterruptible_ns: 0 },
      { syscall: 'read', on: 'socket', ns: 30 * MS, uninterruptible_ns: 0 },
      { syscall: 'read', ns: 10 * MS, uninterruptible_ns: 0 }
    ])
    expect(wallTimeSentence(w)).toMatch(/0.10 s blocked: 60 ms read on a pipe, 30 ms read on a socket, 10 ms read$/)
  })

  it('names the children a wait4 waited for longest-lived first', () => {
    const s = new SessionStore(header, 'kids', null)
    s.ingest({ k: 'p', pid: 100, ppid: 1, comm: 'make', cmdline: ['make'], start_ms: 0, uid: 0 })
    // made first, lived one tick: what make waited for least
    s.ingest({ k: 'p', pid: 102, ppid: 100, comm: 'mkdir', cmdline: ['mkdir'], start_ms: 0, uid: 0 })
    s.ingest({ k: 'p', pid: 101, ppid: 100, comm: 'clang', cmdline: ['clang'], start_ms: 0, uid: 0 })
    const WAIT4 = 61
    for (let i = 1; i <= 10; i++) {
      s.ingest({ k: 'th', t: i * 100, pid: 100, th: [{ tid: 100, cpu: 0, rq: 0, pre: 0, by: [[WAIT4, 100 * MS, 0]], ...(i === 1 ? { first_ns: 0 } : {}) }] })
      if (i === 1) s.ingest({ k: 'th', t: 100, pid: 102, th: [{ tid: 102, cpu: 50 * MS, rq: 0, pre: 0, by: [], first_ns: 50 * MS, end_ns: 100 * MS }] })
      else s.ingest({ k: 'th', t: i * 100, pid: 101, th: [{ tid: 101, cpu: 100 * MS, rq: 0, pre: 0, by: [], ...(i === 2 ? { first_ns: 100 * MS } : {}) }] })
    }
    s.ingest({ k: 'end', t: 1000, exit_code: 0, exit_signal: null, message: null })
    const wait = buildSummary(s, 'ended').proc.tree.time!.blocked_by.find((b) => b.syscall === 'wait4')!
    expect(wait.waiting_for).toEqual([
      { pid: 101, comm: 'clang', ppid: 100 },
      { pid: 102, comm: 'mkdir', ppid: 100 }
    ])
  })

  it('says who was blocked, and whom a wait4 waited for', () => {
    const s = new SessionStore(header, 'who', null)
    s.ingest({ k: 'p', pid: 100, ppid: 1, comm: 'tar', cmdline: ['tar'], start_ms: 0, uid: 0 })
    s.ingest({ k: 'p', pid: 101, ppid: 100, comm: 'gzip', cmdline: ['gzip'], start_ms: 0, uid: 0 })
    const WAIT4 = 61
    const WRITE = 1
    for (let i = 1; i <= 10; i++) {
      s.ingest({
        k: 'th',
        t: i * 100,
        pid: 100,
        th: [{ tid: 100, cpu: 10 * MS, rq: 0, pre: 0, by: [[i <= 5 ? WRITE : WAIT4, 90 * MS, 0]], ...(i === 1 ? { first_ns: 0 } : {}) }]
      })
      s.ingest({ k: 'th', t: i * 100, pid: 101, th: [{ tid: 101, cpu: 80 * MS, rq: 10 * MS, pre: 0, by: [[READ, 10 * MS, 0]] }] })
    }
    s.ingest({ k: 'end', t: 1000, exit_code: 0, exit_signal: null, message: null })
    const tree = buildSummary(s, 'ended').proc.tree.time!
    const wait = tree.blocked_by.find((b) => b.syscall === 'wait4')!
    expect(wait.processes).toEqual([{ pid: 100, comm: 'tar', ns: 450 * MS }])
    expect(wait.waiting_for).toEqual([{ pid: 101, comm: 'gzip', ppid: 100 }])
    expect(tree.blocked_by.find((b) => b.syscall === 'write')!.waiting_for).toBeUndefined()
    expect(wallTimeSentence(tree)).toBe(
      '2.00 s of thread time over 1.00 s: 0.90 s on CPU, 0.10 s waiting for a CPU, 1.00 s blocked: 0.45 s wait4 (tar waiting for gzip), 0.45 s write (tar), 0.10 s read (gzip)'
    )
  })

  it('says why there is none without the thread monitor', () => {
    const s = new SessionStore({ ...header, ebpf: { ...header.ebpf, threads: false } }, 'x', null)
    expect(wallTimeRows(s, { fromMs: 0, toMs: 100 }).unavailable).toMatch(/did not record wall time/)
    const n = new SessionStore({ ...header, ebpf: { ...header.ebpf, ready: false } }, 'y', null)
    expect(wallTimeRows(n, { fromMs: 0, toMs: 100 }).unavailable).toMatch(/needs eBPF/)
  })

  it('takes a correction (a figure sent earlier going back) and keeps the sums exact', () => {
    // the kernel found a switch onto a CPU it had not been shown: 30 ms sent as waiting in the
    // first tick were on a CPU, so the second tick's waiting goes back by 30 ms
    const th = (t: number, cpu: number, rq: number): RecordLine => ({
      k: 'th',
      t,
      pid: 100,
      th: [{ tid: 100, cpu, rq, pre: 0, by: [], ...(t === 100 ? { comm: 'main', first_ns: 0 } : {}) }]
    })
    const recs: RecordLine[] = [th(100, 50 * MS, 50 * MS), th(200, 130 * MS, -30 * MS), { k: 'end', t: 200, exit_code: 0, exit_signal: null, message: null }]
    for (const r of recs) expect(checkRecord(JSON.parse(JSON.stringify(r))), JSON.stringify(r)).not.toBeNull()
    const s = new SessionStore(header, 'c', null)
    for (const r of recs) s.ingest(r)
    const time = buildSummary(s, 'ended').proc.tree.time!
    expect(time.on_cpu_ns).toBe(180 * MS)
    expect(time.runqueue_ns).toBe(20 * MS)
    expect(time.on_cpu_ns + time.runqueue_ns + time.blocked_ns).toBe(time.wall_ns)
    expect(time.wall_ns).toBe(200 * MS)
  })

  it('splits time on a CPU into user and system where the records say (the timed mode), else null', () => {
    // a thread 100 ms on a CPU a tick, 30 ms of it in syscalls, for ten ticks
    const recs: RecordLine[] = []
    for (let i = 1; i <= 10; i++)
      recs.push({
        k: 'th',
        t: i * 100,
        pid: 100,
        th: [{ tid: 100, cpu: 100 * MS, rq: 0, pre: 0, sys: 30 * MS, by: [], ...(i === 1 ? { comm: 'main', first_ns: 0 } : {}) }]
      })
    recs.push({ k: 'end', t: 1000, exit_code: 0, exit_signal: null, message: null })
    const s = new SessionStore(header, 's', null)
    for (const r of recs) s.ingest(r)
    const whole = buildSummary(s, 'ended').proc.tree.time!
    expect(whole.on_cpu_system_ns).toBe(300 * MS)
    expect(whole.on_cpu_user_ns).toBe(700 * MS)
    expect(wallTimeSentence(whole)).toMatch(/1\.00 s on CPU \(0\.70 s user, 0\.30 s in syscalls\)/)
    // a range: what grew in it (its ends on kept changes, THREAD_STEP_MS apart)
    const r = wallTimeRows(s, { fromMs: 0, toMs: 500 }).tree!
    expect(r.on_cpu_system_ns! / r.on_cpu_ns).toBeCloseTo(0.3, 6)
    expect(r.on_cpu_system_ns! + r.on_cpu_user_ns!).toBe(r.on_cpu_ns)
    // records without `sys` (the counts-only mode): not known, not 0
    const old = storeOf()
    expect(buildSummary(old, 'ended').proc.tree.time!.on_cpu_system_ns).toBeNull()
    expect(wallTimeRows(old, { fromMs: 0, toMs: 1e12 }).tree!.on_cpu_user_ns).toBeNull()
    expect(wallTimeSentence(buildSummary(old, 'ended').proc.tree.time!)).toMatch(/ s on CPU, /)
  })
})

describe('wallTimeSentence', () => {
  const MS = 1e6
  const w = (by: [string, number][]): Parameters<typeof wallTimeSentence>[0] => {
    const blocked = by.reduce((n, [, ns]) => n + ns, 0)
    return {
      wall_ns: blocked + 520 * MS,
      elapsed_ns: null,
      on_cpu_ns: 500 * MS,
      on_cpu_system_ns: null,
      on_cpu_user_ns: null,
      runqueue_ns: 20 * MS,
      runqueue_preempted_ns: 0,
      blocked_ns: blocked,
      blocked_uninterruptible_ns: 0,
      blocked_by: by.map(([syscall, ns]) => ({ syscall, ns, uninterruptible_ns: 0 }))
    }
  }

  it('names parts of 1 % of the blocked time or more, short ones in ms, and no "0.00 s" part', () => {
    const s = wallTimeSentence(
      w([
        ['read', 1000 * MS],
        ['futex', 310 * MS],
        ['wait4', 45 * MS],
        ['poll', 12 * MS],
        ['newfstatat', 1 * MS],
        ['close', 2 * MS]
      ])
    )
    // 1 % is 13.7 ms: poll, newfstatat and close are under it, and together over it
    expect(s).toContain('1.37 s blocked: 1.00 s read, 0.31 s futex, 45 ms wait4, 15 ms else')
    expect(s).not.toMatch(/0\.00 s|newfstatat/)
  })

  it('gives a short run in ms, not "0.00 s"', () => {
    const short = { ...w([['getdents64', 0.2 * MS]]), wall_ns: 8.2 * MS, elapsed_ns: 9.5 * MS, on_cpu_ns: 8 * MS, runqueue_ns: 0 }
    expect(wallTimeSentence(short)).toBe('8.2 ms of thread time over 9.5 ms: 8.0 ms on CPU, 0 s waiting for a CPU, 0.2 ms blocked: 0.2 ms getdents64')
  })

  it('says nothing of a rest under 1 %', () => {
    expect(
      wallTimeSentence(
        w([
          ['read', 990 * MS],
          ['close', 1 * MS],
          ['poll', 8 * MS]
        ])
      )
    ).toMatch(/1\.00 s blocked: 0\.99 s read$/)
  })
})
