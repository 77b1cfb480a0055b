// The text summary's lines for what a session may lack or hold oddly: no syscalls at all, a
// disk's requests that are neither reads nor writes.
import { describe, expect, it } from 'vitest'
import { SessionStore } from '../../src/main/store/store'
import { buildSummary } from '../../src/main/analysis/summary'
import { formatSummary } from '../../src/cli/format-summary'
import type { RecordingHeader } from '../../src/main/types/recording-format'
import { testHeader, testTree } from './fixtures/recording-lines'

const base = testHeader('text')
const header: RecordingHeader = { ...base, ebpf: { ...base.ebpf, disk: true } }

/** one tick of a process that made no syscall, while the machine's disk did one read of 4 KiB
 * and `flushes` flushes (none of them the process's) */
function text(flushes: number): string {
  const s = new SessionStore(header, 'text', null)
  s.ingest({ k: 'p', pid: 42, ppid: 1, comm: 'sleep', cmdline: ['sleep', '9'], start_ms: 0, uid: 0 })
  const rows: [string, number, number, number, number, number[], number[]][] = [['read', 0, 1, 4096, 200_000, [18, 1], [12, 1]]]
  if (flushes) rows.push(['flush', 0, flushes, 0, 900_000 * flushes, [20, flushes], []])
  s.ingest({ k: 'dk', t: 100, dev: '253:0', device: 'vda', interval_ms: 100, ios: 1 + flushes, busy_ms: 1, queue_ms: 1, rows })
  s.ingest({ k: 's', t: 100, tree: testTree, p: [], gap: false })
  s.ingest({ k: 'end', t: 100, exit_code: 0, exit_signal: null, message: null })
  return formatSummary(buildSummary(s, 'ended'))
}

describe('the text summary', () => {
  it('has no table of calls when none was made', () => {
    const t = text(0)
    expect(t).toMatch(/syscalls \(tp_btf\): 0 calls, 0 failed/)
    expect(t).not.toContain('errors by errno')
  })

  it("names a disk's flushes beside its reads and writes, singular where one", () => {
    expect(text(2)).toMatch(/vda +1 read 4\.00 KiB, 0 writes 0 B, 2 flushes, p50 .*0 of 3 requests by tracked processes/)
    expect(text(1)).toContain('0 writes 0 B, 1 flush, p50')
    expect(text(0)).toContain('0 writes 0 B, p50')
  })
})
