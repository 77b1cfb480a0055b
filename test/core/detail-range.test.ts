// The files and sockets of a time range: each (process, file), failed open, socket and peer
// keeps its changes over time, so a range gets the value at or before its end minus the value
// before its start, and rows that did not change in it are left out. The whole range is the
// summary's rows, unchanged.
import { describe, expect, it } from 'vitest'
import { SessionStore, RECORDING_STORE_LIMITS } from '../../src/main/store/store'
import { buildSummary } from '../../src/main/analysis/summary'
import { buildFiles } from '../../src/main/analysis/files'
import { buildNetwork } from '../../src/main/analysis/network'
import { detailRates } from '../../src/main/analysis/detail-rates'
import { ChangeLog } from '../../src/main/store/change-log'
import { validateArgs } from '../../src/main/api/validate'
import { PROCESS_COLUMNS, RECORDING_FORMAT, RECORDING_VERSION, type RecordLine, type RecordingHeader } from '../../src/main/types/recording-format'

const header: RecordingHeader = {
  format: RECORDING_FORMAT,
  version: RECORDING_VERSION,
  created_ms: 1_700_000_000_000,
  title: 'detail',
  kind: 'launch',
  argv: ['x'],
  cwd: '/',
  root_pid: 100,
  interval_ms: 100,
  arch: 'x86_64',
  kernel: '6.0',
  ebpf: { ready: true, mode: 'tp_btf', helperPath: null, helperReason: null, problem: null, fix: null },
  process_columns: [...PROCESS_COLUMNS],
  detail: true
}

const socket = {
  pid: 100,
  file: '8:77',
  proto: 'tcp',
  family: 'ipv4',
  sock_type: 'stream',
  direction: 'out',
  state: 'ESTABLISHED',
  local: '127.0.0.1:5000',
  remote: '127.0.0.1:80',
  opened: 100,
  established: 100,
  closed: null,
  errno: null,
  close_errno: null
} as const

/** A session of 1 s: /data read at 100, 300 and 700 ms; /log written at 700; a failed open at
 * 300 and 700; a socket connected at 100 that sends at 100 and 700. */
const lines: RecordLine[] = [
  { k: 'fn', file: '8:1', parts: ['data', 'tmp'], whole: true },
  { k: 'fn', file: '8:2', parts: ['log', 'tmp'], whole: true },
  { k: 'f', t: 100, pid: 100, file: '8:1', kind: 'file', v: [1, 1, 4096, 0, 0, 0, 1000] },
  { k: 'sk', t: 100, ...socket, v: [1, 0, 0] },
  { k: 'pr', t: 100, pid: 100, file: '8:77', peer: '1', remote: '127.0.0.1:80', first: 100, last: 100, v: [1, 10, 0, 0] },
  { k: 'f', t: 300, pid: 100, file: '8:1', kind: 'file', v: [1, 3, 12288, 0, 0, 0, 3000] },
  { k: 'fo', t: 300, pid: 100, base: null, name: '/nope', errno: 2, count: 1 },
  { k: 'f', t: 700, pid: 100, file: '8:1', kind: 'file', v: [2, 4, 16384, 0, 0, 0, 4000] },
  { k: 'f', t: 700, pid: 100, file: '8:2', kind: 'file', v: [1, 0, 0, 2, 100, 0, 500] },
  { k: 'fo', t: 700, pid: 100, base: null, name: '/nope', errno: 2, count: 3 },
  { k: 'pr', t: 700, pid: 100, file: '8:77', peer: '1', remote: '127.0.0.1:80', first: 100, last: 700, v: [3, 50, 1, 7] }
]

function storeOf(h: RecordingHeader = header): SessionStore {
  const s = new SessionStore(h, 'd', null)
  for (const l of lines) s.ingest(l)
  return s
}

const files = (s: SessionStore, fromMs: number, toMs: number) =>
  (buildFiles(s, { fromMs, toMs }) ?? []).map((r) => ({
    path: r.path,
    opens: r.opens,
    reads: r.reads,
    read_bytes: r.read_bytes,
    write_bytes: r.write_bytes,
    open_errors: r.open_errors,
    errnos: r.errnos,
    first: r.first_ms,
    last: r.last_ms
  }))

