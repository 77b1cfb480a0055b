// The CLI when its outputs fail: a full disk under --out, a closed stdout, and syscope itself
// killed with SIGKILL. Each ends with a loadable recording, one clear line, and the launched
// command ended or left as the user chose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { loadStore } from '../../src/main/session/manager'
import { buildSummary } from '../../src/main/analysis/summary'
import { formatSummary } from '../../src/cli/format-summary'
import { CLI, alive, buildCli, childrenOf, killPids, pidsMatching, ticksOnDisk } from './harness'
import { until } from '../util/until'

let data: string
let full: string
const started: number[] = []

beforeAll(() => {
  buildCli()
  data = mkdtempSync(join(tmpdir(), 'syscope-cli-'))
  // a tiny filesystem of its own: full after a few seconds of recording
  full = mkdtempSync(join(tmpdir(), 'syscope-full-'))
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full])
})
afterAll(() => {
  killPids(started)
  spawnSync('umount', [full])
  rmSync(full, { recursive: true, force: true })
  rmSync(data, { recursive: true, force: true })
})

/** the parent pid of pid (0 once it is gone) */
function parentOf(pid: number): number {
  try {
    return Number(/^\d+ \(.*\) \S (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? 0)
  } catch {
    return 0
  }
}

/**
 * A busy command that never ends on its own, found again by its unique name. It waits on a FIFO
 * (release() opens it) before it starts: its ~1,000 processes a second make events fast enough to
 * fill the tiny disk before a late first tick (a starved machine) is flushed, and a recording
 * cut back to no tick at all is right then; the tests release it once a tick is on the disk.
 */
function endlessBusy(): { argv: string[]; tag: string; release: () => void } {
  const tag = `syscope-busy-${randomBytes(4).toString('hex')}`
  const go = join(data, `${tag}.go`)
  execFileSync('mkfifo', [go])
  return {
    argv: ['sh', '-c', `read _ < "$1"; while :; do head -c 2000 /dev/urandom | od > /dev/null; done`, tag, go],
    tag,
    // (opening the FIFO for writing waits for the command's read, already waiting or soon)
    release: () => writeFileSync(go, 'go\n')
  }
}

/**
 * `syscope record ARGS -- busy` onto the tiny disk, the busy command released once a tick is on
 * it (should none come, syscope and the command waiting on its FIFO are ended). Its exit (null:
 * not within 40 s), its helper's pid and its output.
 */
async function recordUntilFull(
  args: string[],
  out: string,
  busy: ReturnType<typeof endlessBusy>
): Promise<{ ended: { status: number | null; signal: string | null } | null; helper: number; stdout: string; stderr: string }> {
  const p = spawn('node', [CLI, 'record', ...args, '--', ...busy.argv], { env: { ...process.env, XDG_DATA_HOME: data } })
  let stdout = ''
  let stderr = ''
  p.stdout.on('data', (d: Buffer) => (stdout += d))
  p.stderr.on('data', (d: Buffer) => (stderr += d))
  const exited = new Promise<{ status: number | null; signal: string | null }>((done) => p.once('exit', (status, signal) => done({ status, signal })))
  let helper: number
  try {
    helper = await until('the helper', () => childrenOf(p.pid!, 'syscope-helper')[0])
    await until('a tick on the disk', () => ticksOnDisk(out) > 0)
  } catch (e) {
    p.kill('SIGKILL')
    killPids(pidsMatching(busy.tag))
    throw e
  }
  busy.release()
  let timer: NodeJS.Timeout | undefined
  const ended = await Promise.race([exited, new Promise<null>((done) => (timer = setTimeout(() => done(null), 40_000)))])
  clearTimeout(timer)
  return { ended, helper, stdout, stderr }
}

describe('a full disk under --out', () => {
  it('stops the session, keeps the file loadable, says so in one line, and ends the command', async () => {
    const out = join(full, 'kill.syscope')
    const busy = endlessBusy()
    const { ended, helper, stdout, stderr } = await recordUntilFull(['--out', out], out, busy)
    started.push(...pidsMatching(busy.tag))
    expect(ended, 'syscope must end on its own').not.toBeNull()
    const r = { ...ended!, stdout, stderr }
    // the helper was shut down, not left behind
    expect(alive(helper)).toBe(false)
    expect(r.status).toBe(1)
    const lines = r.stderr.trim().split('\n')
    expect(lines, r.stderr).toHaveLength(1)
    const said = lines[0]!.match(
      new RegExp(
        `^syscope: cannot write the recording ${out}: no space left on device \\(ENOSPC\\); recording stopped, the file keeps about the first ([\\d.]+) s; the command is being ended`
      )
    )
    expect(said, lines[0]).not.toBeNull()
    // the command ended with syscope (it would loop for ever)
    expect(pidsMatching(busy.tag)).toEqual([])
    // the summary names it too
    expect(r.stdout).toMatch(/warning: the recording could not be written after [\d.]+ s \(no space left on device\)/)
    // what was written opens, with a warning
    const store = await loadStore(out, 'full')
    expect(store.tickCount).toBeGreaterThan(0)
    expect(store.warnings.join(' ')).toMatch(/not closed properly/)
    // what the line said it keeps is what it keeps: up to its last tick
    expect(said![1]).toBe((store.tickTime(store.tickCount - 1) / 1000).toFixed(1))
  })

  it('leaves the command running with --on-error detach', async () => {
    const out = join(full, 'detach.syscope')
    rmSync(join(full, 'kill.syscope'), { force: true })
    const busy = endlessBusy()
    const { ended, stderr } = await recordUntilFull(['--on-error', 'detach', '--out', out], out, busy)
    expect(ended, 'syscope must end on its own').not.toBeNull()
    const r = { ...ended!, stderr }
    // the shell's own process: a copy it has just forked, not yet a head or od, bears its tag too
    const tagged = pidsMatching(busy.tag)
    started.push(...tagged)
    const left = tagged.filter((pid) => !tagged.includes(parentOf(pid)))
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/no space left on device \(ENOSPC\).*the command was left running/)
    expect(left.length).toBe(1)
    killPids(left)
    const store = await loadStore(out, 'detach')
    expect(store.tickCount).toBeGreaterThan(0)
  })
})

