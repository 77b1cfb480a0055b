// The helper survives what the app (or anything else) may throw at it, and leaves nothing of
// itself in the kernel when the app goes away.
import { describe, expect, it } from 'vitest'
import { execFileSync, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { ASAN_HELPER, HELPER, runUnderHelper, start } from './harness'
import { until } from '../util/until'
import type { HelperClient } from '../../src/main/helper/client'
import type { ErrorMessage } from '../../src/main/helper/protocol'

const OUR_PROGRAMS = /^((btf|raw|tp)_(sys_(enter|exit)(_detail)?|fork|exec|exit|switch|wakeup|wakeup_new|disk_start|disk_issue|disk_done)|hint_threads)$/

function ourLinks(progIds: Set<number>): number {
  const links = JSON.parse(execFileSync('bpftool', ['-j', 'link', 'show'], { encoding: 'utf8' })) as { prog_id?: number }[]
  return links.filter((l) => l.prog_id !== undefined && progIds.has(l.prog_id)).length
}

function progIds(): Set<number> {
  const progs = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' })) as { id: number; name?: string }[]
  return new Set(progs.filter((p) => OUR_PROGRAMS.test(p.name ?? '')).map((p) => p.id))
}

/** The BPF programs a process holds, from its fds' fdinfo (prog fds and link fds name them). */
function heldProgIds(pid: number): Set<number> {
  const ids = new Set<number>()
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      const m = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').match(/^prog_id:\s+(\d+)$/m)
      if (m) ids.add(Number(m[1]))
    } catch {
      /* closed meanwhile */
    }
  }
  return ids
}

/** the programs a tp_btf helper attaches: syscall entry and exit, fork, exec, exit, sched_switch,
 * the wakeups (threads' wall time), a block request's start, issue and completion (disk; this
 * kernel has block_io_start) */
const PROGRAMS = 11
/** and those it holds: the stack hint's task iterator too, attached only while it runs (once for
 * each process the helper adds) */
const HELD = PROGRAMS + 1

function nextError(client: HelperClient): Promise<ErrorMessage> {
  return new Promise((resolve) => client.once('helper-error', resolve))
}

// the ASan/UBSan build is built by `make -C helper test`; missing, its tests fail rather than skip
const helpers = [HELPER, ASAN_HELPER]

describe.each(helpers)('robustness (%s)', (helperPath) => {
  it('answers malformed, oversized and out-of-order requests with errors and keeps serving', async () => {
    const client = await start({ helperPath })
    try {
      const cases: [string, string, RegExp][] = [
        ['frobnicate 1\n', 'EINVAL', /unknown request/],
        ['track 1 abc 1\n', 'EINVAL', /PID must be/],
        ['track 1 5 7\n', 'EINVAL', /DESCENDANTS must be 0 or 1/],
        ['track 0 5 1\n', 'EINVAL', /id from 1/],
        ['interval 9 5\n', 'EINVAL', /MS must be from 10/],
        ['track  2 5 1\n', 'EINVAL', /one space/],
        ['hello 1\n', 'EPROTO', /already sent/],
        ['track 3 \u00e9 1\n', 'EINVAL', /non-ASCII/],
        ['x'.repeat(5000) + '\n', 'E2BIG', /longer than 256/],
        ['\n', 'EINVAL', /empty request/]
      ]
      for (const [line, code, re] of cases) {
        const e = nextError(client)
        client.sendRaw(line)
        const m = await e
        expect(m.code, line.slice(0, 30)).toBe(code)
        expect(m.message).toMatch(re)
      }
      // still serving
      const me = spawn('sleep', ['5'])
      await expect(client.track(me.pid!, false)).resolves.toMatchObject({ type: 'ok', pid: me.pid })
      await expect(client.setInterval(50)).resolves.toMatchObject({ type: 'ok' })
      me.kill('SIGKILL')
    } finally {
      await client.shutdown()
    }
  })

  it('says ESRCH for a pid that exited before track, or never existed', async () => {
    const client = await start({ helperPath })
    try {
      const gone = spawn('true')
      await new Promise((r) => gone.once('exit', r))
      await expect(client.track(gone.pid!, true)).rejects.toMatchObject({ code: 'ESRCH' })
      await expect(client.track(4_194_000, true)).rejects.toMatchObject({ code: 'ESRCH', message: /no process with pid 4194000/ })
      await expect(client.untrack(4_194_000)).rejects.toMatchObject({ code: 'ESRCH' })
    } finally {
      await client.shutdown()
    }
  })
})

describe('beside the traced command', () => {
  it('leads a session of its own: where the kernel groups tasks by session, a group of its own', async () => {
    const client = await start()
    try {
      const pid = client.child.pid!
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // after the command name: state, ppid, pgrp, session
      const [, ppid, pgrp, session] = stat
        .slice(stat.lastIndexOf(')') + 2)
        .split(' ')
        .map(Number)
      expect({ ppid, pgrp, session }).toEqual({ ppid: process.pid, pgrp: pid, session: pid })
      // so it does not wait for a CPU behind the app, which is busy when a burst of the
      // command's processes needs the helper most (their slots are freed as it handles exits)
      expect(readFileSync(`/proc/${pid}/autogroup`, 'utf8')).not.toBe(readFileSync('/proc/self/autogroup', 'utf8'))
    } finally {
      await client.shutdown()
    }
  })
})

