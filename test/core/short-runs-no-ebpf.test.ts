// A command shorter than a sample, recorded without eBPF: no exit figures come from the kernel,
// and the samples may have missed it entirely or seen it once. What they did not see is not
// known: the summary (and the compare view it feeds) said "CPU peak 0.0 %, mean 0.0 %, peak RSS
// 0 B, read 0 B, 0 processes" for a dd that used 70 ms of CPU and 17 MiB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SessionManager } from '../../src/main/session/manager'
import { buildSummary } from '../../src/main/analysis/summary'
import type { Summary } from '../../src/main/types/summary'

let dir: string
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'syscope-short-noebpf-'))))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function shortRun(): Promise<Summary> {
  const m = new SessionManager({ dataDir: dir })
  const live = await m.launch({ argv: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=16M', 'count=4', 'status=none'], intervalMs: 100, ebpf: false })
  await live.waitEnded()
  return buildSummary(live.store, 'ended')
}

describe('a short run without eBPF', () => {
  it('reports what the samples saw, and no 0 for what they missed', async () => {
    // the samples land where they land: every outcome must hold, so try a few
    for (let i = 0; i < 3; i++) {
      const s = await shortRun()
      const t = s.proc.tree
      expect(t.usage).toBeNull()
      expect(s.proc.processes).toHaveLength(1)
      expect(t.peak_processes).toBe(1)
      // dd copied 64 MiB through a 16 MiB buffer: none of these was 0
      for (const [name, v] of Object.entries({
        cpu_seconds: t.cpu_seconds,
        peak_cpu_pct: t.peak_cpu_pct,
        mean_cpu_pct: t.mean_cpu_pct,
        peak_rss_bytes: t.peak_rss_bytes,
        rchar_bytes: t.rchar_bytes,
        wchar_bytes: t.wchar_bytes,
        peak_threads: t.peak_threads,
        peak_fds: t.peak_fds
      })) {
        if (v !== null) expect(v, `${name} in run ${i}`).toBeGreaterThan(0)
      }
      // the mean is the CPU time over the run, where the samples' rates missed it
      if (t.cpu_seconds !== null && t.peak_cpu_pct === null) expect(t.mean_cpu_pct).toBeCloseTo((t.cpu_seconds / (s.session.duration_ms / 1000)) * 100, 0)
    }
  })
})
