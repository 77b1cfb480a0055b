// The setcap'd helper takes nothing that shapes what it loads from a caller who is not root: no
// --btf, no environment for libbpf, no --max-procs above its cap. Also: nothing is handled after
// a shutdown, and a verifier rejection is not reported as missing capabilities.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HELPER, HOOKS_HELPER, start } from './harness'
import { startHelper, type HelperClient, HelperError } from '../../src/main/helper/client'
import type { HelperMessage } from '../../src/main/helper/protocol'

const NOBODY = 65534
const SETPRIV = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups']
const BTF_REFUSED = /--btf is for root only: a BTF file decides which kernel memory the BPF programs read/
let dir: string
let capped: string
let hooks: string
let btf: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syscope-helper-hardening-'))
  chmodSync(dir, 0o755)
  capped = join(dir, 'syscope-helper')
  hooks = join(dir, 'syscope-helper-hooks')
  copyFileSync(HELPER, capped)
  copyFileSync(HOOKS_HELPER, hooks)
  for (const f of [capped, hooks]) {
    chmodSync(f, 0o755)
    execFileSync('setcap', ['cap_bpf,cap_perfmon=ep', f])
  }
  // a real BTF file, readable by nobody: the old helper would have loaded with it
  btf = join(dir, 'vmlinux.btf')
  copyFileSync('/sys/kernel/btf/vmlinux', btf)
  chmodSync(btf, 0o644)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** the bpf() commands a command made, from strace (run as root, so file capabilities still apply) */
function bpfCalls(argv: string[]): { status: number | null; stderr: string; calls: string[] } {
  const log = join(dir, `strace-${process.hrtime.bigint()}`)
  // a helper that went on to load would then wait for hello on fd 3: the timeout ends it
  const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=bpf', '-o', log, ...argv], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    timeout: 10_000
  })
  const calls = readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => /\bbpf\(/.test(l))
  rmSync(log)
  return { status: r.status, stderr: r.stderr, calls }
}

/** wait for a line on the helper's stderr (it may come after hello, on another pipe) */
async function stderrMatch(client: HelperClient, re: RegExp): Promise<RegExpMatchArray | null> {
  const deadline = Date.now() + 5000
  while (Date.now() < deadline) {
    const m = client.stderr.match(re)
    if (m) return m
    await new Promise((r) => setTimeout(r, 20))
  }
  return null
}

describe('--btf', () => {
  it('is refused to a user who is not root, with nothing loaded, and also with --diagnose', () => {
    for (const extra of [[], ['--diagnose']]) {
      // fd 3 is a socket: without the refusal, the helper would go on to load with this BTF
      const r = bpfCalls([...SETPRIV, capped, '--btf', btf, ...extra])
      expect(r.status, extra.join(' ')).toBe(2)
      expect(r.stderr).toMatch(BTF_REFUSED)
      expect(r.stderr).toMatch(/run it as root \(sudo\), or use a kernel with \/sys\/kernel\/btf\/vmlinux/i)
      expect(r.calls, 'bpf() calls').toEqual([])
    }
  })

  it('is still taken from root', async () => {
    const d = JSON.parse(execFileSync(HELPER, ['--btf', btf, '--diagnose'], { encoding: 'utf8' })) as { ready: boolean; btf: { path: string } }
    expect(d).toMatchObject({ ready: true, btf: { path: btf } })
    const client = await start({ args: ['--btf', btf] })
    try {
      expect(client.hello.mode).toBe('tp_btf')
    } finally {
      await client.shutdown()
    }
  })
})

describe('the environment', () => {
  const ENV = ['SYSCOPE_TEST_REPORT_ENV=1', 'LIBBPF_LOG_LEVEL=debug', `LIBBPF_BPF_TOKEN_PATH=${dir}`, 'LD_LIBRARY_PATH=/nonexistent']
  const REPORT = /syscope-test: (\d+) environment variables when libbpf loads/

  it('is empty when libbpf runs for a user who is not root, so libbpf variables have no effect', async () => {
    const client = await startHelper({ helperPath: hooks, wrapper: ['env', ...ENV, ...SETPRIV] })
    try {
      expect(client.hello.uid).toBe(NOBODY)
      expect((await stderrMatch(client, REPORT))?.[1]).toBe('0')
      // and nothing of libbpf's (it prints nothing on a load that works)
      expect(client.stderr).not.toMatch(/^libbpf: /m)
    } finally {
      await client.shutdown()
    }
  })

  it('is kept for root', async () => {
    const client = await startHelper({ helperPath: hooks, wrapper: ['env', ...ENV] })
    try {
      expect(Number((await stderrMatch(client, REPORT))?.[1])).toBeGreaterThanOrEqual(ENV.length)
    } finally {
      await client.shutdown()
    }
  })
})

