// Whose processes a user's helper watches: the process it checked and no later one given its pid
// (pidfds and start times), and only processes the user could ptrace (setuid, setgid and
// file-capability programs are not). Real processes, real pid reuse (clone3 set_tid), real BPF.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ASAN_HELPER, HELPER_BUILDS, HOOKS_ASAN_HELPER, HOOKS_HELPER, NR, buildWorkload, runUnderHelper } from './harness'
import { startHelper, HelperError, type HelperClient } from '../../src/main/helper/client'
import { CountAccumulator } from '../../src/main/helper/accumulate'
import { projectRoot } from '../../src/main/paths'
import { until } from '../util/until'

const PRCTL = 157 // x86_64

const NOBODY = 65534
const SETPRIV = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups']
const GROUP = `syscope-sg-${process.pid}`
let wl: { dir: string; markers: string }
let pidreuse: string
let unmount: () => void
/** per build: its setcap'd copy, and its test-hooks counterpart's */
const copies = new Map<string, { helper: string; hooks: string }>()

beforeAll(() => {
  wl = buildWorkload()
  pidreuse = join(wl.dir, 'pidreuse')
  execFileSync('cc', ['-O2', '-o', pidreuse, join(projectRoot(), 'test', 'helper', 'workloads', 'pidreuse.c')])
  unmount = tracefsForNobody()
  for (const [name, bin] of HELPER_BUILDS) {
    const tag = name.replace(/\W+/g, '-')
    const helper = join(wl.dir, `helper-${tag}`)
    const hooks = join(wl.dir, `hooks-${tag}`)
    copyFileSync(bin, helper)
    copyFileSync(bin === ASAN_HELPER ? HOOKS_ASAN_HELPER : HOOKS_HELPER, hooks)
    for (const f of [helper, hooks]) {
      chmodSync(f, 0o755)
      execFileSync('setcap', ['cap_bpf,cap_perfmon=ep', f])
    }
    copies.set(name, { helper, hooks })
  }
})
afterAll(() => {
  unmount?.()
  rmSync(wl.dir, { recursive: true, force: true })
})

/** tracefs readable by NOBODY's group, for the unprivileged helper's classic tracepoint mode */
function tracefsForNobody(): () => void {
  const opts = ['gid=' + NOBODY, 'mode=0750']
  if (!existsSync('/sys/kernel/tracing/events')) {
    execFileSync('mount', ['-t', 'tracefs', '-o', opts.join(','), 'nodev', '/sys/kernel/tracing'])
    return () => execFileSync('umount', ['/sys/kernel/tracing'])
  }
  const before = tracefsOwnership()
  execFileSync('mount', ['-o', ['remount', ...opts].join(','), '/sys/kernel/tracing'])
  return () => execFileSync('mount', ['-o', `remount,gid=${before.gid},mode=${before.mode}`, '/sys/kernel/tracing'])
}

/** tracefs's gid and mode as mounted now (mountinfo's super options; absent means the defaults) */
function tracefsOwnership(): { gid: string; mode: string } {
  const line = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[4] === '/sys/kernel/tracing')
  const superOpts = line?.split(' - ')[1]?.split(' ')[2]?.split(',') ?? []
  const opt = (name: string): string | undefined => superOpts.find((o) => o.startsWith(name + '='))?.slice(name.length + 1)
  return { gid: opt('gid') ?? '0', mode: opt('mode') ?? '0700' }
}

/** the lines a child prints, awaited one pattern at a time */
function lines(child: ChildProcessWithoutNullStreams): (re: RegExp) => Promise<RegExpMatchArray> {
  const got: string[] = []
  let buf = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (d: string) => {
    buf += d
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      got.push(buf.slice(0, i))
      buf = buf.slice(i + 1)
    }
  })
  return async (re) => {
    let m: RegExpMatchArray | null = null
    await until(`a line matching ${re} (got: ${got.join(' | ')})`, () => got.some((l) => (m = l.match(re)) !== null))
    return m!
  }
}

/** everything the helper says about one pid */
function watch(client: HelperClient, pid: () => number) {
  const seen = { counts: new CountAccumulator(), execs: [] as string[], exits: 0, untracked: [] as string[], ticks: 0 }
  client.on('counts', (m: { pid: number }) => m.pid === pid() && seen.counts.add(m as never))
  client.on('exec', (m: { pid: number; filename: string }) => m.pid === pid() && seen.execs.push(m.filename))
  client.on('exit', (m: { pid: number }) => m.pid === pid() && seen.exits++)
  client.on('untracked', (m: { pid: number; reason: string }) => m.pid === pid() && seen.untracked.push(m.reason))
  client.on('tick', () => seen.ticks++)
  return seen
}

