// The stack hint (bpf/tracked.bpf.h): in tp_btf mode the syscall hooks turn a thread away before
// anything else unless its kernel stack's bucket counts a tracked thread. No call of a tracked
// thread may be lost to it (threads made before the attach, after it, children, exec), and every
// count it takes is given back at the thread's exit: a count left behind would cost untracked
// threads the exact check for the rest of the recording, one missing would lose a tracked thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { CountAccumulator } from '../../src/main/helper/accumulate'
import type { CountsMessage, ExitMessage } from '../../src/main/helper/protocol'
import { projectRoot } from '../../src/main/paths'
import { until } from '../util/until'
import { HELPER_BUILDS, NR, buildWorkload, mapEntries, runUnderHelper, start } from './harness'

/** every count in the helper's stack buckets (a bucket the helper opened for good holds 2^30) */
function hintedThreads(helperPid: number): number {
  const [entry] = mapEntries(helperPid, 'stack_hint') as { formatted: { value: { n: number[] } } }[]
  return entry!.formatted.value.n.reduce((a, b) => a + b, 0)
}

let wl: { dir: string; markers: string }
let hintattach: string

beforeAll(() => {
  wl = buildWorkload()
  hintattach = join(wl.dir, 'hintattach')
  execFileSync('cc', ['-O2', '-pthread', '-o', hintattach, join(projectRoot(), 'test', 'helper', 'workloads', 'hintattach.c')])
})
afterAll(() => rmSync(wl.dir, { recursive: true, force: true }))

const TP_BTF_BUILDS = HELPER_BUILDS.filter(([, , args]) => args[1] === 'tp_btf')

describe.each(TP_BTF_BUILDS)('the stack hint (%s)', (_name, helperPath, args) => {
  it('counts every call of threads made before the attach, and gives each count back at their exit', async () => {
    const client = await start({ helperPath, args: [...args, '--counts-only'] })
    const child = spawn(hintattach, [], { stdio: ['pipe', 'pipe', 'inherit'] })
    const counts = new CountAccumulator()
    const exits: ExitMessage[] = []
    const onCounts = (m: CountsMessage): void => counts.add(m)
    const onExit = (m: ExitMessage): void => void exits.push(m)
    client.on('counts', onCounts)
    client.on('exit', onExit)
    try {
      let out = ''
      child.stdout.on('data', (b: Buffer) => (out += b.toString()))
      await until('the three threads spin', () => out.includes('ready'))
      expect(hintedThreads(client.child.pid!)).toBe(0)
      await client.track(child.pid!, false)
      // the main thread and the three spinning ones, each once: hinted before the answer
      expect(hintedThreads(client.child.pid!)).toBe(4)
      child.stdin.write('go\n')
      await until('the threads made their calls and ended', () => out.includes('done'))
      // each ended thread's exit took its count back; the main thread's is left
      await until('three counts given back', () => hintedThreads(client.child.pid!) === 1)
      child.stdin.end()
      await until('the process reported its exit', () => exits.some((e) => e.pid === child.pid))
      expect(counts.get(NR.getppid, child.pid).calls).toBe(3 * 3000)
      expect(hintedThreads(client.child.pid!)).toBe(0)
    } finally {
      client.off('counts', onCounts)
      client.off('exit', onExit)
      child.kill('SIGKILL')
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
      } finally {
        await client.shutdown()
      }
    }
  })
})
