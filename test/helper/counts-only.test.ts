// The counts-and-errors mode (--counts-only: the exit hook alone, no clock), in every attach mode:
// as exact as the timed mode on the workloads whose counts are known, calls that never return
// included, and equal to strace -c -f on a tar of a small tree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { HELPER_BUILDS, NR, buildWorkload, mountTracefs, runUnderHelper, start } from './harness'
import { syscallNr } from '../util/syscall-nr'

let wl: { dir: string; markers: string }
let unmountTracefs: () => void

beforeAll(() => {
  wl = buildWorkload()
  unmountTracefs = mountTracefs()
})
afterAll(() => {
  rmSync(wl.dir, { recursive: true, force: true })
  unmountTracefs()
})

const EXIT = syscallNr('exit')
const PROCESS_CALLS = ['exit', 'exit_group', 'clone', 'clone3', 'fork', 'vfork', 'execve', 'wait4', 'getppid', 'chdir']

describe.each(HELPER_BUILDS)('counts only (%s)', (_name, helperPath, modeArgs) => {
  const args = [...modeArgs, '--counts-only']

  it('says so, and sends no times, latency or slowest calls', async () => {
    const client = await start({ helperPath, args })
    try {
      expect(client.hello).toMatchObject({ mode: modeArgs[1], timing: 'counts', slowest: 0 })
      let latency = 0
      const onLatency = (): void => void latency++
      client.on('latency', onLatency)
      client.on('slow', onLatency)
      const r = await runUnderHelper(client, [wl.markers, 'sleep', '20', '3'])
      client.off('latency', onLatency)
      client.off('slow', onLatency)
      expect(r.counts.get(NR.nanosleep).calls + r.counts.get(NR.clock_nanosleep).calls).toBe(3)
      for (const t of r.counts.byNr().values()) expect(t.time_ns).toBe(0)
      expect(latency).toBe(0)
    } finally {
      await client.shutdown()
    }
  })

  it('counts every marker syscall of the whole tree, and the exits that never return', async () => {
    const client = await start({ helperPath, args })
    try {
      const r = await runUnderHelper(client, [wl.markers])
      expect(r.exit.code).toBe(0)
      // as the timed mode counts them (counts.test.ts)
      expect(r.counts.get(NR.getppid).calls).toBe(10665)
      expect(r.counts.get(NR.chdir)).toMatchObject({ calls: 77, errors: 77 })
      expect(r.counts.get(NR.getppid, r.rootPid).calls).toBe(5000)
      expect(r.forks.map((f) => r.counts.get(NR.getppid, f.pid).calls).sort((a, b) => a - b)).toEqual([0, 555, 666, 4444])
      expect(r.counts.get(NR.execve, r.rootPid)).toMatchObject({ calls: 1, errors: 0 })
      expect(r.finalBeforeExit).toBe(true)
      // the calls that never return (exit, exit_group), those that return twice (clone, fork:
      // counted once, in the parent) and the rest of the tree's process calls, per process, as
      // the timed mode counts them on the same run of the same workload
      const timedClient = await start({ helperPath, args: modeArgs })
      let timed
      try {
        timed = await runUnderHelper(timedClient, [wl.markers])
      } finally {
        await timedClient.shutdown()
      }
      // per process: the root's, then its descendants' (the order of their forks may differ)
      const perProcess = (x: typeof r, nr: number): number[] => [
        x.counts.get(nr, x.rootPid).calls,
        ...x.forks.map((f) => x.counts.get(nr, f.pid).calls).sort((a, b) => a - b)
      ]
      for (const name of PROCESS_CALLS) {
        // fork and vfork are x86_64's only
        const nr = name === 'fork' || name === 'vfork' ? (process.arch === 'x64' ? syscallNr(name) : -1) : syscallNr(name)
        if (nr < 0) continue
        expect(perProcess(r, nr), name).toEqual(perProcess(timed, nr))
      }
      expect(r.counts.get(NR.exit_group).calls).toBe(5)
      expect(r.counts.get(EXIT).calls).toBeGreaterThan(0)
    } finally {
      await client.shutdown()
    }
  })
})

/*
 * A process's own slot is tgid mod 1024 (PREF_SLOTS), if free; the counts-only hook then finds its
 * counters from its tgid alone. One whose own slot another process holds gets one from the queue
 * (slots from 1024 on), and once that is empty any free one below 1024: both on the helper's side
 * (the launched root) and the kernel's (its forked children). To make that happen, the next pid
 * is set (/proc/sys/kernel/ns_last_pid): 5 tracked sleepers on pids B..B+4, then the workload on
 * B+1024..: each of its processes finds its own slot held. Another process forking in between
 * moves the pids: then the run is made again (the test asserts that the pids did collide).
 */
const NS_LAST_PID = '/proc/sys/kernel/ns_last_pid'

