// The session store answers from its compressed columns exactly what the record lines it was fed
// say: every process row of every tick as written (unavailable stays null, 0 stays 0), the tree's
// figures, and range breakdowns that are the sums of the lines in the range.
import { describe, expect, it } from 'vitest'
import { SessionStore } from '../../src/main/store/store'
import { buildSummary } from '../../src/main/analysis/summary'
import { syscallCategory, syscallName } from '../../src/shared/syscalls/index'
import type { CategoryId } from '../../src/shared/contract'
import {
  PROCESS_COLUMNS,
  RECORDING_FORMAT,
  RECORDING_VERSION,
  ROW_INDEX,
  type RecordLine,
  type RecordingHeader,
  type TreeRecord
} from '../../src/main/types/recording-format'

const header: RecordingHeader = {
  format: RECORDING_FORMAT,
  version: RECORDING_VERSION,
  created_ms: 1_700_000_000_000,
  title: 'store',
  kind: 'launch',
  argv: ['x'],
  cwd: '/',
  root_pid: 100,
  interval_ms: 100,
  arch: 'x86_64',
  kernel: '6.0',
  ebpf: { ready: true, mode: 'tp_btf', helperPath: null, helperReason: null, problem: null, fix: null },
  process_columns: [...PROCESS_COLUMNS]
}

type Row = (number | null)[]
const TICKS = 1500
const COLS = PROCESS_COLUMNS.length

/** A process's row at tick i: figures that hold still, move in steps, or jump about. */
function row(pid: number, i: number): Row {
  const busy = pid % 3 === 0
  return [
    pid,
    i === 0 ? null : busy ? ((i * pid) % 17) * 1.37 : 0,
    i === 0 ? null : busy ? ((i * 7) % 5) / 3 : 0,
    4096 * (1000 + pid + Math.floor(i / 30)),
    pid % 4 === 0 ? null : 4096 * (800 + pid),
    ...Array.from({ length: COLS - 4 }, (_, c) => (c === 3 ? null : c % 2 ? i * c : (c + pid) % 3))
  ]
}

/** Pids alive at tick i: ten for the whole session, and some that come and go. */
function pids(i: number): number[] {
  const alive = Array.from({ length: 10 }, (_, k) => 100 + k)
  if (i % 200 < 30) alive.splice(3, 0, 500 + Math.floor(i / 200))
  return alive
}

function* session(): Generator<RecordLine> {
  for (const pid of [100, 101]) yield { k: 'p', pid, ppid: 1, comm: `p${pid}`, cmdline: [], start_ms: 0, uid: 1000 }
  for (let i = 0; i < TICKS; i++) {
    const t = (i + 1) * 100 + (i % 3)
    for (const pid of pids(i))
      if ((i + pid) % 4 === 0)
        yield {
          k: 'c',
          t,
          pid,
          sys: [
            [(pid + i) % 7, 1 + (i % 13), i % 5 === 0 ? 1 : 0, 1000 + i],
            [257, 2, 0, 10]
          ]
        }
    const rows = pids(i).map((pid) => row(pid, i))
    // now and then the same process twice (never from the sampler), and a row without a pid
    if (i % 250 === 7)
      rows.push(
        row(100, i).map((v, c) => (c === 0 ? v : c)),
        [null, ...row(1, i).slice(1)]
      )
    yield {
      k: 's',
      t,
      tree: {
        cpu_pct: i ? i % 50 : null,
        rss_bytes: 1 << 30,
        pss_bytes: null,
        read_bytes_per_s: 0,
        write_bytes_per_s: i / 7,
        threads: 12,
        fds: null,
        processes: rows.length,
        cpu_seconds: i / 100,
        read_bytes: 0,
        write_bytes: 0
      },
      p: rows,
      gap: i % 400 > 390
    }
  }
}

const lines = [...session()]
const samples = lines.filter((l): l is Extract<RecordLine, { k: 's' }> => l.k === 's')
const store = new SessionStore(header, 's', null)
for (const l of lines) store.ingest(l)

