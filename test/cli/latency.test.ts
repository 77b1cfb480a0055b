// Syscall latency end to end, through `syscope record --json`: the histograms of sleeps of known
// length, the slowest calls of a known set with what they waited on, the failures by errno as
// strace sees them, and the counts-only mode (calls and errors, no clock).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { projectRoot } from '../../src/main/paths'
import { bucketOf, bucketUpper } from '../../src/shared/histogram'
import type { Summary, SyscallSummaryEntry } from '../../src/main/types/summary'
import { buildCli, helperIn, runCli } from './harness'
import { mountTracefs } from '../helper/harness'

let dir: string
let latency: string
let env: Record<string, string>
beforeAll(() => {
  buildCli()
  dir = mkdtempSync(join(tmpdir(), 'syscope-latency-'))
  chmodSync(dir, 0o755)
  latency = join(dir, 'latency')
  execFileSync('cc', ['-O2', '-pthread', '-o', latency, join(projectRoot(), 'test', 'helper', 'workloads', 'latency.c')])
  env = { XDG_DATA_HOME: join(dir, 'data') }
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let runs = 0
function record(args: string[], argv: string[], helper: Record<string, string> = {}): Summary {
  const out = join(dir, `run-${++runs}.syscope`)
  const r = runCli(['record', '--json', '--no-tty', '--out', out, ...args, '--', ...argv], { ...env, ...helper }, 120_000)
  expect(r.status, r.stderr).toBe(0)
  const s = JSON.parse(r.stdout) as Summary
  expect(s.ebpf.available, `${s.ebpf.problem} ${r.stderr}`).toBe(true)
  return s
}

const row = (s: Summary, name: string): SyscallSummaryEntry | undefined => s.ebpf.syscalls.per_syscall.find((r) => r.name === name)

describe('syscall latency (timed mode)', () => {
  it('puts sleeps of 1, 10 and 100 ms in the buckets of their durations, with exact extremes', () => {
    const measured = join(dir, 'sleeps.txt')
    // every call of the run is among the 1000 slowest kept: each one's own duration is known
    const s = record(['--slowest', '1000'], [latency, 'sleeps', measured])
    expect(s.ebpf.mode).toBe('timed')
    const user = readFileSync(measured, 'utf8').trim().split('\n').map(Number)
    expect(user).toHaveLength(33)
    const r = row(s, 'clock_nanosleep') ?? row(s, 'nanosleep')!
    expect(r.count).toBe(33)
    const calls = (s.ebpf.slowest_calls ?? []).filter((c) => c.syscall === r.name)
    expect(calls).toHaveLength(33)
    // each call took at least what it asked for and at most what the workload measured around
    // it; so do the i-th shortest of each (calls in one ms cannot be told apart by their t_ms)
    const asked = [...Array<number>(20).fill(1e6), ...Array<number>(10).fill(10e6), ...Array<number>(3).fill(100e6)]
    const ascending = (xs: number[]): number[] => [...xs].sort((a, b) => a - b)
    const kernel = ascending(calls.map((c) => c.duration_ns))
    const around = ascending(user)
    kernel.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(asked[i]!)
      expect(d).toBeLessThanOrEqual(around[i]!)
    })
    // the histogram holds each call in the bucket of its duration
    const expected = new Map<number, number>()
    for (const c of calls) expected.set(bucketUpper(bucketOf(c.duration_ns)), (expected.get(bucketUpper(bucketOf(c.duration_ns))) ?? 0) + 1)
    expect(new Map(r.hist!.map((h) => [h.le_ns, h.count]))).toEqual(expected)
    // a 100 ms sleep is in (2^26, 2^27] ns unless it overslept by a third
    expect(r.hist!.find((h) => h.le_ns === 2 ** 27)?.count ?? 0).toBe(calls.filter((c) => c.duration_ns > 2 ** 26 && c.duration_ns <= 2 ** 27).length)
    // the extremes are those of the calls themselves
    expect(r.min_ns).toBe(Math.min(...calls.map((c) => c.duration_ns)))
    expect(r.max_ns).toBe(Math.max(...calls.map((c) => c.duration_ns)))
    // the quantiles within them, ordered; the median a 1 ms sleep (20 of 33), p99 a 100 ms one
    expect(r.min_ns!).toBeLessThanOrEqual(r.p50_ns!)
    expect(r.p50_ns!).toBeLessThanOrEqual(r.p90_ns!)
    expect(r.p90_ns!).toBeLessThanOrEqual(r.p99_ns!)
    expect(r.p99_ns!).toBeLessThanOrEqual(r.max_ns!)
    expect(r.p50_ns!).toBeLessThan(10e6)
    expect(r.p99_ns!).toBeGreaterThanOrEqual(100e6)
    expect(r.mean_ns).toBe(Math.round(r.time_ns! / r.count))
    // per process too: it is the one process (its row leaves the histogram out, not what it gives)
    const p = s.ebpf.syscalls.per_process[0]!.per_syscall.find((x) => x.name === r.name)!
    expect(p).toMatchObject({ count: r.count, min_ns: r.min_ns, max_ns: r.max_ns, p50_ns: r.p50_ns, p99_ns: r.p99_ns, hist: null })
  })

  it('lists the slowest calls first, with what each waited on', () => {
    const facts = join(dir, 'slowset.txt')
    const s = record([], [latency, 'slowset', facts])
    const known = Object.fromEntries(
      readFileSync(facts, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ') as [string, string])
    )
    const slow = s.ebpf.slowest_calls!
    expect(slow.length).toBeGreaterThan(4)
    const top = slow.slice(0, 4)
    expect(top.map((c) => c.syscall)).toEqual(['read', 'futex', 'clock_nanosleep', 'wait4'])
    // longest first, each about as long as the work that woke it
    for (let i = 1; i < slow.length; i++) expect(slow[i - 1]!.duration_ns).toBeGreaterThanOrEqual(slow[i]!.duration_ns)
    expect(top[0]!.duration_ns).toBeGreaterThanOrEqual(400e6)
    expect(top[1]!.duration_ns).toBeGreaterThanOrEqual(300e6)
    expect(top[2]!.duration_ns).toBeGreaterThanOrEqual(200e6)
    expect(top[3]!.duration_ns).toBeGreaterThanOrEqual(100e6)
    expect(top[0]!.target).toBe(`pipe:[${known.pipe}]`)
    expect(top[1]!.target).toBe(`futex ${known.futex}`)
    expect(top[2]!.target).toBeNull()
    expect(top[3]!.target).toBe(`child pid ${known.child} (latency)`)
    expect(top[3]!.ret).toBe(Number(known.child))
    // the fork that made that child names it too
    const fork = slow.find((c) => (c.syscall === 'clone' || c.syscall === 'clone3' || c.syscall === 'fork') && c.ret === Number(known.child))
    expect(fork?.target).toBe(`child pid ${known.child} (latency)`)
    // all four were the main thread's
    const root = s.session.root_pid
    expect(top.every((c) => c.pid === root && c.tid === root)).toBe(true)
    // the text summary lists them, with who made each
    const text = runCli(['summary', s.session.recording!], env)
    expect(text.stdout).toMatch(new RegExp(`slowest calls[\\s\\S]*read\\s+[\\d.]+ ms\\s+[\\d.]+ s\\s+latency ${root}\\s+pipe:\\[`))
  })

  for (const mode of ['tp_btf', 'raw_tp', 'tracepoint'] as const)
    it(`names what a poll or a select waited on: the fd that was ready, else the first (${mode})`, () => {
      const unmount = mode === 'tracepoint' ? mountTracefs() : () => {}
      try {
        const facts = join(dir, `waits-${mode}.txt`)
        const s = record([], [latency, 'waits', facts], { SYSCOPE_HELPER: helperIn(dir, mode) })
        expect(s.ebpf.attach).toBe(mode)
        const ino = Object.fromEntries(
          readFileSync(facts, 'utf8')
            .trim()
            .split('\n')
            .map((l) => l.split(' ') as [string, string])
        )
        // the four waits of at least 150 ms, in the order they were made; nothing else blocks
        const waits = s.ebpf.slowest_calls!.filter((c) => c.duration_ns >= 150e6).sort((a, b) => a.t_ms - b.t_ms)
        expect(waits.map((c) => c.syscall)).toEqual([
          expect.stringMatching(/^p?poll$/),
          expect.stringMatching(/^p?select6?$/),
          'pselect6',
          expect.stringMatching(/^p?poll$/)
        ])
        const [poll, select, interrupted, timedOut] = waits
        // poll of -1, an eventfd, an idle pipe and the pipe written: the ready one, 2 others
        expect(poll).toMatchObject({ ret: 1, target: `pipe:[${ino.ready}] and 2 more fds` })
        // select returns the ready ones alone in its sets
        expect(select).toMatchObject({ ret: 1, target: `pipe:[${ino.ready}]` })
        // a signal ended it: its sets as given, the lower fd (the pipe made first) named
        expect(interrupted).toMatchObject({ errno: 'ERESTARTNOHAND', target: `pipe:[${ino.idle}] and 1 more fd` })
        // timed out: what it waited on
        expect(timedOut).toMatchObject({ ret: 0, target: `pipe:[${ino.idle3}]` })
      } finally {
        unmount()
      }
    })

  it("names a call's file without --detail, after its fd was closed", () => {
    // ls opens the directory, lists it, closes it and exits: its fd is gone long before the
    // app could look at /proc/PID/fd, and every one of its calls is among the 1000 kept
    const listed = join(dir, 'a-directory-listed')
    mkdirSync(listed)
    const s = record(['--slowest', '1000'], ['ls', '-f', listed])
    const lists = s.ebpf.slowest_calls!.filter((c) => c.syscall === 'getdents64')
    expect(lists.length).toBeGreaterThan(0)
    // as the kernel side saw it (the directory's own name), or in the rare case that a tick
    // came between the listing and the close, /proc's whole path: never a bare "fd 3"
    for (const c of lists) expect([`…/${basename(listed)}`, listed]).toContain(c.target)
    // a pipe is named exactly either way: ls's output went to one only in a shell
    const piped = record(['--slowest', '1000'], ['sh', '-c', `ls -f ${listed} | cat`])
    const writes = piped.ebpf.slowest_calls!.filter((c) => c.syscall === 'write' && c.pid !== piped.session.root_pid)
    expect(writes.some((c) => /^pipe:\[\d+\]$/.test(c.target ?? ''))).toBe(true)
  })

  it("names a slow close's socket with --detail, though its fd is gone by the call's end", () => {
    // a close that lingers about 1 s over unsent data: the slowest call of the run
    const facts = join(dir, 'linger.txt')
    const s = record(['--detail', '--slowest', '10'], [latency, 'linger', facts])
    const port = Number(/^port (\d+)$/m.exec(readFileSync(facts, 'utf8'))![1])
    const top = s.ebpf.slowest_calls![0]!
    expect(top).toMatchObject({ syscall: 'close', ret: 0, target: `tcp 127.0.0.1:${port}` })
    expect(top.duration_ns).toBeGreaterThan(0.5e9)
  })

  it('breaks errors down by errno as strace -f -Z sees them', () => {
    const log = join(dir, 'strace-errors.log')
    execFileSync('strace', ['-f', '-Z', '-qq', '-o', log, latency, 'errors'])
    // name(args) = -1 ENOENT (...), or = ? ERESTARTNOHAND (...) for a call a signal ended: per
    // syscall, per errno
    const strace = new Map<string, Record<string, number>>()
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      const m = /^(?:\d+ +)?(\w+)\(.*\) += (?:-1|\?) (E[A-Z0-9]+) /.exec(line)
      if (!m) continue
      const e = strace.get(m[1]!) ?? {}
      e[m[2]!] = (e[m[2]!] ?? 0) + 1
      strace.set(m[1]!, e)
    }
    expect(strace.get('openat')?.ENOENT).toBeGreaterThanOrEqual(377)
    for (const mode of [[], ['--counts-only']]) {
      const s = record(mode, [latency, 'errors'])
      const ours = new Map<string, Record<string, number>>()
      for (const r of s.ebpf.syscalls.per_syscall) if (Object.keys(r.errnos ?? {}).length) ours.set(r.name, r.errnos!)
      expect(Object.fromEntries(ours)).toEqual(Object.fromEntries(strace))
      expect(row(s, 'read')!.errnos).toEqual({ EAGAIN: 12 })
      expect(row(s, 'close')!.errnos).toEqual({ EBADF: 5 })
      // rt_sigreturn leaves no syscall number at its exit: counts-only counts it all the same
      expect(row(s, 'pause')).toMatchObject({ count: 3, errnos: { ERESTARTNOHAND: 3 } })
      expect(row(s, 'rt_sigreturn')).toMatchObject({ count: 3, errnos: { EINTR: 3 } })
      expect(s.session.warnings.filter((w) => /cannot count/.test(w))).toEqual([])
      // every failure has its errno
      for (const r of s.ebpf.syscalls.per_syscall) expect(Object.values(r.errnos!).reduce((a, b) => a + b, 0)).toBe(r.errors)
    }
  })
})

