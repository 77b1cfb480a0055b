// Every thread's wall time explained, end to end through `syscope record --json`: a workload whose
// threads each have a known part (300 ms of CPU, 500 ms in nanosleep, 400 ms blocked in read on a
// pipe, a futex wait, two spinners pinned to one CPU waiting for it), measured by the threads
// themselves (their CPU clocks; a call's duration less what the kernel's scheduler statistics
// say it spent on a CPU or waiting for one), against what the kernel side accounted, in tp_btf
// and raw_tp modes, on a quiet and on a busy machine; and the classic tracepoint mode, which has
// no sched_switch hook: unavailable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../src/main/paths'
import type { Summary, WallTime } from '../../src/main/types/summary'
import { CLI, buildCli, helperIn, runCli, ticksOnDisk } from './harness'
import { threadStates } from '../../src/main/proc/thread-states'
import { until } from '../util/until'
import { mountTracefs } from '../helper/harness'

let dir: string
let workload: string
let env: Record<string, string>
beforeAll(() => {
  buildCli()
  dir = mkdtempSync(join(tmpdir(), 'syscope-wall-'))
  chmodSync(dir, 0o755)
  workload = join(dir, 'wallparts')
  execFileSync('cc', ['-O2', '-pthread', '-o', workload, join(projectRoot(), 'test', 'helper', 'workloads', 'wallparts.c')])
  env = { XDG_DATA_HOME: join(dir, 'data') }
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Fact {
  name: string
  tid: number
  part: string
  ns: number
}

let runs = 0
function record(mode: 'tp_btf' | 'raw_tp' | 'tracepoint', args: string[] = []): { s: Summary; facts: Fact[] } {
  const n = ++runs
  const facts = join(dir, `facts-${n}.txt`)
  const r = runCli(
    ['record', '--json', '--no-tty', '--out', join(dir, `run-${n}.syscope`), ...args, '--', workload, facts],
    { ...env, SYSCOPE_HELPER: helperIn(dir, mode) },
    120_000
  )
  expect(r.status, r.stderr).toBe(0)
  const lines = readFileSync(facts, 'utf8').trim().split('\n')
  return { s: JSON.parse(r.stdout) as Summary, facts: lines.map((l) => JSON.parse(l) as Fact) }
}

const by = (w: WallTime, syscall: string): number => w.blocked_by.find((b) => b.syscall === syscall)?.ns ?? 0
/** the workload's nanosleep is glibc's, which makes clock_nanosleep on x86_64 and aarch64 */
const sleepCall = (w: WallTime): number => by(w, 'clock_nanosleep') + by(w, 'nanosleep')

function expectWithin(actual: number, known: number, fraction: number, what: string): void {
  expect(Math.abs(actual - known), `${what}: ${actual} ns against ${known} ns`).toBeLessThanOrEqual(known * fraction)
}

/** Every part within 5 % of what the thread measured, and every thread's parts summing to its life. */
function checkParts(s: Summary, facts: Fact[]): void {
  const p = s.proc.processes[0]!
  expect(p.time, 'the process has its wall time').toBeTruthy()
  // switches the kernel did not show are filled in and counted (a note, not a warning); every
  // thread was born in the session, so none was first seen late
  expect(s.ebpf.filled_in).toMatchObject({ switches: expect.any(Number), late_threads: 0 })
  expect(s.session.warnings).toEqual([])
  const threads = p.threads!
  const thread = (name: string) => {
    const tid = facts.find((f) => f.name === name)!.tid
    const t = threads.find((x) => x.tid === tid)
    expect(t, `thread ${name} (${tid}) is in the summary`).toBeTruthy()
    expect(t!.comm).toBe(name)
    return t!.time
  }
  const fact = (name: string, part: string) => facts.find((f) => f.name === name && f.part === part)!.ns
  // what each one did: the measured part, and the reason named for the right thread
  expectWithin(
    thread('spin').on_cpu_ns,
    fact('spin', 'on_cpu'),
    0.05,
    `spin on CPU (${JSON.stringify(thread('spin'))}; warnings ${JSON.stringify(s.session.warnings)})`
  )
  // The kernel's own figures are the reference, but not always sound: once in 176 runs beside
  // busy loops its run delay (with its run time) grew by 498.8 ms across the sleeper's 500 ms
  // nanosleep (6.18's scheduler), so the call's blocked part read 1.3 ms, though a nanosleep
  // sleeps at least what it asks; and a CI run's kernel wait in that call, 5 ms above ours, was
  // likely the same. Where the reference says the sleeper slept less than it
  // asked, ours is held to the sleep itself instead, and the wait in its call is not compared.
  // (a sound reference reads within a few hundred µs of the sleep: 499.86 ms beside busy loops)
  const sleptAtLeast = 500e6 - 50e3
  const sound = fact('sleeper', 'nanosleep') >= 499e6
  if (sound) expectWithin(sleepCall(thread('sleeper')), fact('sleeper', 'nanosleep'), 0.05, 'sleeper in nanosleep')
  else {
    console.warn(
      `the kernel's run delay counted the sleeper's sleep as waiting (blocked ${fact('sleeper', 'nanosleep')} ns of a 500 ms nanosleep): its figures are not compared`
    )
    expect(sleepCall(thread('sleeper')), `sleeper in nanosleep (${JSON.stringify(thread('sleeper'))})`).toBeGreaterThanOrEqual(sleptAtLeast)
  }
  expectWithin(by(thread('reader'), 'read'), fact('reader', 'read'), 0.05, 'reader in read')
  expectWithin(by(thread('futexw'), 'futex'), fact('futexw', 'futex'), 0.05, 'futexw in futex')
  // a thousand short runs between sleeps: its clock, which starts when the kernel picks it
  expectWithin(thread('napper').on_cpu_ns, fact('napper', 'on_cpu'), 0.05, `napper on CPU (${JSON.stringify(thread('napper'))})`)
  // a woken thread's wait for a CPU before its call returned is waiting, not blocked. Less a
  // few µs for its one wakeup: the kernel's run delay (the workload's figure) starts at the
  // enqueue, ours at the sched_wakeup tracepoint after it, on another clock (in 120 calls beside
  // busy loops, ours was up to 17 µs shorter: a reschedule IPI between the two is a VM exit
  // here; 50 µs allowed, against waits of milliseconds when the wakeup is misread)
  for (const name of sound ? ['sleeper', 'reader', 'futexw'] : ['reader', 'futexw'])
    expect(
      thread(name).runqueue_ns,
      `${name} waited for a CPU in its call (${JSON.stringify(thread(name))}; filled in ${JSON.stringify(s.ebpf.filled_in)})`
    ).toBeGreaterThanOrEqual(fact(name, 'call_runqueue') * 0.95 - 50_000)
  expect(thread('sleeper').blocked_by[0]!.syscall).toMatch(/^(clock_)?nanosleep$/)
  expect(thread('reader').blocked_by[0]!.syscall).toBe('read')
  // and on what: a pipe, where the kernel side can tell (tp_btf: it reads the fd at the switch)
  expect(thread('reader').blocked_by[0]!.on).toBe(s.ebpf.attach === 'tp_btf' ? 'pipe' : undefined)
  expect(thread('futexw').blocked_by[0]!.on).toBeUndefined()
  expect(thread('futexw').blocked_by[0]!.syscall).toBe('futex')
  expect(by(thread('spin'), 'read') + by(thread('spin'), 'futex') + sleepCall(thread('spin'))).toBe(0)
  // on a CPU, user and system: the timed mode knows which part was inside a syscall
  const zeroes = thread('zeroes')
  expectWithin(zeroes.on_cpu_ns, fact('zeroes', 'on_cpu'), 0.05, 'zeroes on CPU')
  if (s.ebpf.mode === 'timed') {
    expectWithin(zeroes.on_cpu_system_ns!, fact('zeroes', 'system'), 0.05, `zeroes in syscalls (${JSON.stringify(zeroes)})`)
    for (const name of ['pinA', 'pinB']) expect(thread(name).on_cpu_system_ns!, `${name} spins in user code`).toBeLessThan(thread(name).on_cpu_ns * 0.01)
  } else expect(zeroes.on_cpu_system_ns).toBeNull()
  for (const name of ['pinA', 'pinB']) {
    const t = thread(name)
    expectWithin(t.on_cpu_ns, fact(name, 'on_cpu'), 0.05, `${name} on CPU`)
    expectWithin(t.runqueue_ns, fact(name, 'runqueue'), 0.05, `${name} waiting for the CPU`)
    // two on one CPU: each waits for it about half its time (more when the machine is busy)
    expect(t.runqueue_ns).toBeGreaterThan(t.wall_ns * 0.4)
    // a spinner is never blocked, but for a moment in its start or exit
    expect(t.blocked_ns).toBeLessThan(t.wall_ns * 0.01)
  }
  // each thread's parts add up to its life, from its creation to its exit, within 1 %
  for (const t of [...threads.map((x) => x.time), p.time!]) {
    expect(t.on_cpu_ns + t.runqueue_ns + t.blocked_ns).toBe(t.wall_ns)
    if (t.on_cpu_system_ns !== null) expect(t.on_cpu_system_ns + t.on_cpu_user_ns!).toBe(t.on_cpu_ns)
    expect(t.blocked_by.reduce((n, b) => n + b.ns, 0)).toBe(t.blocked_ns)
  }
  for (const t of threads) expectWithin(t.time.wall_ns, t.time.elapsed_ns!, 0.01, `thread ${t.comm}'s parts against its life`)
  // the process's is the sum of its threads' (thread time), the tree's of its processes'
  expect(p.time!.wall_ns).toBe(threads.reduce((n, t) => n + t.time.wall_ns, 0))
  expect(s.proc.tree.time!.wall_ns).toBe(p.time!.wall_ns)
  // the real span: the main thread's life, which holds every other's
  expect(p.time!.elapsed_ns).toBe(threads.find((t) => t.tid === p.pid)!.time.elapsed_ns)
  expect(p.time!.wall_ns).toBeGreaterThan(p.time!.elapsed_ns!)
}

describe('wall time, explained', () => {
  for (const mode of ['tp_btf', 'raw_tp'] as const) {
    it(`accounts every thread's known parts (${mode})`, () => {
      const { s, facts } = record(mode)
      expect(s.ebpf.attach).toBe(mode)
      checkParts(s, facts)
      console.log(`wall parts (${mode}): ${JSON.stringify(facts.map((f) => `${f.name} ${f.part} ${(f.ns / 1e6).toFixed(1)} ms`))}`)
    })
  }

  it('names the syscalls without the entry hook too (counts-only, tp_btf: from the saved user registers)', () => {
    const { s, facts } = record('tp_btf', ['--counts-only'])
    expect(s.ebpf.mode).toBe('counts')
    checkParts(s, facts)
  })

  it('holds its 5 % bounds on a busy machine', async () => {
    // two shell loops spinning beside it, killed by their pids
    const hogs = [1, 2].map(() => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }))
    try {
      const { s, facts } = record('tp_btf')
      checkParts(s, facts)
    } finally {
      for (const h of hogs) h.kill('SIGKILL')
    }
  })

  it('accounts the threads of a process attached to from the attach, seen or not', async () => {
    const bin = join(dir, 'wallattach')
    execFileSync('cc', ['-O2', '-pthread', '-o', bin, join(projectRoot(), 'test', 'helper', 'workloads', 'wallattach.c')])
    const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'ignore'] })
    let rec: ReturnType<typeof spawn> | null = null
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => (d.toString().includes('ready') ? resolve() : undefined))
        child.on('exit', () => reject(new Error('the workload exited before it was ready')))
      })
      // the waiter and the idler asleep in their calls, the main thread in its read of stdin
      const states = () => [...threadStates(child.pid!).values()]
      await until('three threads asleep', () => states().filter((t) => t.state === 'S').length >= 3)
      const out = join(dir, 'attach.syscope')
      rec = spawn('node', [CLI, 'record', '--json', '--pid', String(child.pid), '--duration', '2', '--out', out], {
        env: { ...process.env, ...env, SYSCOPE_HELPER: helperIn(dir, 'tp_btf') },
        stdio: ['ignore', 'pipe', 'pipe']
      })
      let stdout = ''
      let stderr = ''
      rec.stdout!.on('data', (b: Buffer) => (stdout += b.toString()))
      rec.stderr!.on('data', (b: Buffer) => (stderr += b.toString()))
      const done = new Promise<number | null>((r) => rec!.once('exit', (c) => r(c)))
      // attached once the recording holds a tick; three ticks on, the main thread writes to
      // the waiter's pipe: both were blocked in read at least from that first tick to now
      await until('the session ticks', () => ticksOnDisk(out) >= 1)
      const firstTick = performance.now()
      await until('three ticks', () => ticksOnDisk(out) >= 4)
      const blockedAtLeast = (performance.now() - firstTick) * 1e6
      child.stdin.write('go\n')
      expect(await done, stderr).toBe(0)
      const s = JSON.parse(stdout) as Summary
      const p = s.proc.processes.find((x) => x.pid === child.pid)!
      const named = (comm: string) => {
        const t = p.threads!.find((x) => x.comm === comm)?.time
        expect(t, `${comm} in ${JSON.stringify(p.threads)}`).toBeTruthy()
        return t!
      }
      const [spinner, napper, waiter, idler, main] = ['spinner', 'napper', 'waiter', 'idler', 'wallattach'].map(named) as [
        WallTime,
        WallTime,
        WallTime,
        WallTime,
        WallTime
      ]
      // each from the attach to the end: the same span, whether the kernel side saw the thread
      // (by the state its first event says it was in) or not (the idler: as /proc shows it at
      // the end); the spans part by the helper's answers to track and untrack (µs to ms)
      for (const t of [spinner, napper, waiter, idler, main]) {
        expect(t.on_cpu_ns + t.runqueue_ns + t.blocked_ns).toBe(t.wall_ns)
        expectWithin(t.wall_ns, spinner.wall_ns, 0.01, 'a thread from the attach to the end')
      }
      expect(spinner.wall_ns).toBeLessThan(s.session.duration_ms * 1e6 * 1.01)
      expect(spinner.wall_ns).toBeGreaterThan(1.5e9)
      expect(spinner.blocked_ns).toBeLessThan(spinner.wall_ns * 0.01)
      expect(napper.blocked_by[0]!.syscall).toMatch(/^(clock_)?nanosleep$/)
      // it only sleeps: on a CPU for a sliver of its time, whatever the load (which lengthens
      // its waits for a CPU after each sleep, and so shortens the share blocked)
      expect(napper.on_cpu_ns).toBeLessThan(napper.wall_ns * 0.1)
      expect(napper.blocked_by[0]!.ns).toBeGreaterThan(napper.blocked_ns * 0.99)
      // blocked in read since before the attach, met first at its wakeup: the read on a pipe
      // from the attach (it was counted from the wakeup on, a few µs)
      const read = (t: WallTime) => t.blocked_by.filter((b) => b.syscall === 'read').reduce((n, b) => n + b.ns, 0)
      expect(read(waiter), JSON.stringify(waiter)).toBeGreaterThanOrEqual(blockedAtLeast)
      expect(waiter.blocked_by.find((b) => b.syscall === 'read')!.on).toBe('pipe')
      expect(read(main), JSON.stringify(main)).toBeGreaterThanOrEqual(blockedAtLeast)
      // and then in pause() to the end
      expect(waiter.blocked_by.map((b) => b.syscall).sort()).toEqual(['pause', 'read'])
      // never seen: asleep in pause() throughout, named by /proc
      expect(idler.blocked_by).toEqual([{ syscall: 'pause', ns: idler.wall_ns, uninterruptible_ns: 0 }])
      expect(idler.on_cpu_system_ns).toBe(0)
    } finally {
      if (rec && rec.exitCode === null) rec.kill('SIGKILL')
      child.kill('SIGKILL')
    }
  })

  it('names each of twelve reasons a thread was blocked for', () => {
    const bin = join(dir, 'reasons')
    execFileSync('cc', ['-O2', '-o', bin, join(projectRoot(), 'test', 'helper', 'workloads', 'reasons.c')])
    const r = runCli(['record', '--json', '--no-tty', '--out', join(dir, 'reasons.syscope'), '--', bin], { ...env, SYSCOPE_HELPER: helperIn(dir, 'tp_btf') })
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as Summary
    const p = s.proc.processes.find((x) => x.comm === 'reasons' && x.pid === s.session.root_pid)!
    const main = p.threads!.find((t) => t.tid === p.pid)!.time
    const named = new Map(main.blocked_by.map((b) => [b.syscall, b.ns]))
    // each about 20 ms: its timeout, or its pipe's or child's 20 ms (what a wait for a CPU after
    // it took is not in it)
    const calls = [
      'nanosleep',
      'clock_nanosleep',
      'read',
      'wait4',
      'poll',
      'ppoll',
      'select',
      'pselect6',
      'epoll_wait',
      'futex',
      'rt_sigtimedwait',
      'rt_sigsuspend'
    ]
    for (const c of calls) expect(named.get(c), `${c} in ${JSON.stringify(main.blocked_by)}`).toBeGreaterThan(15e6)
    // none of them fell in the overflow, shown as "other"
    expect(named.get('other') ?? 0).toBeLessThan(5e6)
  })

  it('says whom each waiting process waited for', () => {
    // the outer shell waits for the inner one, which waits for sleep (exit: no exec of a last command)
    const out = join(dir, 'waits.syscope')
    const r = runCli(['record', '--no-tty', '--json', '--out', out, '--', 'sh', '-c', 'sh -c "sleep 0.3; exit 0"; exit 0'], env)
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as Summary
    const [outer, inner, sleeper] = [...s.proc.processes].sort((a, b) => a.pid - b.pid)
    expect([outer!.comm, inner!.comm, sleeper!.comm]).toEqual(['sh', 'sh', 'sleep'])
    const wait = s.proc.tree.time!.blocked_by.find((b) => b.syscall === 'wait4')!
    expect(wait.processes!.map((p) => p.pid).sort((a, b) => a - b)).toEqual([outer!.pid, inner!.pid])
    expect(wait.waiting_for!.map((k) => [k.ppid, k.pid, k.comm]).sort()).toEqual(
      [
        [outer!.pid, inner!.pid, 'sh'],
        [inner!.pid, sleeper!.pid, 'sleep']
      ].sort()
    )
    // by name: the two shells as one, with both their children, the children of the one that
    // waited longer first (the outer, unless a busy CPU made it call wait4 late: either order)
    expect(wait.processes_total).toBe(2)
    expect(wait.process_names).toHaveLength(1)
    const [shells] = wait.process_names!
    expect({ ...shells, waiting_for: [...shells!.waiting_for!].sort() }).toEqual({
      comm: 'sh',
      processes: 2,
      ns: wait.processes![0]!.ns + wait.processes![1]!.ns,
      waiting_for: ['sh', 'sleep']
    })
    const longer = wait.processes![0]!.pid === outer!.pid ? 'sh' : 'sleep'
    expect(shells!.waiting_for![0]).toBe(longer)
    const text = runCli(['summary', out], env).stdout
    expect(text).toMatch(/ wait4 \(sh ×2 waiting for (sh, sleep|sleep, sh)\)/)
  })

  it('says the CLI paragraph, and unavailable in the classic tracepoint mode', () => {
    const out = join(dir, 'text.syscope')
    const r = runCli(
      ['record', '--no-tty', '--out', out, '--', workload, join(dir, 'facts-text.txt')],
      { ...env, SYSCOPE_HELPER: helperIn(dir, 'tp_btf') },
      120_000
    )
    expect(r.status, r.stderr).toBe(0)
    const text = runCli(['summary', out], env).stdout
    // the slowest calls say which thread made each: the sleeper's 500 ms nanosleep as pid/tid
    const sleeper = readFileSync(join(dir, 'facts-text.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Fact)
      .find((f) => f.name === 'sleeper')!
    expect(text).toMatch(new RegExp(`\\n {4}(clock_)?nanosleep +[\\d.]+ ms +[\\d.]+ s +wallparts \\d+/${sleeper.tid}(\\s|$)`))
    expect(text).toMatch(
      /wall time [\d.]+ m?s of thread time over [\d.]+ m?s: [\d.]+ m?s on CPU \([\d.]+ m?s user, [\d.]+ m?s in syscalls\), [\d.]+ m?s waiting for a CPU, [\d.]+ m?s blocked: .*futex/
    )

    const unmount = mountTracefs()
    try {
      const { s } = record('tracepoint')
      expect(s.ebpf.attach).toBe('tracepoint')
      expect(s.proc.tree.time).toBeNull()
      expect(s.proc.processes[0]!.time).toBeNull()
      expect(s.proc.processes[0]!.threads).toBeNull()
    } finally {
      unmount()
    }
  })
})
