// What the helper says in its last tick is recorded. Some figures come only with a tick, never
// with a process's exit: the slowest calls, disk requests, losses. When a session ends, the
// helper answers its release with a final tick, and the session once recorded its last tick
// before asking: all the helper saw after its previous tick was lost. Under load the session
// falls back to its own clock (the helper's ticks came late), and then the last tick's figures
// (a 64 KiB dd's reads, or all of them) went missing now and then.
//
// Two ways, each made certain here:
// - the session ran on its own clock: the helper's period is then set to a minute, so that the
//   command's last call is reported in the final tick or not at all;
// - the end was asked for (the command's exit, told at once) while a tick of ours ran, before the
//   helper's next tick brought the figures up to it: that tick is held until the end is asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SessionManager } from '../../src/main/session/manager'
import type { LiveSession } from '../../src/main/session/live'
import type { HelperConnection } from '../../src/main/session/ebpf'
import { buildSummary } from '../../src/main/analysis/summary'
import type { Summary } from '../../src/main/types/summary'
import type { Sampler } from '../../src/main/proc/sampler'
import { until } from '../util/until'
import { releaseFifo } from '../util/fifo'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syscope-final-'))
  chmodSync(dir, 0o755)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** the session's next `n` ticks */
function ticks(live: LiveSession, n: number): Promise<void> {
  return new Promise((resolve) => {
    const one = (): void => {
      if (--n > 0) return
      live.off('tick', one)
      resolve()
    }
    live.on('tick', one)
  })
}

/**
 * `sh -c 'read x < FIFO; exec sleep 0.2'` in a session with the helper: shape() readies the
 * session while the command waits, then the FIFO lets it go on; the summary once it ended.
 */
async function sleepAfterGo(name: string, shape: (live: LiveSession) => Promise<void>): Promise<Summary> {
  const go = join(dir, name)
  execFileSync('mkfifo', [go])
  const m = new SessionManager({ dataDir: dir })
  const live = await m.launch({ argv: ['sh', '-c', `read x < ${go}; exec sleep 0.2`], intervalMs: 100, ebpf: true, slowest: 10 })
  try {
    await shape(live)
    await releaseFifo(go)
    await live.waitEnded()
  } finally {
    await m.shutdown()
  }
  return buildSummary(live.store, 'ended')
}

/** sleep's one call (it made no other that long): in the summary, whole */
function expectSleepCall(s: Summary): void {
  const calls = s.ebpf.slowest_calls ?? []
  const slept = calls.filter((c) => c.comm === 'sleep' && /nanosleep/.test(c.syscall))
  expect(slept, JSON.stringify(calls)).toHaveLength(1)
  expect(slept[0]!.duration_ns).toBeGreaterThanOrEqual(200e6)
}

describe('the final tick', () => {
  it('records the slowest call the helper saw after its last periodic tick', async () => {
    const s = await sleepAfterGo('go', async (live) => {
      // the helper's tick stops for a minute: after its answer, a tick message already on its
      // way may start one more tick of ours; the second after it comes from our own clock
      const helper = Reflect.get(live, 'helper') as HelperConnection
      await helper.setInterval(60_000)
      await ticks(live, 2)
      expect(Reflect.get(live, 'clock')).toBe('own')
    })
    expectSleepCall(s)
  }, 60_000)

  it('records what the helper saw up to an exit told while a tick ran', async () => {
    const s = await sleepAfterGo('go-mid', async (live) => {
      // the next tick to sample waits until the end is asked for (the command's exit, told at
      // once), then goes on at once: the helper's tick after the exit, with sleep's call, comes
      // later (its period is 100 ms; we look every 1 ms)
      const asked = (): Promise<unknown> => until('the end is asked for', () => Reflect.get(live, 'endRequested') as unknown, { intervalMs: 1 })
      const sampler = Reflect.get(live, 'sampler') as Sampler
      const sampleOnce = sampler.sampleOnce.bind(sampler)
      let held = false
      sampler.sampleOnce = async () => {
        const sample = await sampleOnce()
        if (!held) {
          held = true
          await asked()
        }
        return sample
      }
    })
    expectSleepCall(s)
  }, 60_000)
})
