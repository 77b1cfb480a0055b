// The tree's CPU rate never exceeds all the CPUs: many children reaped in one interval bring
// their exact CPU time into their reaper's cutime at once (their own stat showed it truncated to
// whole clock ticks), which made one tick read 1700 % on 2 CPUs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { SessionManager } from '../../src/main/session/manager'
import { buildSummary } from '../../src/main/analysis/summary'

let data: string
beforeAll(() => (data = mkdtempSync(join(tmpdir(), 'syscope-cpu-'))))
afterAll(() => rmSync(data, { recursive: true, force: true }))

describe('the tree’s CPU peak', () => {
  it('stays within the CPUs when 400 children are reaped together, and their seconds are kept', async () => {
    const m = new SessionManager({ dataDir: data })
    const w = 'for i in $(seq 400); do sleep 1.5 & done; timeout 1.5 sh -c "while :; do :; done" & timeout 1.5 sh -c "while :; do :; done" & wait'
    const live = await m.launch({ argv: ['sh', '-c', w], ebpf: false, intervalMs: 100 })
    await live.waitEnded()
    const tree = live.store.tickBatch(0).tree
    const limit = availableParallelism() * 100
    const over = tree.filter((p) => (p.cpu_pct ?? 0) > limit + 1e-9).map((p) => `${p.t_ms} ms: ${p.cpu_pct?.toFixed(1)} %`)
    expect(over).toEqual([])
    const s = buildSummary(live.store, 'ended')
    expect(s.proc.tree.peak_cpu_pct).toBeLessThanOrEqual(limit)
    // the rate's integral is at most the seconds: what a clamped tick left out stays in them
    let integral = 0
    for (let i = 1; i < tree.length; i++) integral += ((tree[i]!.cpu_pct ?? 0) / 100) * ((tree[i]!.t_ms - tree[i - 1]!.t_ms) / 1000)
    expect(s.proc.tree.cpu_seconds).toBeGreaterThanOrEqual(integral * 0.9)
  })
})
