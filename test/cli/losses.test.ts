// Every loss is in the summary, with its size: processes the helper could not track (a burst
// over --max-procs), and the part of the run a killed helper left without syscall counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CLI, buildCli, childrenOf, runCli } from './harness'
import { openStore } from '../../src/main/session/manager'
import { until } from '../util/until'

let data: string

beforeAll(() => {
  buildCli()
  data = mkdtempSync(join(tmpdir(), 'syscope-loss-'))
})
afterAll(() => rmSync(data, { recursive: true, force: true }))

describe('losses in the summary', () => {
  it('names the processes a burst over --max-procs lost, in the JSON, the text and the app’s snapshot', async () => {
    const out = join(data, 'burst.syscope')
    // the shell and 60 children alive at once, with room for 16: 45 are not tracked. Each child
    // (a subshell: no exec, no process of its own beyond it) waits for a line on a FIFO the
    // shell holds open, and the shell writes the 60 lines only once it has started them all: so
    // they are alive together however slowly a loaded machine starts them (a fixed sleep was
    // not: beside a busy soak, the first children were gone before the last started)
    const fifo = join(data, 'burst.fifo')
    execFileSync('mkfifo', [fifo])
    const burst = `exec 3<>'${fifo}'; i=0; while [ $i -lt 60 ]; do (read x <&3) & i=$((i+1)); done; i=0; while [ $i -lt 60 ]; do echo >&3; i=$((i+1)); done; wait`
    const r = runCli(['record', '--json', '--max-procs', '16', '--out', out, '--', 'sh', '-c', burst], { XDG_DATA_HOME: data })
    expect(r.status, r.stderr).toBe(0)
    const warnings: string[] = JSON.parse(r.stdout).session.warnings
    expect(warnings.filter((w) => /process\(es\) were not traced/.test(w))).toEqual([
      expect.stringMatching(/^45 process\(es\) were not traced \(the helper's process table was full, (at|between) [\d.]+ s/)
    ])
    const text = runCli(['summary', out], { XDG_DATA_HOME: data })
    expect(text.stdout).toMatch(/warning: 45 process\(es\) were not traced/)
    // the app's views read the snapshot's warnings, from the digest as from every tick
    const store = await openStore(out, 'b')
    expect(store.snapshot('ended', 100, 'recording').warnings.join('\n')).toMatch(/45 process\(es\) were not traced/)
  })

  it('names the share of the run a helper killed with SIGKILL left uncovered', async () => {
    const out = join(data, 'helper-killed.syscope')
    const p = spawn('node', [CLI, 'record', '--json', '--out', out, '--', 'sleep', '1.5'], { env: { ...process.env, XDG_DATA_HOME: data } })
    let stdout = ''
    p.stdout.on('data', (d: Buffer) => (stdout += d))
    const helper = await until('the helper', () => childrenOf(p.pid!, 'syscope-helper')[0])
    // a few ticks with the helper first
    await until('ticks in the recording', () => existsSync(out) && statSync(out).size > 600)
    process.kill(helper, 'SIGKILL')
    const code = await new Promise((r) => p.once('exit', r))
    expect(code).toBe(0)
    const warnings: string[] = JSON.parse(stdout).session.warnings
    const gap = warnings.find((w) => /syscall totals cover only/.test(w))
    expect(gap, warnings.join('\n')).toMatch(
      /^syscall totals cover only (\d+) % of the run \(([\d.]+) s of ([\d.]+) s\): the syscall helper was gone from [\d.]+ s on \(the helper killed by SIGKILL\)/
    )
    const [, share, covered, total] = /(\d+) % of the run \(([\d.]+) s of ([\d.]+) s\)/.exec(gap!)!.map(Number)
    expect(share).toBeGreaterThan(0)
    expect(share).toBeLessThan(100)
    expect(covered).toBeLessThan(total!)
    expect(runCli(['summary', out], { XDG_DATA_HOME: data }).stdout).toMatch(/warning: syscall totals cover only \d+ % of the run/)
  })
})
