// Hostile and damaged recordings: every one loads with a warning or fails with a clear error, in
// bounded time and memory. `syscope summary FILE` and the app's main process read recordings with
// this code, so a file that exhausts it takes the app down. The files are made here, small: a few
// MB of gzip hold GiBs of text.
import { afterAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { RecordingWriter } from '../../src/main/recording/writer'
import { appendDigest, DIGEST_VERSION, readDigestLocator } from '../../src/main/recording/digest'
import type { RecordingDigest } from '../../src/main/store/store-digest'
import { buildDigest } from '../../src/main/session/digest'
import { loadStore, openStore } from '../../src/main/session/manager'
import { loadRecording } from '../../src/main/recording/reader'
import { buildSummary } from '../../src/main/analysis/summary'
import type { RecordLine } from '../../src/main/types/recording-format'
import { testHeader, testTree } from './fixtures/recording-lines'
import { peakRss, repeatedGzip } from './fixtures/hostile-gzip'

const dir = mkdtempSync(join(tmpdir(), 'syscope-hostile-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const MiB = 1024 * 1024
const header = testHeader('hostile')
const headerLine = JSON.stringify(header) + '\n'
const row = [42, 1, 0, 4096, null, 0, 0, 1, 3, 0, 0.1, 0, 0, 0, 0, 4096, 1, 0, 10, 0]

/** A real recording of `ticks` ticks, written by the writer and closed. */
async function writeRecording(name: string, ticks = 20): Promise<string> {
  const path = join(dir, name)
  const w = new RecordingWriter(path, header)
  w.write({ k: 'p', pid: 42, ppid: 1, comm: 'proc', cmdline: ['proc'], start_ms: 0, uid: 0 })
  for (let i = 1; i <= ticks; i++) {
    w.write({ k: 'c', t: i * 100, pid: 42, sys: [[0, i, 0, 1000]] })
    w.write({ k: 's', t: i * 100, tree: testTree, p: [row], gap: false })
    w.flush()
  }
  w.write({ k: 'end', t: ticks * 100 + 50, exit_code: 0, exit_signal: null, message: null })
  await w.close()
  return path
}

/** A recording with its digest, as the app leaves it when a session ends. */
async function withDigest(name: string, ticks = 20): Promise<string> {
  const path = await writeRecording(name, ticks)
  appendDigest(path, buildDigest(await loadStore(path, 'x')))
  return path
}

/** A gzip file of `lines` as they are (the header first unless given). */
function gzipFile(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, gzipSync(text))
  return path
}

/** Runs `f`, and gives what it returned or threw, how long it took, and how far the peak RSS grew. */
async function measured<T>(f: () => Promise<T>): Promise<{ value?: T; error?: unknown; ms: number; peakGrowth: number }> {
  const peak = peakRss()
  const start = performance.now()
  try {
    const value = await f()
    return { value, ms: performance.now() - start, peakGrowth: peakRss() - peak }
  } catch (error) {
    return { error, ms: performance.now() - start, peakGrowth: peakRss() - peak }
  }
}

describe('recording bombs are stopped in bounded time and memory', () => {
  it('a digest that inflates to 4 GiB is not inflated past its cap: the ticks load instead, with a warning', async () => {
    const path = await writeRecording('digest-bomb.syscope')
    const offset = readFileSync(path).length
    // 4096 copies of 1 MiB of 'a': 4 GiB of text in ~4 MB
    const { file: member } = repeatedGzip(`{"k":"digest","v":${DIGEST_VERSION},"pad":"`, 'a'.repeat(MiB), 4096, false)
    expect(member.length).toBeLessThan(6 * MiB)
    const locator = { k: 'digest_at', offset, length: member.length, ticks: 20, duration_ms: 2050 }
    appendFileSync(path, Buffer.concat([member, gzipSync(JSON.stringify(locator) + '\n', { level: 0 })]))
    const r = await measured(() => openStore(path, 'bomb'))
    expect(r.error).toBeUndefined()
    expect(r.value!.tickCount).toBe(20)
    expect(r.value!.warnings.join('\n')).toMatch(/its digest inflates to over \d+ bytes, more than syscope reads: its ticks were loaded instead/)
    expect(r.ms).toBeLessThan(10_000)
    expect(r.peakGrowth).toBeLessThan(300 * MiB)
  }, 60_000)

  it('count records without a sample stop with a clear error after a bounded number', async () => {
    const c = JSON.stringify({ k: 'c', t: 100, pid: 7, sys: [[0, 1, 0, 1]] }) + '\n'
    // ~900 MiB of count records, never a sample, in ~1 MB
    const { file } = repeatedGzip(headerLine, c.repeat(20_000), 1000)
    const path = join(dir, 'counts-bomb.syscope')
    writeFileSync(path, file)
    const r = await measured(() => loadStore(path, 'c'))
    expect(r.error).toMatchObject({
      code: 'ETOOBIG',
      message: expect.stringMatching(/counts-bomb\.syscope is damaged or not a recording: a tick \(t=100 ms\) has over 65536 syscall count records/)
    })
    expect(r.ms).toBeLessThan(10_000)
    expect(r.peakGrowth).toBeLessThan(300 * MiB)
  }, 60_000)

  it('a file of events loads its first million and says the rest were not loaded', async () => {
    const e = JSON.stringify({ k: 'e', ev: { kind: 'notice', t_ms: 1, level: 'info', message: 'x' } }) + '\n'
    // ~1.4 GiB of events in ~1.5 MB
    const { file } = repeatedGzip(headerLine, e.repeat(10_000), 2000)
    const path = join(dir, 'events-bomb.syscope')
    writeFileSync(path, file)
    const r = await measured(() => loadStore(path, 'e'))
    expect(r.error).toBeUndefined()
    expect(r.value!.events.length).toBe(1_000_000)
    expect(r.value!.warnings).toContain('the recording has more than 1000000 events, the most syscope loads of a recording: only its first 0 ticks were loaded')
    expect(r.ms).toBeLessThan(20_000)
    expect(r.peakGrowth).toBeLessThan(400 * MiB)
  }, 60_000)

  it('samples of 60,000 processes each load until the tick tables reach their bound, with a warning', async () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => [i + 1, i % 100])
    const s = JSON.stringify({ k: 's', t: 100, tree: testTree, p: rows, gap: false }) + '\n'
    // 2,000 ticks of 60,000 rows: 120 M rows, ~1.3 GiB of text in a few MB
    const { file } = repeatedGzip(headerLine, s, 2000)
    const path = join(dir, 'rows-bomb.syscope')
    writeFileSync(path, file)
    const r = await measured(() => loadStore(path, 'r'))
    expect(r.error).toBeUndefined()
    expect(r.value!.warnings).toEqual([
      expect.stringMatching(/^the recording has more than \d+ bytes of ticks, the most syscope loads of a recording: only its first \d+ ticks were loaded$/)
    ])
    expect(r.ms).toBeLessThan(30_000)
    console.log(`rows bomb: ${Math.round(r.ms)} ms, peak RSS grew ${Math.round(r.peakGrowth / MiB)} MiB`)
    expect(r.peakGrowth).toBeLessThan(600 * MiB)
  }, 120_000)

  it('256 MiB of newlines cost next to nothing and stop with a clear error', async () => {
    const { file } = repeatedGzip(headerLine, '\n'.repeat(MiB), 256)
    expect(file.length).toBeLessThan(400 * 1024)
    const path = join(dir, 'newlines.syscope')
    writeFileSync(path, file)
    const r = await measured(() => loadStore(path, 'n'))
    expect(r.error).toMatchObject({
      code: 'ETOOBIG',
      message: expect.stringMatching(/newlines\.syscope cannot be read: more than \d+ empty lines in a row \(syscope writes none\)/)
    })
    expect(r.ms).toBeLessThan(5_000)
  }, 60_000)

  it('the text inflated from the tick stream has a cap', async () => {
    const path = await writeRecording('text-cap.syscope', 50)
    const e = await loadRecording(path, { maxTextBytes: 2000 }).catch((x: unknown) => x)
    expect(e).toMatchObject({
      code: 'ETOOBIG',
      message: `${path} cannot be read: its text is longer than 2000 bytes, the most syscope reads of a recording's ticks`
    })
  })

  it('a long run of junk lines stops with a clear error, not after all of it', async () => {
    // lines of 1,000 bytes: 256 MiB of them
    const { file } = repeatedGzip(headerLine, ('junk, not JSON ' + 'x'.repeat(984) + '\n').repeat(1024), 256)
    const path = join(dir, 'junk.syscope')
    writeFileSync(path, file)
    const r = await measured(() => loadStore(path, 'j'))
    expect(r.error).toMatchObject({
      code: 'ECORRUPT',
      message: expect.stringMatching(
        /junk\.syscope is not a syscope recording past its header, or is badly damaged: over \d+ bytes of damaged records in a row/
      )
    })
    expect(r.ms).toBeLessThan(10_000)
  }, 60_000)
})

