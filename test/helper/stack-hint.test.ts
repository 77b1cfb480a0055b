// The stack hint (bpf/tracked.bpf.h): in tp_btf mode the syscall hooks turn a thread away before
// anything else unless its kernel stack's bucket counts a tracked thread. No call of a tracked
// thread may be lost to it (threads made before the attach, after it, children, exec), and every
// count it takes is given back at the thread's exit: a count left behind would cost untracked
// threads the exact check for the rest of the recording, one missing would lose a tracked thread.
// A thread's own way past the lookups (bpf/syscalls.bpf.c, x86; both modes) finds a thread by its
// stack alone: a thread that gets the stack of a tracked one that ended must not find its way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn } from 'node:child_process'
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { CountAccumulator } from '../../src/main/helper/accumulate'
import type { HelperClient } from '../../src/main/helper/client'
import type { CountsMessage, ExitMessage } from '../../src/main/helper/protocol'
import { projectRoot } from '../../src/main/paths'
import { until } from '../util/until'
import { HELPER_BUILDS, HOOKS_HELPER, NR, buildWorkload, mapEntries, runUnderHelper, start } from './harness'

/** the one value of the helper's array map `name`, as bpftool formats it */
function mapValue<T>(helperPid: number, name: string): T {
  const [entry] = mapEntries(helperPid, name) as { formatted: { value: T } }[]
  return entry!.formatted.value
}

/** every count in the helper's stack buckets (a bucket the helper opened for good holds 2^30) */
function hintedThreads(helperPid: number): number {
  return mapValue<{ n: number[] }>(helperPid, 'stack_hint').n.reduce((a, b) => a + b, 0)
}

/** the buckets a thread holds for its own way past the lookups (x86) */
function heldBuckets(helperPid: number): number {
  const ways = mapEntries(helperPid, 'stack_fast') as { formatted: { value: { owner: number } } }[]
  return ways.filter((w) => Number(w.formatted.value.owner) !== 0).length
}

const X86 = process.arch === 'x64'

let wl: { dir: string; markers: string }
let hintattach: string
let stackreuse: string

beforeAll(() => {
  wl = buildWorkload()
  hintattach = join(wl.dir, 'hintattach')
  stackreuse = join(wl.dir, 'stackreuse')
  for (const [bin, src] of [
    [hintattach, 'hintattach.c'],
    [stackreuse, 'stackreuse.c']
  ] as const)
    execFileSync('cc', ['-O2', '-pthread', '-o', bin, join(projectRoot(), 'test', 'helper', 'workloads', src)])
})
afterAll(() => rmSync(wl.dir, { recursive: true, force: true }))

const TP_BTF_BUILDS = HELPER_BUILDS.filter(([, , args]) => args[1] === 'tp_btf')
/** every bucket open for good (the helper's way when its iterator cannot run) */
const ALL_OPEN = 4096 * 2 ** 30

/** A process the client attaches to (track), what the client says of it, and its end. */
async function attached(client: HelperClient, argv: string[]) {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] })
  const counts = new CountAccumulator()
  const exits: ExitMessage[] = []
  const onCounts = (m: CountsMessage): void => counts.add(m)
  const onExit = (m: ExitMessage): void => void exits.push(m)
  client.on('counts', onCounts)
  client.on('exit', onExit)
  let out = ''
  child.stdout.on('data', (b: Buffer) => (out += b.toString()))
  return {
    pid: child.pid!,
    counts,
    said: (text: string) => until(`the workload says ${text}`, () => out.includes(text)),
    /** a line on its stdin */
    go: () => child.stdin.write('go\n'),
    /** its stdin closed, until its exit is reported */
    async end() {
      child.stdin.end()
      await until('the process reported its exit', () => exits.some((e) => e.pid === child.pid))
    },
    close() {
      client.off('counts', onCounts)
      client.off('exit', onExit)
      child.kill('SIGKILL')
    }
  }
}

/**
 * hintattach under the client: three threads made before the attach make 3,000 getppid each.
 * The hint counts just after the attach, and once the three ended; the buckets then held.
 */
async function threadsBeforeAttach(
  client: HelperClient
): Promise<{ hintedAtAttach: number; hintedAfter: number; held: number; calls: number; time_ns: number }> {
  const p = await attached(client, [hintattach])
  try {
    const helper = client.child.pid!
    await p.said('ready')
    await client.track(p.pid, false)
    const hintedAtAttach = hintedThreads(helper)
    p.go()
    await p.said('done')
    await until('the three threads’ exits went by', () => readdirSync(`/proc/${p.pid}/task`).length === 1)
    const hintedAfter = hintedThreads(helper)
    // a call of the main thread's since (its read of this line): one of its buckets is free now
    p.go()
    await p.said('again')
    const held = heldBuckets(helper)
    await p.end()
    const { calls, time_ns } = p.counts.get(NR.getppid, p.pid)
    return { hintedAtAttach, hintedAfter, held, calls, time_ns }
  } finally {
    p.close()
  }
}