describe('--max-procs', () => {
  it('is capped at 4096 for a user who is not root, with a message naming the cap', async () => {
    // a helper that took it would load, then wait for hello on fd 3: the timeout ends it
    const r = spawnSync(SETPRIV[0]!, [...SETPRIV.slice(1), capped, '--max-procs', '4097'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      timeout: 10_000
    })
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/--max-procs above 4096 is for root only: each process slot pins about 27 KiB of kernel memory/)
    const client = await startHelper({ helperPath: capped, wrapper: SETPRIV, args: ['--max-procs', '4096'] })
    try {
      expect(client.hello.max_procs).toBe(4096)
    } finally {
      await client.shutdown()
    }
  })

  it('goes higher for root', async () => {
    const client = await start({ args: ['--max-procs', '8192'] })
    try {
      expect(client.hello.max_procs).toBe(8192)
    } finally {
      await client.shutdown()
    }
  })
})

describe('its BPF file descriptors', () => {
  it('are out of reach of the user it runs as, once it has dropped its capabilities', async () => {
    const client = await startHelper({ helperPath: capped, wrapper: SETPRIV })
    try {
      expect(client.hello.caps).toBe('dropped')
      const pid = client.child.pid!
      // /proc/PID/fd, environ and ptrace (pidfd_getfd) all need the process to be dumpable
      for (const args of [
        ['ls', `/proc/${pid}/fd`],
        ['cat', `/proc/${pid}/environ`]
      ]) {
        const r = spawnSync(SETPRIV[0]!, [...SETPRIV.slice(1), ...args], { encoding: 'utf8' })
        expect(r.status, args.join(' ')).not.toBe(0)
        expect(r.stderr).toMatch(/Permission denied/)
      }
    } finally {
      await client.shutdown()
    }
  })
})

describe('shutdown', () => {
  it('is the last request handled, even with more in the same write', async () => {
    const client = await start()
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' })
    const replies: HelperMessage[] = []
    client.on('ok', (m: HelperMessage) => replies.push(m))
    client.on('helper-error', (m: HelperMessage) => replies.push(m))
    try {
      client.sendRaw(`shutdown 900\ntrack 901 ${sleeper.pid} 0\ninterval 902 50\n`)
      expect(await client.exited).toEqual({ code: 0, signal: null })
      expect(replies).toEqual([{ type: 'ok', id: 900 }])
    } finally {
      sleeper.kill('SIGKILL')
    }
  })
})

describe('a program the verifier rejects', () => {
  // the hooks build hands the kernel a null dereference for every program named *exit*: a real
  // verifier rejection (EACCES), with the capabilities held
  const REJECT = 'SYSCOPE_TEST_REJECT_PROG=exit'

  for (const [who, wrapper] of [
    ['a user with the setcap’d helper', ['env', REJECT, ...SETPRIV]],
    ['root', ['env', REJECT]]
  ] as const) {
    it(`is reported as such, not as missing capabilities (${who})`, async () => {
      const err = await startHelper({ helperPath: hooks, wrapper: [...wrapper] }).then(
        async (c) => {
          await c.shutdown()
          return null
        },
        (e: HelperError) => e
      )
      expect(err).toBeInstanceOf(HelperError)
      expect(err!.code).toBe('EIO')
      expect(err!.message).toMatch(/load BPF programs \(tp_btf\): the kernel's verifier rejected program btf_\w*exit: R0 invalid mem access 'scalar'/)
      expect(err!.message).not.toMatch(/cap_bpf|capabilit|not permitted|Permission denied/i)
    })
  }

  it('--diagnose names it as a verifier problem', () => {
    const d = spawnSync('env', [REJECT, ...SETPRIV, hooks, '--diagnose'], { encoding: 'utf8' })
    expect(d.status).toBe(1)
    const diag = JSON.parse(d.stdout) as { problems: { id: string; message: string }[] }
    expect(diag.problems.map((p) => p.id)).toEqual(['verifier'])
    expect(diag.problems[0]!.message).toMatch(/verifier rejected program/)
  })
})