/** `expr` (a promise, in a module importing `openStore` and `SessionManager`) run in a child process with a deadline: a read that blocks cannot block the test. */
function runBounded(expr: string, timeoutMs = 20_000): { status: number | null; out: string; timedOut: boolean } {
  const code = `import { openStore, SessionManager } from ${JSON.stringify(join(process.cwd(), 'src/main/session/manager.ts'))}
const out = await (${expr}).then((v) => JSON.stringify({ ok: v }), (e) => JSON.stringify({ code: e.code, message: e.message }))
process.stdout.write(out)
process.exit(0)`
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { timeout: timeoutMs, encoding: 'utf8' })
  return { status: r.status, out: r.stdout, timedOut: r.error !== undefined || r.signal !== null }
}

describe('only regular files are read', () => {
  it('refuses a FIFO at once, and lists the recordings folder past one', async () => {
    const data = join(dir, 'fifo-data')
    mkdirSync(join(data, 'recordings'), { recursive: true })
    const fifo = join(data, 'recordings', 'pipe.syscope')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    await writeRecording('fifo-data/recordings/real.syscope')
    const open = runBounded(`openStore(${JSON.stringify(fifo)}, 'f')`)
    expect(open.timedOut).toBe(false)
    expect(JSON.parse(open.out)).toEqual({
      code: 'EFOREIGN',
      message: `${fifo}: is a FIFO (named pipe), not a recording: syscope reads recordings only from regular files`
    })
    const list = runBounded(`Promise.resolve(new SessionManager({ dataDir: ${JSON.stringify(data)} }).listRecordings().map((r) => r.title))`)
    expect(list.timedOut).toBe(false)
    expect(JSON.parse(list.out)).toEqual({ ok: ['hostile'] })
  }, 60_000)

  it('refuses /proc and /sys files without reading them', async () => {
    for (const [path, fs] of [
      ['/proc/self/status', 'procfs'],
      ['/sys/kernel/mm/transparent_hugepage/enabled', 'sysfs']
    ] as const) {
      await expect(openStore(path, 'p')).rejects.toMatchObject({
        code: 'EFOREIGN',
        message: `${path}: is a kernel file (${fs}), not a recording: syscope does not read files of /proc, /sys and the like`
      })
    }
  })
})