function calls(c: CountAccumulator): number {
  return [...c.byNr().values()].reduce((a, t) => a + t.calls, 0)
}

/** a process given pid `pid`, running `sh -c 'read x; exec ...'` as uid:gid; started by a line */
function processAt(pid: number, uid: number, cmd: string[]): ChildProcessWithoutNullStreams {
  return spawn(pidreuse, ['at', String(pid), String(uid), String(uid), '/bin/sh', '-c', 'read x; exec "$@"', 'sh', ...cmd])
}

describe.each(HELPER_BUILDS)('track racing pid reuse, %s', (name, _bin, args) => {
  // the helper is paused between its checks of the process and its map insert; meanwhile the
  // process is killed, and root gets its pid. skipRecheck: the helper skips its check after
  // the insert, so the stale entry is left to the kernel side's own check
  it.each([false, true])('counts nothing of the next process with the pid (insert unchecked: %s)', async (skipRecheck) => {
    const pause = mkdtempSync(join(tmpdir(), 'syscope-pause-'))
    chownSync(pause, NOBODY, NOBODY)
    const env = ['env', `SYSCOPE_TEST_PAUSE_DIR=${pause}`, ...(skipRecheck ? ['SYSCOPE_TEST_SKIP_RECHECK=1'] : [])]
    const client = await startHelper({ helperPath: copies.get(name)!.hooks, wrapper: [...env, ...SETPRIV], args }).catch((e: unknown) => {
      rmSync(pause, { recursive: true, force: true })
      throw e
    })
    let pid = 0
    const seen = watch(client, () => pid)
    const victim = spawn(pidreuse, ['victim', String(NOBODY), String(NOBODY)])
    const victimSays = lines(victim)
    const others: ChildProcessWithoutNullStreams[] = []
    try {
      pid = Number((await victimSays(/^pid (\d+)/))[1])
      // exec'd (sleep), so the user may ptrace it
      await until('the victim to exec', () => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep')
      await client.setInterval(60_000) // no tick, so no check from user space, until asked
      const reply = client.track(pid, false).then(
        (m) => m,
        (e: HelperError) => e
      )
      await until('the helper to pause', () => existsSync(join(pause, 'checked')))
      victim.stdin.write('kill\n')
      await victimSays(/^zombie/)
      execFileSync('touch', [join(pause, 'resume')])
      const r = await reply
      if (skipRecheck) expect(r).toMatchObject({ type: 'ok' })
      else expect((r as HelperError).code).toBe('ESRCH')
      victim.stdin.write('reap\n')
      await victimSays(/^reaped/)
      // root's process, given that pid: 4444 getppid after an exec
      const root = processAt(pid, 0, [wl.markers, 'grandchild'])
      others.push(root)
      const rootSays = lines(root)
      expect(Number((await rootSays(/^pid (\d+)/))[1])).toBe(pid)
      const rootDone = new Promise((r) => root.once('exit', r))
      root.stdin.end('go\n')
      await rootDone
      await client.setInterval(20)
      const ticks = seen.ticks
      await until('three ticks', () => seen.ticks >= ticks + 3)
      expect(calls(seen.counts)).toBe(0)
      expect(seen.execs).toEqual([])
      expect(seen.exits).toBe(0)
      // the user's own next process with that pid is tracked, and counted exactly
      const own = processAt(pid, NOBODY, [wl.markers, 'grandchild'])
      others.push(own)
      const ownSays = lines(own)
      expect(Number((await ownSays(/^pid (\d+)/))[1])).toBe(pid)
      await until('the own process to exec sh', () => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sh'
        } catch {
          return false
        }
      })
      execFileSync('touch', [join(pause, 'resume')]) // this time the pause is passed through
      await expect(client.track(pid, false)).resolves.toMatchObject({ type: 'ok' })
      own.stdin.end('go\n')
      await until('the own process to exit', () => seen.exits === 1)
      expect(seen.counts.get(NR.getppid).calls).toBe(4444)
      expect(seen.execs).toEqual([wl.markers])
    } finally {
      victim.kill('SIGKILL')
      for (const c of others) c.kill('SIGKILL')
      await client.shutdown()
      rmSync(pause, { recursive: true, force: true })
    }
  })
})