/**
 * stackreuse under the client: a tracked process's thread makes 100 getppid and ends; then an
 * untracked process makes 2,000 threads one after the other on the same CPU (a stack freed there
 * is mostly the next new thread's there), 100 getppid each. The tracked process's getppid. (A
 * build whose exits kept their buckets counted all 200,000 of the untracked calls as the tracked
 * process's in 4 of 5 runs here, with every bucket open.)
 */
async function stackReused(client: HelperClient): Promise<number> {
  const p = await attached(client, ['taskset', '-c', '0', stackreuse, 'tracked'])
  try {
    await p.said('ready')
    await client.track(p.pid, false)
    p.go()
    await p.said('done')
    await until('the thread’s exit went by', () => readdirSync(`/proc/${p.pid}/task`).length === 1)
    execFileSync('taskset', ['-c', '0', stackreuse, 'other', '2000', '100'])
    await p.end()
    return p.counts.get(NR.getppid, p.pid).calls
  } finally {
    p.close()
  }
}

const MODES = [
  ['counts-only', ['--counts-only']],
  ['timed', []]
] as const

describe.each(TP_BTF_BUILDS)('the stack hint (%s)', (_name, helperPath, args) => {
  it.each(MODES)('counts every call of threads made before the attach, and gives each count back at their exit (%s)', async (mode, modeArgs) => {
    const client = await start({ helperPath, args: [...args, ...modeArgs] })
    try {
      expect(hintedThreads(client.child.pid!)).toBe(0)
      const r = await threadsBeforeAttach(client)
      // the main thread and the three spinning ones, each once: hinted before the answer
      expect(r.hintedAtAttach).toBe(4)
      // each ended thread's exit took its count back; the main thread's is left, and it holds a
      // bucket for its own way (counted since, in its read of a line)
      expect(r.hintedAfter).toBe(1)
      expect(r.held).toBe(X86 ? 1 : 0)
      expect(r.calls).toBe(3 * 3000)
      // timed, most of them went their own way: each took at least a nanosecond
      if (mode === 'timed') expect(r.time_ns).toBeGreaterThanOrEqual(r.calls)
      else expect(r.time_ns).toBe(0)
      expect(hintedThreads(client.child.pid!)).toBe(0)
      expect(heldBuckets(client.child.pid!)).toBe(0)
    } finally {
      await client.shutdown()
    }
  })

  it.each(MODES)('counts nothing of a thread that got the kernel stack of a tracked thread that ended (%s)', async (_mode, modeArgs) => {
    const client = await start({ helperPath, args: [...args, ...modeArgs] })
    try {
      expect(await stackReused(client)).toBe(100)
    } finally {
      await client.shutdown()
    }
  })

  it('hints the threads and children made after it, and leaves no count once the tree is gone', async () => {
    for (const mode of [[], ['--counts-only']]) {
      const client = await start({ helperPath, args: [...args, ...mode] })
      try {
        const r = await runUnderHelper(client, [wl.markers])
        expect(r.exit.code).toBe(0)
        // threads, fork, fork+exec and posix_spawn: as the exact counts test
        expect(r.counts.get(NR.getppid).calls).toBe(10665)
        await until('every count given back', () => hintedThreads(client.child.pid!) === 0)
        expect(heldBuckets(client.child.pid!)).toBe(0)
      } finally {
        await client.shutdown()
      }
    }
  })
})

describe('the stack hint when its iterator cannot run (test-hooks build)', () => {
  const wrapper = ['env', 'SYSCOPE_TEST_FAIL_ITER=1']
  it('opens every bucket for good, says so, and still counts every call', async () => {
    const client = await start({ helperPath: HOOKS_HELPER, args: ['--mode', 'tp_btf', '--counts-only'], wrapper })
    try {
      const r = await threadsBeforeAttach(client)
      expect(client.stderr).toMatch(/cannot hint a tracked process's threads \(Input\/output error\): every thread passes/)
      expect(r.hintedAtAttach).toBe(ALL_OPEN)
      expect(r.calls).toBe(3 * 3000)
      expect(r.held).toBe(X86 ? 1 : 0)
      expect(heldBuckets(client.child.pid!)).toBe(0)
    } finally {
      await client.shutdown()
    }
  })

  it('counts nothing of a thread on a reused stack, where only the exit’s letting go keeps it off', async () => {
    const client = await start({ helperPath: HOOKS_HELPER, args: ['--mode', 'tp_btf', '--counts-only'], wrapper })
    try {
      expect(await stackReused(client)).toBe(100)
      expect(hintedThreads(client.child.pid!)).toBe(ALL_OPEN)
    } finally {
      await client.shutdown()
    }
  })
})