/** Spawn with the next pid set to `pid` (or the next free one after it). */
function spawnAt<T>(pid: number, spawnIt: () => T): T {
  writeFileSync(NS_LAST_PID, String(pid - 1))
  return spawnIt()
}

describe.each(HELPER_BUILDS)('counts only, away from their own slots (%s)', (_name, helperPath, modeArgs) => {
  it('counts exactly a tree whose own slots other processes hold (the queue, then any free slot)', async () => {
    const client = await start({ helperPath, args: [...modeArgs, '--counts-only', '--max-procs', '1026'] })
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'))
    const sleepers: ChildProcess[] = []
    try {
      let r: Awaited<ReturnType<typeof runUnderHelper>> | null = null
      let pids = ''
      for (let attempt = 0; attempt < 5 && !r; attempt++) {
        // a base with room for both runs of pids below pid_max
        let base = Number(readFileSync(NS_LAST_PID, 'utf8')) + 100
        if (base + 1100 >= pidMax) base = 1000
        const held = Array.from({ length: 5 }, (_, i) => spawnAt(base + i, () => spawn('sleep', ['60'], { stdio: 'ignore' })))
        sleepers.push(...held)
        for (const s of held) await client.track(s.pid!, false)
        const run = await spawnAt(base + 1024, () => runUnderHelper(client, [wl.markers]))
        const own = new Set(held.map((s) => s.pid! % 1024))
        const tree = [run.rootPid, ...run.forks.map((f) => f.pid)]
        pids = `sleepers ${held.map((s) => s.pid).join(' ')}, tree ${tree.join(' ')}`
        if (tree.filter((p) => own.has(p % 1024)).length >= 2 && own.has(run.rootPid % 1024)) r = run
      }
      expect(r, `no run whose root and one more process found their own slots held (${pids})`).not.toBeNull()
      expect(r!.exit.code).toBe(0)
      expect(r!.counts.get(NR.getppid).calls).toBe(10665)
      expect(r!.counts.get(NR.chdir)).toMatchObject({ calls: 77, errors: 77 })
      expect(r!.counts.get(NR.getppid, r!.rootPid).calls).toBe(5000)
      expect(r!.forks.map((f) => r!.counts.get(NR.getppid, f.pid).calls).sort((a, b) => a - b)).toEqual([0, 555, 666, 4444])
      expect(r!.counts.get(NR.exit_group).calls).toBe(5)
    } finally {
      for (const s of sleepers) s.kill('SIGKILL')
      await client.shutdown()
    }
  })
})

describe('counts only, beside strace', () => {
  it('agrees with strace -c -f on every syscall both report (tar of a small tree)', async () => {
    const tree = join(wl.dir, 'tree')
    for (let d = 0; d < 5; d++) {
      mkdirSync(join(tree, `d${d}`), { recursive: true })
      for (let f = 0; f < 20; f++) writeFileSync(join(tree, `d${d}`, `f${f}.txt`), `file ${d}/${f}\n`.repeat(50 * (f + 1)))
    }
    const argv = ['tar', '-cf', join(wl.dir, 'out.tar'), '-C', wl.dir, 'tree']
    const st = spawnSync('strace', ['-c', '-f', '-U', 'name,calls,errors', '-o', join(wl.dir, 'strace.txt'), ...argv])
    expect(st.status).toBe(0)
    const strace = new Map<string, { calls: number; errors: number }>()
    for (const line of readFileSync(join(wl.dir, 'strace.txt'), 'utf8').split('\n')) {
      const m = line.trim().match(/^(\w+)\s+(\d+)\s*(\d*)$/)
      if (m && m[1] !== 'total' && m[1] !== 'syscall') strace.set(m[1]!, { calls: Number(m[2]), errors: Number(m[3] || 0) })
    }
    expect(strace.size).toBeGreaterThan(10)
    rmSync(join(wl.dir, 'out.tar'))
    const client = await start({ args: ['--counts-only'] })
    try {
      const r = await runUnderHelper(client, argv)
      const { syscallName } = await import('../../src/shared/syscalls/index')
      const ours = new Map<string, { calls: number; errors: number }>()
      for (const [nr, t] of r.counts.byNr()) ours.set(syscallName('x86_64', nr), { calls: t.calls, errors: t.errors })
      const mismatches = [...strace]
        .filter(([name, s]) => ours.get(name)?.calls !== s.calls || ours.get(name)?.errors !== s.errors)
        .map(([name, s]) => `${name}: strace ${s.calls}/${s.errors}, syscope ${ours.get(name)?.calls}/${ours.get(name)?.errors}`)
      expect(mismatches).toEqual([])
      // (strace -c leaves out exit_group, which never returns; we count it)
      expect([...strace.keys()].filter((n) => !ours.has(n))).toEqual([])
      expect(ours.get('exit_group')?.calls).toBe(1)
    } finally {
      await client.shutdown()
    }
  })
})
