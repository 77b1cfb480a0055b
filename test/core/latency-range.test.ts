// One process's syscalls in a time range (the latency pane's pick): its calls, failures and time
// by syscall are what its counts grew by inside the range (their changes kept 5 s apart), its
// durations and failures its own, and the whole run is the summary's per_process row.
import { describe, expect, it } from 'vitest'
import { SessionStore } from '../../src/main/store/store'
import { buildSummary } from '../../src/main/analysis/summary'
import { latencyRows } from '../../src/main/analysis/latency'
import type { RecordingHeader } from '../../src/main/types/recording-format'
import { testHeader } from './fixtures/recording-lines'

const base = testHeader('latency')
const header: RecordingHeader = { ...base, root_pid: 100, ebpf: { ...base.ebpf, timing: 'timed' } }
const READ = 0
const WRITE = 1

/** pid 100 reads at 0.5 s, 6.5 s and 12.5 s (the second fails: the changes are kept 5 s
 * apart); pid 101 writes at the same times */
function store(): SessionStore {
  const s = new SessionStore(header, 'l', null)
  s.ingest({ k: 'p', pid: 100, ppid: 1, comm: 'reader', cmdline: ['reader'], start_ms: 0, uid: 0 })
  s.ingest({ k: 'p', pid: 101, ppid: 100, comm: 'writer', cmdline: ['writer'], start_ms: 0, uid: 0 })
  for (const [t, errors] of [
    [500, 0],
    [6500, 1],
    [12_500, 0]
  ] as const) {
    s.ingest({ k: 'c', t, pid: 100, sys: [[READ, 2, errors, 2000]] })
    s.ingest({ k: 'c', t, pid: 101, sys: [[WRITE, 5, 0, 500]] })
  }
  s.ingest({ k: 'end', t: 13_000, exit_code: 0, exit_signal: null, message: null })
  return s
}

describe('one process in the latency pane', () => {
  it('gives what its counts grew by inside the range', () => {
    const r = latencyRows(store(), { fromMs: 6000, toMs: 7000 }, 100)
    expect(r.pid).toBe(100)
    expect(r.syscalls.map((x) => [x.name, x.count, x.errors, x.time_ns])).toEqual([['read', 2, 1, 2000]])
    // and the other one's alone
    expect(latencyRows(store(), { fromMs: 6000, toMs: 13_000 }, 101).syscalls.map((x) => [x.name, x.count])).toEqual([['write', 10]])
  })

  it('over the whole run is the summary’s per_process row', () => {
    const s = store()
    const whole = latencyRows(s, { fromMs: 0, toMs: 1e12 }, 100).syscalls.map((x) => [x.name, x.count, x.errors, x.time_ns])
    const row = buildSummary(s, 'ended').ebpf.syscalls.per_process.find((p) => p.pid === 100)!
    expect(whole).toEqual(row.per_syscall.map((x) => [x.name, x.count, x.errors, x.time_ns]))
    expect(whole).toEqual([['read', 6, 1, 6000]])
  })
})