describe('damage is a warning or a clear error, never a raw TypeError', () => {
  it('a damaged but parseable digest falls back to the ticks with a warning', async () => {
    const good = await withDigest('digest-good.syscope')
    const loc = readDigestLocator(good)!
    const digest = JSON.parse(
      (await import('node:zlib')).gunzipSync(readFileSync(good).subarray(loc.offset, loc.offset + loc.length)).toString('utf8')
    ) as RecordingDigest
    const damaged: [string, (d: Record<string, unknown>) => void, string][] = [
      ['events', (d) => ((d.snapshot as Record<string, unknown>).events = null), 'snapshot.events'],
      ['buckets', (d) => (d.buckets = [{ t0: 0, first_t: 0, t1: 1, sums: null }]), 'buckets'],
      ['summary', (d) => (d.summary = 'x'), 'summary'],
      ['processInfo', (d) => ((d.snapshot as Record<string, unknown>).processInfo = [{ pid: 42 }]), 'snapshot.processInfo']
    ]
    for (const [name, damage, field] of damaged) {
      const path = await writeRecording(`digest-${name}.syscope`)
      const d = structuredClone(digest) as unknown as Record<string, unknown>
      damage(d)
      appendDigest(path, d as unknown as RecordingDigest)
      const store = await openStore(path, name)
      expect(store.digestOnly).toBe(false)
      expect(store.tickCount).toBe(20)
      expect(store.warnings).toContain(`its digest is damaged (${field}): its ticks were loaded instead`)
      store.breakdown(500, 1500)
      buildSummary(store, 'ended')
    }
  })

  it('a record of the wrong shape is skipped and counted, the rest loads', async () => {
    const bad = [
      { k: 'e', ev: null },
      { k: 'e', ev: { kind: 'exit', pid: 'x', t_ms: 1 } },
      { k: 'c', t: 100, pid: 42, sys: null },
      { k: 'c', t: 100, pid: 42, sys: [[1e300, 1, 0, 0]] },
      { k: 's', t: 'now', p: [] },
      { k: 'p', pid: 43, ppid: 1, comm: 7, cmdline: [], start_ms: 0, uid: 0 },
      { k: 'o', t: 1, s: 'stdin', d: 'x' },
      { k: 'end', t: null }
    ]
    const lines: RecordLine[] = [
      { k: 'c', t: 100, pid: 42, sys: [[0, 1, 0, 1]] },
      { k: 's', t: 100, tree: testTree, p: [row], gap: false }
    ]
    const path = gzipFile('bad-records.syscope', [header, ...bad, ...lines].map((l) => JSON.stringify(l) + '\n').join(''))
    const store = await loadStore(path, 'b')
    expect(store.tickCount).toBe(1)
    expect(store.warnings).toEqual([`${bad.length} damaged record(s) were skipped`])
    buildSummary(store, 'ended')
  })

  it('header fields that cannot be right are a clear error naming the field', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ created_ms: -1e300 }, 'ECORRUPT', /is damaged: its header's "created_ms" is -1e\+300, not a time in ms since 1970/],
      [{ created_ms: 'yesterday' }, 'ECORRUPT', /"created_ms" is "yesterday"/],
      [{ interval_ms: 0 }, 'ECORRUPT', /"interval_ms" is 0, not an interval in ms/],
      [{ arch: 'mips' }, 'ECORRUPT', /"arch" is "mips", not "x86_64" or "aarch64"/],
      [{ version: -1 }, 'ECORRUPT', /is damaged: its header's "version" is -1, not a format version \(a whole number from 1\)/],
      [{ version: '2' }, 'ECORRUPT', /its header's "version" is "2", not a format version/],
      [{ version: 2.5 }, 'ECORRUPT', /"version" is 2\.5/],
      [{ version: 99 }, 'ENEWER', /was written by a newer syscope \(recording format 99/]
    ]
    for (const [change, code, message] of cases) {
      const path = gzipFile('header.syscope', JSON.stringify({ ...header, ...change }) + '\n')
      await expect(loadStore(path, 'h')).rejects.toMatchObject({ code, message: expect.stringMatching(message) })
    }
  })

  it('a deeply nested line is skipped as damaged without parsing it (30 M and 10 M "[")', async () => {
    for (const n of [30_000_000, 10_000_000]) {
      const path = join(dir, `nested-${n}.syscope`)
      writeFileSync(path, gzipSync(headerLine + '['.repeat(n) + '\n' + JSON.stringify({ k: 's', t: 100, tree: testTree, p: [row], gap: false }) + '\n'))
      const r = await measured(() => loadStore(path, 'n'))
      expect(r.error).toBeUndefined()
      expect(r.value!.tickCount).toBe(1)
      expect(r.value!.warnings).toEqual(['1 damaged record(s) were skipped'])
      expect(r.peakGrowth).toBeLessThan(300 * MiB)
    }
  }, 60_000)
})

describe('integrity of the ticks behind a digest', () => {
  it('a bit flipped in the tick stream is noticed when the recording opens from its digest', async () => {
    const path = await withDigest('flipped.syscope', 200)
    const raw = readFileSync(path)
    const loc = readDigestLocator(path)!
    raw[Math.floor(loc.offset / 2)]! ^= 0x10
    writeFileSync(path, raw)
    const store = await openStore(path, 'f')
    expect(store.digestOnly).toBe(true)
    expect(store.warnings).toContain(
      "the recording's ticks are damaged (they do not match the checksum written with its digest): what is shown comes from its digest, which is intact, but exporting its ticks will fail"
    )
  })

  it('a recording whose locator has no checksum (written before it was kept) still opens from its digest', async () => {
    const path = await withDigest('old-locator.syscope')
    const loc = readDigestLocator(path)!
    expect(loc.ticks_crc).toEqual(expect.any(Number))
    truncateSync(path, loc.offset + loc.length)
    const { ticks_crc: _crc, ...old } = loc
    appendFileSync(path, gzipSync(JSON.stringify(old) + '\n', { level: 0 }))
    const store = await openStore(path, 'o')
    expect(store.digestOnly).toBe(true)
    expect(store.warnings).toEqual([])
  })
})