describe('a full process table', () => {
  it('counts and reports the processes it could not track, and says so to a track request', async () => {
    const client = await start({ args: ['--max-procs', '16'] })
    // a 'drops' event names only the counters that grew: under load, switches the kernel did not
    // show come too (without `procs`)
    const drops: number[] = []
    const seen: unknown[] = []
    client.on('drops', (d: { procs?: number }) => {
      drops.push(d.procs ?? 0)
      seen.push(d)
    })
    let ticks = 0
    client.on('tick', () => void ticks++)
    const sleepers = Array.from({ length: 16 }, () => spawn('sleep', ['30'], { stdio: 'ignore' }))
    try {
      expect(client.hello.max_procs).toBe(16)
      // 10 of 16 slots taken by sleepers, then a shell that forks 12 children that live together: 5 of them fit
      for (const s of sleepers.slice(0, 10)) await client.track(s.pid!, false)
      const r = await runUnderHelper(client, ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 1 & done; wait'])
      expect(r.forks.length).toBe(5)
      // drops are reported with a tick: wait for them, then a tick more to see no more come
      const total = (): number => drops.reduce((a, b) => a + b, 0)
      await until('7 drops reported', () => total() >= 7).catch((e: Error) => {
        throw new Error(`${e.message}; drops messages: ${JSON.stringify(seen)}; forks: ${JSON.stringify(r.forks)}`)
      })
      const seen = ticks
      await until('one more tick', () => ticks > seen)
      expect(total()).toBe(7)
      // the table is free again once they exited; fill it up and ask for one more
      for (const s of sleepers.slice(10)) await client.track(s.pid!, false)
      const extra = spawn('sleep', ['30'], { stdio: 'ignore' })
      try {
        const err = await client.track(extra.pid!, false).catch((e: { code: string; message: string }) => e)
        expect(err).toMatchObject({ code: 'ENOSPC', message: expect.stringMatching(/more than 16 processes/) })
      } finally {
        extra.kill('SIGKILL')
      }
    } finally {
      for (const s of sleepers) s.kill('SIGKILL')
      await client.shutdown()
    }
  })
})

describe('when the app goes away', () => {
  it('refuses requests before hello', async () => {
    // a raw helper without our client's hello
    const child = spawn(HELPER, [], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] })
    const sock = child.stdio[3] as import('node:stream').Duplex
    sock.setEncoding('utf8')
    const first = new Promise<string>((r) => sock.once('data', (d: string) => r(d)))
    sock.write('track 1 1 1\n')
    expect(JSON.parse((await first).split('\n')[0]!)).toMatchObject({ type: 'error', id: 1, code: 'EPROTO' })
    sock.destroy()
    await new Promise((r) => child.once('exit', r))
  })

  it('detaches everything and exits 0 when the socket closes mid-tick', async () => {
    const client = await start()
    const busy = spawn('sh', ['-c', 'while :; do :; done'])
    try {
      await client.track(busy.pid!, true)
      let ticks = 0
      client.on('tick', () => void ticks++)
      await client.setInterval(10)
      // ticks of 10 ms under way: the socket closes while one is being built or sent
      await until('ten ticks', () => ticks >= 10)
    } finally {
      busy.kill('SIGKILL')
    }
    const mine = heldProgIds(client.child.pid!)
    expect(mine.size).toBe(HELD)
    expect([...mine].every((id) => progIds().has(id))).toBe(true)
    expect(ourLinks(mine)).toBe(PROGRAMS)
    client.abandon()
    const { code, signal } = await client.exited
    expect({ code, signal }).toEqual({ code: 0, signal: null })
    await expect.poll(() => [...progIds()].filter((id) => mine.has(id)).length, { timeout: 5000 }).toBe(0)
    expect(ourLinks(mine)).toBe(0)
  })

  it('detaches everything on SIGTERM and on a shutdown request', async () => {
    for (const stop of ['SIGTERM', 'shutdown'] as const) {
      const c = await start()
      const mine = heldProgIds(c.child.pid!)
      expect(mine.size).toBe(HELD)
      if (stop === 'SIGTERM') c.child.kill('SIGTERM')
      else await c.shutdown()
      expect(await c.exited).toEqual({ code: 0, signal: null })
      await expect.poll(() => [...progIds()].filter((id) => mine.has(id)).length, { timeout: 5000 }).toBe(0)
    }
  })

  it('refuses to run when fd 3 is not a socket', () => {
    let out = ''
    try {
      execFileSync(HELPER, [], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
    } catch (e) {
      out = String((e as { stderr: string }).stderr)
    }
    expect(out).toMatch(/fd 3 is not a Unix stream socket/)
  })
})