describe.each(HELPER_BUILDS)('the ptrace rule, %s', (name, _bin, args) => {
  let sgid: string
  let fcap: string
  let suid: string
  beforeAll(() => {
    execFileSync('groupadd', ['--system', GROUP])
    sgid = join(wl.dir, 'sgid-markers')
    fcap = join(wl.dir, 'fcap-markers')
    suid = join(wl.dir, 'suid-sleep')
    copyFileSync(wl.markers, sgid)
    copyFileSync(wl.markers, fcap)
    copyFileSync('/bin/sleep', suid)
    execFileSync('chgrp', [GROUP, sgid])
    chmodSync(sgid, 0o2755)
    chmodSync(fcap, 0o755)
    execFileSync('setcap', ['cap_net_bind_service=ep', fcap])
    chmodSync(suid, 0o4755)
  })
  afterAll(() => {
    for (const f of [sgid, fcap, suid]) rmSync(f, { force: true })
    execFileSync('groupdel', [GROUP])
  })

  it.each([
    ['setgid', () => sgid],
    ['file-capability', () => fcap]
  ])('a tracked process that execs a %s program is untracked, and nothing of it told', async (_kind, prog) => {
    const client = await startHelper({ helperPath: copies.get(name)!.helper, wrapper: SETPRIV, args })
    const untracked: { pid: number; reason: string }[] = []
    client.on('untracked', (m: { pid: number; reason: string }) => untracked.push(m))
    try {
      const r = await runUnderHelper(client, [prog()], { uid: NOBODY, gid: NOBODY })
      expect(r.exit.code).toBe(0) // it ran, with its privileges
      expect(untracked).toEqual([{ pid: r.rootPid, reason: expect.stringMatching(/setgid or file-capability/), t_ns: expect.any(Number), type: 'untracked' }])
      expect(calls(r.counts)).toBe(0)
      expect(r.execs).toEqual([])
      expect(r.forks).toEqual([])
      expect(r.exits).toEqual([])
    } finally {
      await client.shutdown()
    }
  })

  // counts only too: its exit hook's fast way past the lookup (tracked_fast) must be gone with it
  it.each([
    ['timed', []],
    ['counts only', ['--counts-only']]
  ])('a tracked process that makes itself undumpable is untracked there (%s)', async (_mode, more) => {
    const client = await startHelper({ helperPath: copies.get(name)!.helper, wrapper: SETPRIV, args: [...args, ...more] })
    const untracked: { pid: number; reason: string }[] = []
    client.on('untracked', (m: { pid: number; reason: string }) => untracked.push(m))
    try {
      const r = await runUnderHelper(client, [pidreuse, 'undumpable'], { uid: NOBODY, gid: NOBODY })
      expect(r.exit.code).toBe(0)
      expect(untracked.map((u) => [u.pid, u.reason])).toEqual([[r.rootPid, expect.stringMatching(/could no longer ptrace/)]])
      expect(r.counts.get(PRCTL).calls).toBe(1) // its own, made while it was the user's to watch
      expect(r.counts.get(NR.getppid).calls).toBe(0)
      expect(r.exits).toEqual([])
    } finally {
      await client.shutdown()
    }
  })

  it('refuses to track a running setuid-root process of the user', async () => {
    const client = await startHelper({ helperPath: copies.get(name)!.helper, wrapper: SETPRIV, args })
    const p = spawn(suid, ['30'], { uid: NOBODY, gid: NOBODY })
    try {
      // real uid the user's, effective root
      const uids = (): string[] =>
        readFileSync(`/proc/${p.pid}/status`, 'utf8')
          .match(/^Uid:\s+(.*)$/m)?.[1]
          ?.split(/\s+/) ?? []
      await until('the setuid exec', () => uids()[1] === '0')
      expect(uids()[0]).toBe(String(NOBODY))
      const err = await client.track(p.pid!, true).then(
        () => null,
        (e: HelperError) => e
      )
      expect(err?.code).toBe('EPERM')
      expect(err?.message).toMatch(/runs with privileges you lack .*you could not ptrace it/)
    } finally {
      p.kill('SIGKILL')
      await client.shutdown()
    }
  })
})