describe('the session store', () => {
  it('gives back every process row of every tick as it was written', () => {
    expect(store.tickCount).toBe(TICKS)
    samples.forEach((s, i) => {
      const want = s.p.map((r) => Object.fromEntries([['pid', r[0] ?? 0], ...PROCESS_COLUMNS.map((c, k) => [c, r[k + 1] ?? null])]))
      expect(store.processPoints(i), `tick ${i}`).toEqual(want)
    })
    // and the same read tick after tick, as a live view catches up
    expect(store.tickBatch(TICKS - 600).processes.map((p) => p.points)).toEqual(samples.slice(TICKS - 600).map((_, k) => store.processPoints(TICKS - 600 + k)))
  })

  it('keeps unavailable apart from 0', () => {
    const first = store.processPoints(0)[0]!
    expect(first.cpu_user_pct).toBeNull()
    expect(first.pss_bytes).toBeNull()
    const later = store.processPoints(1)[1]!
    expect(later.cpu_user_pct).toBe(0)
    expect(store.treePoint(0).cpu_pct).toBeNull()
    expect(store.treePoint(1).fds).toBeNull()
    expect(store.treePoint(1).read_bytes_per_s).toBe(0)
  })

  it('gives each tick its time, figures, gap and syscall rates', () => {
    samples.forEach((s, i) => {
      const p = store.treePoint(i)
      expect(p.t_ms).toBe(s.t)
      expect(store.tickTime(i)).toBe(s.t)
      expect(p.syscall_gap).toBe(s.gap)
      expect(p.threads).toBe(12)
      expect(p.processes).toBe(s.p.length)
    })
    // syscalls per second by category: the tick's counts over its interval
    for (const i of [4, 5, 777]) {
      const seconds = (store.tickTime(i) - store.tickTime(i - 1)) / 1000
      const byCategory: Record<string, number> = {}
      for (const l of lines) {
        if (l.k !== 'c' || l.t !== samples[i]!.t) continue
        for (const [nr, c] of l.sys) {
          const category = syscallCategory(syscallName('x86_64', nr))
          byCategory[category] = (byCategory[category] ?? 0) + c / seconds
        }
      }
      expect(Object.keys(byCategory).length).toBeGreaterThan(0)
      for (const [category, rate] of Object.entries(byCategory)) expect(store.treePoint(i).syscalls_per_s[category as CategoryId]).toBeCloseTo(rate, 0)
    }
  })

  it('answers a range breakdown with the sums of the lines in it', () => {
    const [lo, hi] = [333, 1111]
    const from = samples[lo - 1]!.t + 1
    const to = samples[hi - 1]!.t
    const inRange = (t: number): boolean => t >= from && t <= to
    const calls = new Map<number, number>()
    let total = 0
    let errors = 0
    for (const l of lines) {
      if (l.k !== 'c' || !inRange(l.t)) continue
      for (const [, c, e] of l.sys) {
        calls.set(l.pid, (calls.get(l.pid) ?? 0) + c)
        total += c
        errors += e
      }
    }
    const b = store.breakdown(from, to)
    expect(b.total_calls).toBe(total)
    expect(b.total_errors).toBe(errors)
    for (const p of b.processes) expect(p.syscalls, `pid ${p.pid}`).toBe(calls.get(p.pid) ?? 0)
    // CPU means and peaks over the rows where both halves were read; RSS peaks over every row
    const rows = samples.slice(lo, hi).flatMap((s) => s.p.filter((r) => r[0] === 103))
    const cpu = rows.filter((r) => r[1] !== null && r[2] !== null).map((r) => r[1]! + r[2]!)
    const p103 = b.processes.find((p) => p.pid === 103)!
    expect(p103.cpu_pct_mean).toBeCloseTo(cpu.reduce((a, x) => a + x, 0) / cpu.length, 9)
    // CPU time: each sample's CPU % over its own interval (the time since the tick before it)
    let seconds = 0
    for (let i = lo; i < hi; i++)
      for (const r of samples[i]!.p) {
        const [pid, user, system] = r
        if (pid === 103 && typeof user === 'number' && typeof system === 'number')
          seconds += ((user + system) / 100) * ((samples[i]!.t - samples[i - 1]!.t) / 1000)
      }
    expect(p103.cpu_seconds).toBeCloseTo(seconds, 9)
    expect(p103.cpu_pct_peak).toBe(Math.max(...cpu))
    expect(p103.rss_peak_bytes).toBe(Math.max(...rows.map((r) => r[3]!)))
    // a process gone before the range has no row in it
    expect(b.processes.some((p) => p.pid === 500)).toBe(false)
  })

  it('draws a line for every process with rows, in the order they first appeared', () => {
    const snap = store.snapshot('running', 2000)
    const seen: number[] = []
    for (const s of samples) for (const r of s.p) if (typeof r[0] === 'number' && !seen.includes(r[0])) seen.push(r[0])
    expect(snap.processes.map((p) => p.pid)).toEqual(seen)
    const p100 = snap.processes[0]!
    // the first row's CPU could not be read: unavailable, not 0
    expect(p100.cpu_pct[0]).toBeNull()
    expect(p100.t_ms.length).toBeLessThanOrEqual(500)
  })

  it('sums each process over all its rows for the summary', () => {
    const s = buildSummary(store, 'ended')
    const p104 = s.proc.processes.find((p) => p.pid === 104)!
    const rows = samples.flatMap((x) => x.p.filter((r) => r[0] === 104))
    expect(p104.peak_rss_bytes).toBe(Math.max(...rows.map((r) => r[3]!)))
    // PSS of pid 104 could never be read
    expect(p104.peak_pss_bytes).toBeNull()
    expect(s.session.samples).toBe(TICKS)
  })
})

