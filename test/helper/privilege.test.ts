// Least privilege, for real: a setcap'd copy run as an unprivileged uid counts that uid's
// workload exactly, holds no capability once attached, and refuses other users' processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { closeSync, constants, copyFileSync, chmodSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { HELPER, HOOKS_HELPER, NR, buildWorkload, mapEntries, runUnderHelper } from './harness'
import { until } from '../util/until'
import type { FileMessage } from '../../src/main/helper/protocol'
import { startHelper, HelperError } from '../../src/main/helper/client'
import { launcherPath } from '../../src/main/session/launch-command'

const NOBODY = 65534
const SETPRIV = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups']
let wl: { dir: string; markers: string }
let capped: string
let plain: string
let hooks: string
const saved: Record<string, string> = {}
const SYSCTLS = { 'kernel/kptr_restrict': '2', 'kernel/perf_event_paranoid': '3' }

beforeAll(() => {
  wl = buildWorkload()
  capped = join(wl.dir, 'syscope-helper')
  plain = join(wl.dir, 'syscope-helper-nocaps')
  copyFileSync(HELPER, capped)
  hooks = join(wl.dir, 'syscope-helper-hooks')
  copyFileSync(HELPER, plain)
  copyFileSync(HOOKS_HELPER, hooks)
  for (const f of [capped, plain, hooks]) chmodSync(f, 0o755)
  execFileSync('setcap', ['cap_bpf,cap_perfmon=ep', capped])
  execFileSync('setcap', ['cap_bpf,cap_perfmon=ep', hooks])
  // the hardened settings the seeds tell users to weaken: the helper must work with them
  for (const [k, v] of Object.entries(SYSCTLS)) {
    saved[k] = readFileSync(`/proc/sys/${k}`, 'utf8').trim()
    execFileSync('sh', ['-c', `echo ${v} > /proc/sys/${k}`])
  }
})
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) execFileSync('sh', ['-c', `echo ${v} > /proc/sys/${k}`])
  rmSync(wl.dir, { recursive: true, force: true })
})

function status(pid: number): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const [k, v] = line.split(':\t')
    if (k && v !== undefined) out[k] = v.trim()
  }
  return out
}

describe('unprivileged helper with cap_bpf,cap_perfmon', () => {
  it('counts its own user’s workload exactly with kptr_restrict=2 and perf_event_paranoid=3', async () => {
    const client = await startHelper({ helperPath: capped, wrapper: SETPRIV })
    try {
      expect(client.hello.uid).toBe(NOBODY)
      expect(client.hello.mode).toBe('tp_btf')
      const r = await runUnderHelper(client, [wl.markers], { uid: NOBODY, gid: NOBODY })
      expect(r.counts.get(NR.getppid).calls).toBe(10665)
      expect(r.counts.get(NR.chdir)).toMatchObject({ calls: 77, errors: 77 })
    } finally {
      await client.shutdown()
    }
  })

  // helper/held.c reads /proc/PID/fd of its user's processes, with no capability held
  it('lets go of the pipes its user’s shell holds no more (--detail)', async () => {
    const fifo = join(wl.dir, 'held-go')
    execFileSync('mkfifo', ['-m', '0666', fifo])
    const go = openSync(fifo, constants.O_RDWR)
    const client = await startHelper({ helperPath: capped, wrapper: SETPRIV, args: ['--detail'] })
    const pipes = new Map<string, FileMessage>()
    client.on('file', (m: FileMessage) => void (m.kind === 'pipe' && m.opens === 2 && pipes.set(m.file, m)))
    const N = 1500
    try {
      expect(client.hello.detail).toBe(true)
      await client.setInterval(20)
      const script = `for ((i = 1; i <= ${N}; i++)); do x=$(echo $i); done; read x < "$1"`
      const run = runUnderHelper(client, ['/bin/bash', '-c', script, 'sh', fifo], { uid: NOBODY, gid: NOBODY })
      await until('every substitution read', () => pipes.size === N && [...pipes.values()].every((m) => m.read_bytes > 0), { timeoutMs: 60_000 })
      // kept: the pipes since the shell's last look (each 1,024 keys), not all N
      await until('the pipes let go', () => mapEntries(client.child.pid!, 'file_stats').length < N / 2)
      writeSync(go, 'x\n')
      expect((await run).exit.code).toBe(0)
    } finally {
      closeSync(go)
      await client.shutdown()
    }
  }, 90_000)

  it('holds no capability after attaching, and cannot regain any', async () => {
    const client = await startHelper({ helperPath: capped, wrapper: SETPRIV })
    try {
      // setpriv execs the helper, so the child pid is the helper's
      const s = status(client.child.pid!)
      expect(s.Uid?.split(/\s+/)[0]).toBe(String(NOBODY))
      for (const k of ['CapEff', 'CapPrm', 'CapInh', 'CapAmb']) expect(s[k], k).toBe('0000000000000000')
      expect(s.NoNewPrivs).toBe('1')
      expect(client.hello.caps).toBe('dropped')
    } finally {
      await client.shutdown()
    }
  })

  it('refuses to track another user’s process, saying why', async () => {
    const client = await startHelper({ helperPath: capped, wrapper: SETPRIV })
    const root = spawn('sleep', ['30'])
    try {
      const err = await client.track(root.pid!, true).then(
        () => null,
        (e: HelperError) => e
      )
      expect(err?.code).toBe('EPERM')
      expect(err?.message).toMatch(/belongs to uid 0, not to you \(uid 65534\)/)
      const init = await client.track(1, false).catch((e: HelperError) => e)
      expect((init as HelperError).code).toBe('EPERM')
      // and it keeps serving its own user afterwards
      const own = spawn('sleep', ['30'], { uid: NOBODY, gid: NOBODY })
      await expect(client.track(own.pid!, false)).resolves.toMatchObject({ type: 'ok' })
      own.kill('SIGKILL')
    } finally {
      root.kill('SIGKILL')
      await client.shutdown()
    }
  })

  it('stops watching a child that execs a setuid program', async () => {
    // a setuid-root copy of `id`: after exec it runs with euid 0, so it is not ours to watch
    const suid = join(wl.dir, 'suid-id')
    copyFileSync('/usr/bin/id', suid)
    chmodSync(suid, 0o4755)
    const client = await startHelper({ helperPath: capped, wrapper: SETPRIV })
    const untracked: number[] = []
    client.on('untracked', (m: { pid: number }) => untracked.push(m.pid))
    try {
      const r = await runUnderHelper(client, [suid], { uid: NOBODY, gid: NOBODY })
      expect(untracked).toContain(r.rootPid)
      // nothing after the exec was counted for it: only the execve itself at most
      const calls = [...(r.counts.perPid.get(r.rootPid)?.values() ?? [])].reduce((a, t) => a + t.calls, 0)
      expect(calls).toBeLessThanOrEqual(1)
    } finally {
      await client.shutdown()
    }
  })

  it('without the capabilities, fails with a message naming them and the fix', async () => {
    const err = await startHelper({ helperPath: plain, wrapper: SETPRIV }).then(
      (c) => {
        void c.shutdown()
        return null
      },
      (e: HelperError) => e
    )
    expect(err).not.toBeNull()
    expect(err!.message).toMatch(/cap_bpf and cap_perfmon/)
    expect(err!.message).toMatch(/setcap cap_bpf,cap_perfmon=ep/)
    const d = spawnSync(SETPRIV[0]!, [...SETPRIV.slice(1), plain, '--diagnose'], { encoding: 'utf8' })
    expect(d.status).toBe(1)
    const diag = JSON.parse(d.stdout)
    expect(diag.ready).toBe(false)
    expect(diag.caps_after_attach).toBeNull()
    expect(diag.problems[0].id).toBe('capabilities')
    expect(diag.problems[0].fix).toContain(`setcap cap_bpf,cap_perfmon=ep ${plain}`)
  })
})

