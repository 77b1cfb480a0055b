// Driving the real `syscope` command (the bundle, rebuilt so that it is this tree's code) and
// waiting for what it does to processes, with deadlines rather than sleeps.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { constants as zlibConstants, gunzipSync } from 'node:zlib'
import { projectRoot } from '../../src/main/paths'

export const CLI = join(projectRoot(), 'bin', 'syscope.mjs')

export function buildCli(): void {
  execFileSync('node', ['scripts/build-cli.mjs'], { cwd: projectRoot() })
}

/** a helper (this tree's build) that runs in the given attach mode, as a script in dir: the CLI
 * takes its helper from SYSCOPE_HELPER */
export function helperIn(dir: string, mode: 'tp_btf' | 'raw_tp' | 'tracepoint'): string {
  const path = join(dir, `helper-${mode}`)
  writeFileSync(path, `#!/bin/sh\nexec '${join(projectRoot(), 'build', 'helper', 'syscope-helper')}' --mode ${mode} "$@"\n`)
  chmodSync(path, 0o755)
  return path
}

export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): SpawnSyncReturns<string> {
  // (a --detail summary of tens of thousands of files is more than spawnSync's default buffer)
  return spawnSync('node', [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 256 << 20 })
}

/** Poll `probe` until it returns something other than undefined/false, or throw at the deadline. */

/** pids whose full command line matches the extended regexp */
export function pidsMatching(pattern: string): number[] {
  const r = spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' })
  return r.stdout.split('\n').filter(Boolean).map(Number)
}

/** the children of pid, by their command name */
export function childrenOf(pid: number, comm: string): number[] {
  const r = spawnSync('pgrep', ['-P', String(pid), '-x', comm], { encoding: 'utf8' })
  return r.stdout.split('\n').filter(Boolean).map(Number)
}

export function alive(pid: number): boolean {
  try {
    // a zombie is dead for our purposes
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

export function killPids(pids: number[]): void {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL')
    } catch {
      /* gone */
    }
  }
}

/** the ticks of a recording being written, as far as its gzip stream can be read so far (0 while
 * there is no file, or nothing of it inflates yet) */
export function ticksOnDisk(path: string): number {
  try {
    const text = gunzipSync(readFileSync(path), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('utf8')
    return text.split('\n').filter((l) => l.startsWith('{"k":"s"')).length
  } catch {
    return 0
  }
}
