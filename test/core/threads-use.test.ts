// The threads of a process attached to that the kernel side never told of: each in one state from
// the attach to the end, the one /proc shows at the end (ThreadsUse.addUnseen).
import { describe, expect, it } from 'vitest'
import { ThreadsUse } from '../../src/main/helper/threads-use'
import type { ThreadState } from '../../src/main/proc/thread-states'

const state = (s: Partial<ThreadState>): ThreadState => ({ comm: 't', state: 'S', nr: null, cpuNs: 0, ...s })

describe('threads never seen by the kernel side', () => {
  const before = new Map<number, ThreadState>([
    [10, state({ comm: 'sleeper', state: 'S', nr: 34, cpuNs: 5 })],
    [11, state({ comm: 'disk', state: 'D', nr: -1, cpuNs: 5 })],
    [12, state({ comm: 'spinner', state: 'R', cpuNs: 100 })],
    [13, state({ comm: 'queued', state: 'R', cpuNs: 100 })],
    [14, state({ comm: 'seen', state: 'S', nr: 7 })]
  ])
  const now = new Map<number, ThreadState>([
    [10, state({ comm: 'sleeper', state: 'S', nr: 34, cpuNs: 5 })],
    [11, state({ comm: 'disk', state: 'D', nr: -1, cpuNs: 5 })],
    [12, state({ comm: 'spinner', state: 'R', cpuNs: 900 })],
    [13, state({ comm: 'queued', state: 'R', cpuNs: 100 })],
    [14, state({ comm: 'seen', state: 'S', nr: 7 })],
    // begun after the attach: its creation was an event, so the kernel side would have told
    [15, state({ comm: 'new', state: 'S', nr: 7 })]
  ])

  it('counts each from the attach in the state it is in, and leaves the others out', () => {
    const u = new ThreadsUse((ns) => ns)
    u.add({ type: 'threads', seq: 1, pid: 1, final: false, t: [{ tid: 14, cpu: 1, rq: 0, pre: 0, by: [] }] })
    u.drain()
    u.addUnseen(1, 1000, 5000, before, now, true)
    const [out] = u.drain()
    const by = new Map(out!.th.map((t) => [t.tid, t]))
    expect([...by.keys()].sort()).toEqual([10, 11, 12, 13])
    // asleep in pause (34 on x86_64): interruptible, and no time in syscalls on no CPU
    expect(by.get(10)).toEqual({ tid: 10, comm: 'sleeper', first_ns: 1000, cpu: 0, rq: 0, pre: 0, sys: 0, by: [[34, 4000, 0]] })
    // uninterruptible outside a syscall: a page fault
    expect(by.get(11)!.by).toEqual([[-1, 0, 4000]])
    // runnable, its clock grown: on a CPU throughout, time in syscalls not known
    expect(by.get(12)).toMatchObject({ cpu: 4000, rq: 0, by: [] })
    expect(by.get(12)!.sys).toBeUndefined()
    // runnable, its clock still: waiting for a CPU throughout
    expect(by.get(13)).toMatchObject({ cpu: 0, rq: 4000, sys: 0 })
  })

  it('says nothing of time in syscalls in the counts-only mode', () => {
    const u = new ThreadsUse((ns) => ns)
    u.addUnseen(1, 0, 10, before, now, false)
    expect(u.drain()[0]!.th.every((t) => t.sys === undefined)).toBe(true)
  })
})
