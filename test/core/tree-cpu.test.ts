// The tree's CPU counts children that live less than one sampling interval: a build is
// thousands of such processes, and a profiler that shows them as 0 % CPU misleads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SessionManager } from '../../src/main/session/manager'
import { buildSummary } from '../../src/main/analysis/summary'
import { buildWorkload } from '../helper/harness'

let wl: { dir: string; markers: string }
let data: string
beforeAll(() => {
  wl = buildWorkload()
  data = mkdtempSync(join(tmpdir(), 'syscope-treecpu-'))
})
afterAll(() => {
  rmSync(wl.dir, { recursive: true, force: true })
  rmSync(data, { recursive: true, force: true })
})

describe('tree CPU', () => {
  it.each([true, false])('includes 40 children of 30 ms CPU each, sampled every 100 ms (eBPF %s)', async (ebpf) => {
    const CHILDREN = 40
    const MS = 30
    const m = new SessionManager({ dataDir: data })
    const live = await m.launch({ argv: [wl.markers, 'burn', String(CHILDREN), String(MS)], intervalMs: 100, ebpf })
    await live.waitEnded()
    const lane = live.store.tickBatch(0).tree
    // CPU % integrated over the run: the CPU seconds the lane shows
    let shown = 0
    for (let i = 1; i < lane.length; i++) shown += ((lane[i]!.cpu_pct ?? 0) / 100) * ((lane[i]!.t_ms - lane[i - 1]!.t_ms) / 1000)
    // each child burns 30 ms of its own CPU time (not wall time), however busy the machine
    const used = (CHILDREN * MS) / 1000
    const s = buildSummary(live.store, 'ended')
    expect(s.proc.tree.cpu_seconds).toBeGreaterThan(0.7 * used)
    // the lane shows what the tree used, as /proc counted it
    const measured = s.proc.tree.cpu_seconds!
    expect(shown).toBeGreaterThan(0.8 * measured - 0.03)
    expect(shown).toBeLessThan(1.2 * measured + 0.03)
  })
})
