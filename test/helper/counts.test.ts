// Real BPF, real processes: the helper's totals must equal what the workloads are known to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { HELPER_BUILDS, NR, buildWorkload, mountTracefs, runUnderHelper, start } from './harness'

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

describe.each(HELPER_BUILDS)('exact counts (%s)', (_name, helperPath, args) => {
  it('counts every marker syscall of the whole tree: threads, fork, fork+exec, posix_spawn', async () => {
    const client = await start({ helperPath, args })
    try {
      expect(client.hello.mode).toBe(args[1])
      const r = await runUnderHelper(client, [wl.markers])
      expect(r.exit.code).toBe(0)
      // 1000 main + 2×2000 threads + 555 child + 4444 grandchild + 666 spawned
      expect(r.counts.get(NR.getppid).calls).toBe(10665)
      expect(r.counts.get(NR.getppid).errors).toBe(0)
      expect(r.counts.get(NR.chdir)).toMatchObject({ calls: 77, errors: 77 })
      // per process
      expect(r.counts.get(NR.getppid, r.rootPid).calls).toBe(5000)
      const perChild = r.forks.map((f) => r.counts.get(NR.getppid, f.pid).calls).sort((a, b) => a - b)
      expect(perChild).toEqual([0, 555, 666, 4444])
      // fork+exec and posix_spawn children were tracked from their first syscall
      expect(r.forks).toHaveLength(4)
      // each named as it was forked (its parent's name), for a child gone before /proc is read
      expect(r.forks.map((f) => f.comm)).toEqual(Array(4).fill(basename(wl.markers)))
      // exec of the root, the grandchild and the spawned child (the last two through /proc/self/exe)
      expect(r.execs).toHaveLength(3)
      expect(r.execs.map((e) => e.filename).sort()).toEqual(['/proc/self/exe', '/proc/self/exe', wl.markers])
      expect(r.exits.map((e) => e.code)).toEqual([0, 0, 0, 0, 0])
      expect(r.finalBeforeExit).toBe(true)
      // the successful execve is counted once; the launcher's own syscalls are not
      expect(r.counts.get(NR.execve, r.rootPid)).toMatchObject({ calls: 1, errors: 0 })
    } finally {
      await client.shutdown()
    }
  })

  it('reports each process’s final I/O and CPU time at its exit', async () => {
    const client = await start({ helperPath, args })
    try {
      // long enough to span scheduler ticks: a process that lives within one slice has had no
      // run time accounted yet when it exits (as /proc would show it too)
      const r = await runUnderHelper(client, ['sh', '-c', 'head -c 200000000 /dev/zero > /dev/null; exit 0'])
      const exitOf = (pid: number) => r.exits.find((e) => e.pid === pid)!
      const head = exitOf(r.forks[0]!.pid)
      expect(head.io![1]).toBeGreaterThanOrEqual(200_000_000)
      expect(head.io![1]).toBeLessThan(200_000_000 + 4096)
      expect(head.io![0]).toBeGreaterThanOrEqual(200_000_000)
      expect(head.cpu_ns![2]).toBeGreaterThan(5e6)
      // the shell reaped it: the kernel added the child's I/O to the shell's
      expect(exitOf(r.rootPid).io![1]).toBeGreaterThanOrEqual(200_000_000)
    } finally {
      await client.shutdown()
    }
  })
})

describe('what the helper reports', () => {
  it('measures time inside the kernel: 10 × 50 ms nanosleep ≥ 500 ms', async () => {
    const client = await start()
    try {
      const t0 = performance.now()
      const r = await runUnderHelper(client, [wl.markers, 'sleep', '50', '10'])
      const wallNs = (performance.now() - t0) * 1e6
      const sleeps = r.counts.get(NR.nanosleep).time_ns + r.counts.get(NR.clock_nanosleep).time_ns
      const calls = r.counts.get(NR.nanosleep).calls + r.counts.get(NR.clock_nanosleep).calls
      expect(calls).toBe(10)
      expect(sleeps).toBeGreaterThanOrEqual(500e6)
      // and no more than the run took
      expect(sleeps).toBeLessThan(wallNs)
      for (const t of r.counts.byNr().values()) expect(t.time_ns).toBeGreaterThanOrEqual(0)
    } finally {
      await client.shutdown()
    }
  })

  it('reports exit codes and signals', async () => {
    const client = await start()
    try {
      const r = await runUnderHelper(client, [wl.markers, 'forkexit'])
      const byPid = new Map(r.exits.map((e) => [e.pid, e]))
      const kids = r.forks.map((f) => byPid.get(f.pid)!)
      expect(kids.map((k) => [k.code, k.signal]).sort()).toEqual([
        [0, 9],
        [3, 0]
      ])
      expect(byPid.get(r.rootPid)).toMatchObject({ code: 0, signal: 0 })
      const code3 = await runUnderHelper(client, [wl.markers, 'exit', '3'])
      expect(code3.exits.find((e) => e.pid === code3.rootPid)).toMatchObject({ code: 3, signal: 0 })
    } finally {
      await client.shutdown()
    }
  })

  it('keeps 2,000 short-lived children exact', async () => {
    const client = await start()
    try {
      const r = await runUnderHelper(client, [wl.markers, 'burst', '2000'])
      expect(r.forks).toHaveLength(2000)
      expect(r.exits.filter((e) => e.pid !== r.rootPid)).toHaveLength(2000)
      expect(r.counts.get(NR.getppid).calls).toBe(6000)
      expect(r.finalBeforeExit).toBe(true)
    } finally {
      await client.shutdown()
    }
  }, 90_000)

  it('stays exact while a process goes from one thread to several and back, 3,000 times', async () => {
    // a single-threaded process's counters take plain adds, several threads' atomic ones
    const client = await start()
    try {
      const r = await runUnderHelper(client, [wl.markers, 'threads', '3000'])
      expect(r.counts.get(NR.getppid).calls).toBe(3000 * 3 + 3000)
      expect(r.counts.get(NR.chdir)).toMatchObject({ calls: 3000, errors: 3000 })
    } finally {
      await client.shutdown()
    }
  }, 90_000)

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
    const text = execFileSync('cat', [join(wl.dir, 'strace.txt')], { encoding: 'utf8' })
    for (const line of text.split('\n')) {
      const m = line.trim().match(/^(\w+)\s+(\d+)\s*(\d*)$/)
      if (m && m[1] !== 'total' && m[1] !== 'syscall') strace.set(m[1]!, { calls: Number(m[2]), errors: Number(m[3] || 0) })
    }
    expect(strace.size).toBeGreaterThan(10)
    rmSync(join(wl.dir, 'out.tar'))
    const client = await start()
    try {
      const r = await runUnderHelper(client, argv)
      const { syscallName } = await import('../../src/shared/syscalls/index')
      const ours = new Map<string, { calls: number; errors: number }>()
      for (const [nr, t] of r.counts.byNr()) ours.set(syscallName('x86_64', nr), { calls: t.calls, errors: t.errors })
      const mismatches: string[] = []
      for (const [name, s] of strace) {
        const o = ours.get(name)
        if (!o) continue
        if (o.calls !== s.calls || o.errors !== s.errors) mismatches.push(`${name}: strace ${s.calls}/${s.errors}, syscope ${o.calls}/${o.errors}`)
      }
      expect(mismatches).toEqual([])
      // both saw the same set of syscalls
      expect([...strace.keys()].filter((n) => !ours.has(n))).toEqual([])
    } finally {
      await client.shutdown()
    }
  })
})
