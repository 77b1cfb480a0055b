// A recording's digest: written when a real session ends, it reopens the recording without
// reading the ticks, and answers exactly what the ticks answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { SessionManager, loadStore, openStore } from '../../src/main/session/manager'
import { SessionStore } from '../../src/main/store/store'
import { buildDigest } from '../../src/main/session/digest'
import { buildSummary } from '../../src/main/analysis/summary'
import { appendDigest, readDigestLocator, DIGEST_BUCKETS, DIGEST_VERSION } from '../../src/main/recording/digest'
import { RecordingWriter } from '../../src/main/recording/writer'
import { loadRecording } from '../../src/main/recording/reader'
import { PROCESS_COLUMNS, RECORDING_FORMAT, RECORDING_VERSION, type RecordLine, type RecordingHeader } from '../../src/main/types/recording-format'
import type { Breakdown } from '../../src/shared/contract'
import type { RecordingDigest } from '../../src/main/store/store-digest'
import { buildWorkload } from '../helper/harness'

let wl: { dir: string; markers: string }
let data: string
beforeAll(() => {
  wl = buildWorkload()
  data = mkdtempSync(join(tmpdir(), 'syscope-digest-'))
})
afterAll(() => {
  rmSync(wl.dir, { recursive: true, force: true })
  rmSync(data, { recursive: true, force: true })
})

/** Breakdowns compared field by field: counts exactly, CPU means to float rounding (sums in another order). */
function expectSameBreakdown(a: Breakdown, b: Breakdown): void {
  const strip = (x: Breakdown) => ({
    ...x,
    sessionId: '',
    processes: x.processes.map((p) => ({ ...p, cpu_pct_mean: null, cpu_seconds: null, read_bytes: null, write_bytes: null }))
  })
  expect(strip(a)).toEqual(strip(b))
  a.processes.forEach((p, i) => {
    const q = b.processes[i]!
    for (const k of ['cpu_pct_mean', 'cpu_seconds', 'read_bytes', 'write_bytes'] as const) {
      if (p[k] === null) expect(q[k]).toBeNull()
      else expect(p[k]).toBeCloseTo(q[k]!, 9)
    }
  })
}

describe('a real session’s recording', () => {
  let path: string
  beforeAll(async () => {
    const m = new SessionManager({ dataDir: data })
    const live = await m.launch({ argv: [wl.markers], intervalMs: 20 })
    await live.waitEnded()
    path = live.store.recordingPath!
  })

  it('ends with a digest that reopens it without reading a tick, answering as the ticks do', async () => {
    const loc = readDigestLocator(path)
    expect(loc).not.toBeNull()
    const quick = await openStore(path, 'q')
    const full = await loadStore(path, 'f')
    expect(quick.digestOnly).toBe(true)
    expect(quick.tickCount).toBe(0)
    expect(full.digestOnly).toBe(false)
    expect(loc!.ticks).toBe(full.tickCount)
    expect(loc!.duration_ms).toBe(full.durationMs())
    // what a view draws first
    const { info: qi, ...qs } = quick.snapshot('ended', 2000, 'recording')
    const { info: fi, ...fs } = full.snapshot('ended', 2000, 'recording')
    expect(qs).toEqual(fs)
    expect({ ...qi, id: '' }).toEqual({ ...fi, id: '' })
    // the marker workload's exact counts, from the digest
    const whole = quick.breakdown(0, Number.MAX_SAFE_INTEGER)
    expect(whole.syscalls.find((s) => s.name === 'getppid')).toMatchObject({ calls: 10665, errors: 0 })
    expect(whole.syscalls.find((s) => s.name === 'chdir')).toMatchObject({ calls: 77, errors: 77 })
    expectSameBreakdown(whole, full.breakdown(0, Number.MAX_SAFE_INTEGER))
    expect(buildSummary(quick, 'ended')).toEqual(buildSummary(full, 'ended'))
  })

  it('is still one gzip stream, and loading its ticks ignores the digest', async () => {
    const text = execFileSync('gzip', ['-dc'], { input: readFileSync(path), maxBuffer: 1 << 28 }).toString()
    const kinds = text
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l).k)
    expect(kinds.slice(-2)).toEqual(['digest', 'digest_at'])
    const rec = await loadRecording(path)
    expect(rec.warnings).toEqual([])
    expect(rec.lines.every((l) => (l.k as string) !== 'digest' && (l.k as string) !== 'digest_at')).toBe(true)
    expect(rec.lines[rec.lines.length - 1]!.k).toBe('end')
  })

  it('gives the recordings list its duration, and the CSV every tick', async () => {
    const m = new SessionManager({ dataDir: data })
    const entry = m.listRecordings().find((r) => r.path === path)!
    expect(entry.durationMs).toBe((await loadStore(path, 'x')).durationMs())
    const info = await m.open(path)
    const csv = readFileSync((await m.exportSession(info.id, 'csv')).path, 'utf8')
      .trim()
      .split('\n')
    expect(csv.length - 1).toBe((await loadStore(path, 'x')).tickCount)
    // and the JSON summary of the reopened recording is the one written when it ended
    const json = JSON.parse(readFileSync((await m.exportSession(info.id, 'json')).path, 'utf8'))
    expect(json.ebpf.syscalls.per_syscall).toEqual(buildSummary(await loadStore(path, 'y'), 'ended').ebpf.syscalls.per_syscall)
  })

  it('loads the ticks, silently, when the digest is of an older version (its sums were made otherwise)', async () => {
    const old = join(data, 'older.syscope')
    const loc = readDigestLocator(path)!
    // the ticks as they are, then the digest again with the version before this one
    const ticks = readFileSync(path).subarray(0, loc.offset)
    const digest = JSON.parse(gunzipSync(readFileSync(path).subarray(loc.offset, loc.offset + loc.length)).toString()) as RecordingDigest
    writeFileSync(old, ticks)
    appendDigest(old, { ...digest, v: DIGEST_VERSION - 1 })
    expect(readDigestLocator(old)).not.toBeNull()
    const s = await openStore(old, 'o')
    expect(s.digestOnly).toBe(false)
    expect(s.warnings).toEqual([])
    expect(s.breakdown(0, Number.MAX_SAFE_INTEGER).syscalls.find((x) => x.name === 'chdir')).toMatchObject({ calls: 77 })
  })

  it('falls back to the ticks when the digest is missing or damaged', async () => {
    const damaged = join(data, 'damaged.syscope')
    copyFileSync(path, damaged)
    const loc = readDigestLocator(damaged)!
    // flip bytes inside the digest member: its gzip CRC fails
    const buf = readFileSync(damaged)
    for (let i = loc.offset + 20; i < loc.offset + 60; i++) buf[i]! ^= 0xff
    writeFileSync(damaged, buf)
    const s = await openStore(damaged, 'd')
    expect(s.digestOnly).toBe(false)
    expect(s.breakdown(0, Number.MAX_SAFE_INTEGER).syscalls.find((x) => x.name === 'chdir')).toMatchObject({ calls: 77 })
    // cut off inside the digest: no locator any more, the ticks are all there
    copyFileSync(path, damaged)
    truncateSync(damaged, loc.offset + 10)
    expect(readDigestLocator(damaged)).toBeNull()
    const t = await openStore(damaged, 'e')
    expect(t.digestOnly).toBe(false)
    expect(t.ended).not.toBeNull()
    expect(statSync(damaged).size).toBe(loc.offset + 10)
  })
})