describe('a process that exits between samples', () => {
  // make -j's cc: sampled once at 0 ms of CPU (clock ticks of 10 ms), then 8 ms more before it
  // exits; its exit's figures (the helper's, exact) say so
  const tree = (processes: number): TreeRecord => ({
    cpu_pct: null,
    rss_bytes: null,
    pss_bytes: null,
    read_bytes_per_s: null,
    write_bytes_per_s: null,
    threads: null,
    fds: null,
    processes,
    cpu_seconds: null,
    read_bytes: null,
    write_bytes: null
  })
  const at = (t: number, cpu: number, rchar: number): RecordLine => {
    const r: (number | null)[] = [300, ...PROCESS_COLUMNS.map(() => 0)]
    r[ROW_INDEX.cpu_seconds] = cpu
    r[ROW_INDEX.rchar_bytes] = rchar
    r[ROW_INDEX.wchar_bytes] = 0
    return { k: 's', t, tree: tree(1), p: [r], gap: false }
  }
  const store = new SessionStore(header, 'exit-between', null)
  store.ingest({ k: 'p', pid: 300, ppid: 1, comm: 'cc', cmdline: [], start_ms: 50, uid: 1000 })
  store.ingest(at(100, 0, 4096))
  store.ingest({ k: 'e', ev: { kind: 'exit', t_ms: 180, pid: 300, code: 0, signal: null, io: [69632, 2048, null, null], cpu_seconds: 0.008 } })
  store.ingest({ k: 's', t: 200, tree: tree(0), p: [], gap: false })

  it('has in its range row what it did after its last sample, from its exit', () => {
    const p = store.breakdown(0, Number.MAX_SAFE_INTEGER).processes.find((x) => x.pid === 300)!
    expect(p.cpu_seconds).toBeCloseTo(0.008, 9)
    // its logical I/O: the sampled rate's bytes (none: the first row has no rate) and the rest
    expect(p.read_bytes).toBe(69632 - 4096)
    expect(p.write_bytes).toBe(2048)
  })

  it('has none of it in a range that ends before its exit', () => {
    const p = store.breakdown(0, 150).processes.find((x) => x.pid === 300)!
    expect(p.cpu_seconds).toBe(0)
  })
})

describe('a range whose ticks came late', () => {
  // a loaded machine: the tick due at 300 ms came at 400, so that sample's rates span 200 ms
  const sample = (t: number): RecordLine => {
    const r: (number | null)[] = [400, ...PROCESS_COLUMNS.map(() => 0)]
    r[ROW_INDEX.cpu_user_pct] = 30
    r[ROW_INDEX.cpu_system_pct] = 20
    r[ROW_INDEX.read_bytes_per_s] = 1000
    r[ROW_INDEX.write_bytes_per_s] = 10
    return {
      k: 's',
      t,
      tree: {
        cpu_pct: 50,
        rss_bytes: null,
        pss_bytes: null,
        read_bytes_per_s: 1000,
        write_bytes_per_s: 10,
        threads: 1,
        fds: null,
        processes: 1,
        cpu_seconds: null,
        read_bytes: null,
        write_bytes: null
      },
      p: [r],
      gap: false
    }
  }
  const store = new SessionStore(header, 'late', null)
  store.ingest({ k: 'p', pid: 400, ppid: 1, comm: 'busy', cmdline: [], start_ms: 0, uid: 1000 })
  for (const t of [100, 200, 400, 500]) store.ingest(sample(t))

  it('weighs each sample by the time since the tick before it, not the nominal interval', () => {
    const p = store.breakdown(0, 500).processes.find((x) => x.pid === 400)!
    // half a CPU for 500 ms; 1000 and 10 bytes a second for 500 ms
    expect(p.cpu_seconds).toBeCloseTo(0.25, 9)
    expect(p.read_bytes).toBeCloseTo(500, 9)
    expect(p.write_bytes).toBeCloseTo(5, 9)
    expect(p.cpu_pct_mean).toBeCloseTo(50, 9)
  })
})