describe('detail rows of a time range', () => {
  it('the whole range is the summary rows, unchanged', () => {
    const s = storeOf()
    const summary = buildSummary(s, 'ended')
    expect(buildFiles(s, { fromMs: 0, toMs: 1000 })).toEqual(summary.files)
    expect(buildNetwork(s, { fromMs: 0, toMs: 1000 })).toEqual(summary.network)
    expect(summary.files!.find((r) => r.path === '/tmp/data')).toMatchObject({ reads: 4, read_bytes: 16384, first_ms: 100, last_ms: 700 })
  })

  it('a range gets the value at or before its end minus the value before its start', () => {
    const s = storeOf()
    // 300..700 includes both ends: /data from its value before 300 (at 100) to its value at 700
    expect(files(s, 300, 700)).toEqual([
      { path: '/tmp/data', opens: 1, reads: 3, read_bytes: 12288, write_bytes: 0, open_errors: 0, errnos: {}, first: 300, last: 700 },
      { path: '/tmp/log', opens: 1, reads: 0, read_bytes: 0, write_bytes: 100, open_errors: 0, errnos: {}, first: 700, last: 700 },
      { path: '/nope', opens: 0, reads: 0, read_bytes: 0, write_bytes: 0, open_errors: 3, errnos: { ENOENT: 3 }, first: null, last: null }
    ])
    // 200..699: only what changed at 300
    expect(files(s, 200, 699)).toEqual([
      { path: '/tmp/data', opens: 0, reads: 2, read_bytes: 8192, write_bytes: 0, open_errors: 0, errnos: {}, first: 300, last: 300 },
      { path: '/nope', opens: 0, reads: 0, read_bytes: 0, write_bytes: 0, open_errors: 1, errnos: { ENOENT: 1 }, first: null, last: null }
    ])
    // 701..1000 and 0..99: nothing happened
    expect(files(s, 701, 1000)).toEqual([])
    expect(files(s, 0, 99)).toEqual([])
    expect(buildNetwork(s, { fromMs: 701, toMs: 1000 })).toEqual([])
  })

  it('a socket that only moved data in the range has its traffic and no connects', () => {
    const s = storeOf()
    const net = buildNetwork(s, { fromMs: 200, toMs: 800 })!
    expect(net).toHaveLength(1)
    expect(net[0]).toMatchObject({ remote: '127.0.0.1:80', connects: 0, sends: 2, bytes_sent: 40, recvs: 1, bytes_received: 7 })
    const first = buildNetwork(s, { fromMs: 0, toMs: 150 })!
    expect(first[0]).toMatchObject({ connects: 1, sends: 1, bytes_sent: 10, bytes_received: 0 })
  })

  it('a session that did not watch files or the network has none (null), for any range', () => {
    const s = storeOf({ ...header, detail: undefined })
    expect(buildFiles(s, { fromMs: 0, toMs: 1000 })).toBeNull()
    expect(buildNetwork(s, { fromMs: 0, toMs: 1000 })).toBeNull()
    // a version 3 recording watched files but not the network
    const v3 = storeOf({ ...header, version: 3 })
    expect(buildFiles(v3, { fromMs: 0, toMs: 1000 })).not.toBeNull()
    expect(buildNetwork(v3, { fromMs: 0, toMs: 1000 })).toBeNull()
  })

  it('each change a store keeps counts against its memory limit', () => {
    // one file changing at every tick: before the changes were kept, it cost nothing more after
    // its first record, and a hostile recording could grow the store without bound
    const s = new SessionStore(header, 'm', null, { ...RECORDING_STORE_LIMITS, objectBytes: 100_000 })
    for (let t = 0; t < 10_000 && s.full === null; t++) s.ingest({ k: 'f', t, pid: 1, file: '8:1', kind: 'file', v: [t, t, t, 0, 0, 0, t] })
    expect(s.full).toMatch(/more than 100000 bytes/)
    expect(s.changes.get('f 1 8:1')!.length).toBeLessThan(10_000)
  })

  it('a change log answers ranges between, on and around its changes', () => {
    const log = new ChangeLog(1)
    log.add(10, [1])
    log.add(20, [5])
    log.add(20, [6])
    log.add(30, [10])
    expect(log.within(0, 9)).toBeNull()
    expect(log.within(10, 10)).toEqual({ delta: [1], firstMs: 10, lastMs: 10 })
    expect(log.within(11, 20)).toEqual({ delta: [5], firstMs: 20, lastMs: 20 })
    expect(log.within(21, 29)).toBeNull()
    expect(log.within(0, 1e12)).toEqual({ delta: [10], firstMs: 10, lastMs: 30 })
  })

  it('the API checks the range it is asked for', () => {
    expect(() => validateArgs('detail', ['abc', 10, 5])).toThrow(/toMs: 5 is before fromMs 10/)
    expect(() => validateArgs('detail', ['abc', -1, 5])).toThrow(/fromMs/)
    expect(() => validateArgs('detail', ['abc', 0])).toThrow(/4 argument/)
    expect(validateArgs('detail', ['abc', 0, 1000])).toEqual(['abc', 0, 1000, null])
    // the process the rate charts follow: a pid, or null for all
    expect(validateArgs('detail', ['abc', 0, 1000, 42])).toEqual(['abc', 0, 1000, 42])
    expect(validateArgs('detail', ['abc', 0, 1000, null])).toEqual(['abc', 0, 1000, null])
    expect(() => validateArgs('detail', ['abc', 0, 1000, 'x'])).toThrow(/pid/)
    expect(() => validateArgs('detail', ['abc', 0, 1000, 0])).toThrow(/pid/)
  })
})