describe('range breakdowns from the digest', () => {
  const header: RecordingHeader = {
    format: RECORDING_FORMAT,
    version: RECORDING_VERSION,
    created_ms: 1_700_000_000_000,
    title: 'buckets',
    kind: 'launch',
    argv: ['x'],
    cwd: '/',
    root_pid: 10,
    interval_ms: 100,
    arch: 'x86_64',
    kernel: '6.0',
    ebpf: { ready: true, mode: 'tp_btf', helperPath: null, helperReason: null, problem: null, fix: null },
    process_columns: [...PROCESS_COLUMNS]
  }
  const TICKS = DIGEST_BUCKETS * 3 + 7 // four ticks per bucket, the last bucket short

  it('are the exact sums of the whole buckets the range touches, and say which range that is', async () => {
    const path = join(data, 'buckets.syscope')
    const w = new RecordingWriter(path, header)
    const store = new SessionStore(header, 's', path)
    const put = (l: RecordLine): void => {
      w.write(l)
      store.ingest(l)
    }
    put({ k: 'p', pid: 10, ppid: 1, comm: 'a', cmdline: ['a'], start_ms: 0, uid: 0 })
    put({ k: 'p', pid: 11, ppid: 10, comm: 'b', cmdline: ['b'], start_ms: 0, uid: 0 })
    const cols = PROCESS_COLUMNS.length
    for (let i = 1; i <= TICKS; i++) {
      const t = i * 100
      put({ k: 'c', t, pid: 10, sys: [[0, i, i % 3, 1000 * i]] })
      if (i % 5 === 0)
        put({
          k: 'c',
          t,
          pid: 11,
          sys: [
            [1, 2, 0, 50],
            [80, 1, 1, 10]
          ]
        })
      const row = (pid: number, cpu: number): (number | null)[] => [pid, cpu, cpu / 4, 4096 * ((i * pid) % 17), ...Array.from({ length: cols - 3 }, () => null)]
      put({
        k: 's',
        t,
        tree: {
          cpu_pct: 10,
          rss_bytes: 1,
          pss_bytes: null,
          read_bytes_per_s: 0,
          write_bytes_per_s: 0,
          threads: 2,
          fds: 3,
          processes: 2,
          cpu_seconds: 0,
          read_bytes: 0,
          write_bytes: 0
        },
        p: [row(10, i % 11), row(11, (i * 7) % 13)],
        gap: false
      })
    }
    put({ k: 'end', t: TICKS * 100 + 50, exit_code: 0, exit_signal: null, message: null })
    await w.close()
    appendDigest(path, buildDigest(store))
    const quick = await openStore(path, 'q')
    expect(quick.digestOnly).toBe(true)
    for (const [from, to] of [
      [0, Number.MAX_SAFE_INTEGER],
      [12_345, 67_890],
      [100, 100],
      [TICKS * 100 - 150, TICKS * 100]
    ] as const) {
      const b = quick.breakdown(from, to)
      // the digest's range covers the one asked for, by less than a bucket on each side
      expect(b.from_ms).toBeLessThanOrEqual(Math.max(0, from - 100))
      expect(b.to_ms).toBeGreaterThanOrEqual(Math.min(to, TICKS * 100))
      expect(from - b.from_ms).toBeLessThanOrEqual(4 * 100 + 100)
      // and equals the ticks' breakdown of that covering range
      expectSameBreakdown(b, store.breakdown(b.from_ms + 1, b.to_ms))
    }
    // a range past the end is empty, not an error
    expect(quick.breakdown(TICKS * 1000, TICKS * 2000).total_calls).toBe(0)
  })
})