describe('a closed stdout', () => {
  it('is not an error: syscope records on and exits with the command’s code', async () => {
    const out = join(data, 'pipe.syscope')
    const r = spawnSync('bash', ['-c', `node ${CLI} record --out ${out} -- seq 100000 | head -1; echo "status=\${PIPESTATUS[0]}" >&2`], {
      encoding: 'utf8',
      env: { ...process.env, XDG_DATA_HOME: data },
      timeout: 30_000
    })
    expect(r.stdout).toBe('1\n')
    expect(r.stderr).not.toMatch(/EPIPE|Error|at /)
    expect(r.stderr).toMatch(/status=0/)
    expect(statSync(out).size).toBeGreaterThan(0)
    const store = await loadStore(out, 'pipe')
    expect(store.warnings).toEqual([])
    expect(store.ended).toMatchObject({ exit_code: 0 })
    // the whole output is in the recording, though only its first line was read
    expect(store.output.map((o) => o.text).join('')).toContain('\n100000\n')
  })
})

describe('syscope killed with SIGKILL', () => {
  async function recordThenKill(extra: string[]): Promise<{ out: string; sleeper: number }> {
    const arg = `${300 + Math.random()}`.slice(0, 9)
    const out = join(data, `killed-${randomBytes(3).toString('hex')}.syscope`)
    const p = spawn('node', [CLI, 'record', ...extra, '--out', out, '--', 'sleep', arg], { stdio: 'ignore', env: { ...process.env, XDG_DATA_HOME: data } })
    const sleeper = await until('the command to run', () => pidsMatching(`^sleep ${arg.replace('.', '\\.')}$`)[0])
    started.push(sleeper)
    // a few ticks in the file
    await until('ticks in the recording', () => existsSync(out) && statSync(out).size > 400)
    p.kill('SIGKILL')
    await new Promise((r) => p.once('exit', r))
    return { out, sleeper }
  }

  it('takes the launched command with it', async () => {
    const { out, sleeper } = await recordThenKill([])
    await until('the command to die with syscope', () => !alive(sleeper), { timeoutMs: 5000 })
    // and the recording says it ended abnormally, not that it was detached
    const text = formatSummary(buildSummary(await loadStore(out, 'k'), 'ended'))
    expect(text).toMatch(/ended abnormally: the recording was not closed/)
    expect(text).not.toMatch(/detached/)
  })

  it('leaves it running with --on-error detach', async () => {
    const { sleeper } = await recordThenKill(['--on-error', 'detach'])
    // a parent-death signal is sent while the parent exits, so before its exit was seen: by now
    // the command would be dead, dying, or have SIGKILL pending. It is asleep, with none.
    expect(alive(sleeper)).toBe(true)
    const status = readFileSync(`/proc/${sleeper}/status`, 'utf8')
    expect(status).toMatch(/^State:\tS/m)
    for (const m of status.matchAll(/^(SigPnd|ShdPnd):\t([0-9a-f]+)$/gm)) expect(BigInt(`0x${m[2]}`) & 0x100n).toBe(0n)
    killPids([sleeper])
  })
})