describe('bytes per second of the busiest files and peers in a range', () => {
  /** the session, ended at 1 s (a range is charted to the session's end at most) */
  const ended = (h: RecordingHeader = header): SessionStore => {
    const s = storeOf(h)
    s.ingest({ k: 'end', t: 1000, exit_code: 0, exit_signal: null, message: null })
    return s
  }

  it("puts each tick's bytes in the bucket that holds the tick, and the buckets add up to the range", () => {
    const r = detailRates(ended(), { fromMs: 0, toMs: 1000 })
    // a bucket is a tick (100 ms) at the least
    expect(r.bucket_ms).toBe(100)
    expect(r.files!.map((f) => [f.label, f.pid, f.bytes])).toEqual([
      ['/tmp/data', 100, 16384],
      ['/tmp/log', 100, 100]
    ])
    // /tmp/data: 4096 bytes in the tick ending at 100 ms, 8192 at 300, 4096 at 700
    expect(r.files![0]!.rates).toEqual([40960, 0, 81920, 0, 0, 0, 40960, 0, 0, 0])
    expect(r.files![1]!.rates).toEqual([0, 0, 0, 0, 0, 0, 1000, 0, 0, 0])
    expect(r.peers!.map((p) => [p.label, p.bytes])).toEqual([['127.0.0.1:80', 57]])
    expect(r.peers![0]!.rates).toEqual([100, 0, 0, 0, 0, 0, 470, 0, 0, 0])
    // asked to go on past the end (the whole run is asked as 0..1e12): it ends with the session
    expect(detailRates(ended(), { fromMs: 0, toMs: 1e12 })).toEqual(r)
    for (const x of [...r.files!, ...r.peers!]) expect(x.rates.reduce((n, v) => n + (v * r.bucket_ms) / 1000, 0)).toBeCloseTo(x.bytes, 6)
  })

  it("charts a server's clients from one host as one peer, as the summary rolls them up", () => {
    const s = storeOf()
    const accepted = (file: string, port: number, t: number, bytes: number): RecordLine[] => [
      { k: 'sk', t, ...socket, file, direction: 'in', local: '127.0.0.1:8080', remote: `127.0.0.1:${port}`, v: [0, 0, 0] },
      { k: 'pr', t, pid: 100, file, peer: '1', remote: `127.0.0.1:${port}`, first: t, last: t, v: [1, bytes, 0, 0] }
    ]
    for (const l of [...accepted('8:80', 40001, 200, 1000), ...accepted('8:81', 40002, 400, 3000)]) s.ingest(l)
    s.ingest({ k: 'end', t: 1000, exit_code: 0, exit_signal: null, message: null })
    const r = detailRates(s, { fromMs: 0, toMs: 1000 })
    expect(r.peers!.map((p) => [p.label, p.bytes])).toEqual([
      ['127.0.0.1 → 127.0.0.1:8080', 4000],
      ['127.0.0.1:80', 57]
    ])
    // each tick's bytes in the bucket that ends with it
    expect(r.peers![0]!.rates).toEqual([0, 10000, 0, 30000, 0, 0, 0, 0, 0, 0])
  })

  it('starts a range inside the session from what grew after its start (a change at the start itself counts)', () => {
    const r = detailRates(ended(), { fromMs: 250, toMs: 750 })
    expect(r.bucket_ms).toBe(100)
    expect(r.files![0]).toMatchObject({ label: '/tmp/data', bytes: 12288, rates: [81920, 0, 0, 0, 40960] })
    // at 300 exactly: the first bucket holds its start
    expect(detailRates(ended(), { fromMs: 300, toMs: 700 }).files![0]).toMatchObject({ bytes: 12288 })
  })

  it('follows one process when asked: its files and peers only', () => {
    expect(detailRates(ended(), { fromMs: 0, toMs: 1000 }, 100).files!.length).toBe(2)
    const other = detailRates(ended(), { fromMs: 0, toMs: 1000 }, 101)
    expect(other.pid).toBe(101)
    expect([other.files, other.peers]).toEqual([[], []])
  })

  it('has none where nothing was watched', () => {
    const r = detailRates(ended({ ...header, detail: false }), { fromMs: 0, toMs: 1000 })
    expect(r.files).toBeNull()
    expect(r.peers).toBeNull()
  })
})