describe('the counts-only mode', () => {
  it('counts calls and errors with no clock: no times, histograms or slowest calls', () => {
    const s = record(['--counts-only'], [latency, 'errors'])
    expect(s.ebpf.mode).toBe('counts')
    expect(s.ebpf.attach).toBe('tp_btf')
    expect(s.ebpf.syscalls.time_ns).toBeNull()
    expect(s.ebpf.syscalls.time_ns_by_category).toBeNull()
    expect(s.ebpf.slowest_calls).toBeNull()
    const open = row(s, 'openat')!
    expect(open.errors).toBeGreaterThanOrEqual(377)
    expect(open).toMatchObject({ time_ns: null, mean_ns: null, hist: null, min_ns: null, max_ns: null, p50_ns: null, p99_ns: null })
    expect(s.proc.processes[0]!.syscall_time_ns).toBeNull()
    // the calls that never return are counted as the process ends
    expect(row(s, 'exit_group')?.count).toBe(1)
    const text = runCli(['summary', s.session.recording!], env)
    expect(text.stdout).toMatch(/counts only: no times/)
  })

  it('refuses what needs the timed mode, saying why', () => {
    const slow = runCli(['record', '--counts-only', '--slowest', '5', '--', 'true'], env)
    expect(slow.status).toBe(2)
    expect(slow.stderr).toMatch(/--slowest needs the timed mode/)
  })
})
