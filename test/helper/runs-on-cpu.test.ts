// Run reports for a process that had a thread on a CPU at the moment it was tracked: that
// thread's switch-out is counted, its switch-in was not. The helper once took the unequal
// counters for "on a CPU" and named the process in every tick for good, so the sampler read it
// every tick (on an idle machine a launcher is often on the other CPU while it is armed: the
// run-reports test then failed most runs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import type { RanMessage } from '../../src/main/helper/protocol'
import { HELPER_BUILDS, buildWorkload, start } from './harness'
import { threadStates } from '../util/proc'
import { until } from '../util/until'

let wl: { dir: string; markers: string }
beforeAll(() => {
  wl = buildWorkload()
})
afterAll(() => {
  rmSync(wl.dir, { recursive: true, force: true })
})

const withRuns = HELPER_BUILDS.filter(([, , args]) => args[1] !== 'tracepoint')

describe.each(withRuns)('run reports of a process tracked while on a CPU (%s)', (_name, helperPath, args) => {
  it('stops naming it once its threads sleep', async () => {
    const client = await start({ helperPath, args })
    // a second thread sleeps 1 s, spins 300 ms, sleeps 1 s and spins again (the main thread waits)
    const proc = spawn(wl.markers, ['naps', '2', '300', '1000'], { stdio: 'ignore' })
    const pid = proc.pid!
    try {
      await until('its second thread spins', () => {
        const s = threadStates(pid)
        return s.length === 2 && s.includes('R')
      })
      const ticks: Set<number>[] = []
      let current = new Set<number>()
      client.on('ran', (m: RanMessage) => m.pids.forEach((p) => current.add(p)))
      client.on('tick', () => {
        ticks.push(current)
        current = new Set()
      })
      await client.track(pid, false)
      await until('every thread sleeps', () => threadStates(pid).every((s) => s === 'S'))
      // the tick that ends now may hold the end of the spin; the two after it cannot
      const seen = ticks.length
      await until('three more ticks', () => ticks.length >= seen + 3)
      expect(ticks[seen + 1]!.has(pid)).toBe(false)
      expect(ticks[seen + 2]!.has(pid)).toBe(false)
      expect(threadStates(pid).every((s) => s === 'S')).toBe(true)
    } finally {
      proc.kill('SIGKILL')
      await client.shutdown()
    }
  })
})