// Kernels 5.8–5.18 with unprivileged_bpf_disabled refuse every bpf() command without CAP_BPF,
// so there the helper keeps CAP_BPF permitted and raises it only around its map updates. This
// kernel does not gate them, so the test-hooks build is told to take that path.
describe('on a kernel that checks CAP_BPF for every bpf() command', () => {
  const CAP_BPF_ONLY = (1n << 39n).toString(16).padStart(16, '0')
  const GATED = ['env', 'SYSCOPE_TEST_BPF_NEEDS_CAP=1', ...SETPRIV]

  it('keeps cap_bpf permitted but not effective, and still counts exactly', async () => {
    const client = await startHelper({ helperPath: hooks, wrapper: GATED })
    try {
      expect(client.hello.caps).toBe('cap_bpf_on_demand')
      const before = status(client.child.pid!)
      expect(before.CapEff).toBe('0000000000000000')
      expect(before.CapPrm).toBe(CAP_BPF_ONLY)
      for (const k of ['CapInh', 'CapAmb']) expect(before[k], k).toBe('0000000000000000')
      expect(before.NoNewPrivs).toBe('1')
      // tracking (slot taken, task storage updated) and every exit (slot given back) go
      // through bpf() with the capability raised for the call
      for (let round = 0; round < 2; round++) {
        const r = await runUnderHelper(client, [wl.markers], { uid: NOBODY, gid: NOBODY })
        expect(r.counts.get(NR.getppid).calls).toBe(10665)
        expect(r.counts.get(NR.chdir)).toMatchObject({ calls: 77, errors: 77 })
      }
      const after = status(client.child.pid!)
      expect(after.CapEff).toBe('0000000000000000')
      expect(after.CapPrm).toBe(CAP_BPF_ONLY)
    } finally {
      await client.shutdown()
    }
  })

  it('--diagnose says which of the two a session would do', () => {
    const diagnose = (wrapper: string[]): { caps_after_attach: string | null } =>
      JSON.parse(spawnSync(wrapper[0]!, [...wrapper.slice(1), hooks, '--diagnose'], { encoding: 'utf8' }).stdout)
    expect(diagnose(GATED).caps_after_attach).toBe('cap_bpf_on_demand')
    expect(diagnose(SETPRIV).caps_after_attach).toBe('dropped')
  })

  it('the same build drops everything where the kernel does not need it', async () => {
    const client = await startHelper({ helperPath: hooks, wrapper: SETPRIV })
    try {
      expect(client.hello.caps).toBe('dropped')
      expect(status(client.child.pid!).CapPrm).toBe('0000000000000000')
    } finally {
      await client.shutdown()
    }
  })
})

describe('the launcher', () => {
  it('never holds capabilities', () => {
    expect(execFileSync('getcap', [launcherPath()], { encoding: 'utf8' }).trim()).toBe('')
  })
})
