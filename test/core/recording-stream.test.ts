// Reading a recording a chunk at a time: a recording whose text is longer than V8's longest
// string loads, lines and UTF-8 characters cut by chunk boundaries arrive whole, and a file cut
// short loads exactly what zlib can decode of it.
import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { constants, gunzipSync, gzipSync } from 'node:zlib'
import { RecordingWriter } from '../../src/main/recording/writer'
import { loadRecording, RecordingError } from '../../src/main/recording/reader'
import { LineSplitter } from '../../src/main/line-splitter'
import { appendDigest, readDigestLocator } from '../../src/main/recording/digest'
import { buildDigest } from '../../src/main/session/digest'
import { loadStore } from '../../src/main/session/manager'
import type { RecordLine } from '../../src/main/types/recording-format'
import { testHeader, testTree } from './fixtures/recording-lines'
import { repeatedGzip } from './fixtures/hostile-gzip'
import { until } from '../util/until'

const dir = mkdtempSync(join(tmpdir(), 'syscope-stream-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const header = testHeader('stream ✓')
const tree = testTree
const row = [42, 1, 0, 4096, null, 0, 0, 1, 3, 0, 0.1, 0, 0, 0, 0, 4096, 1, 0, 10, 0]
function tick(t: number): RecordLine[] {
  return [
    { k: 'c', t, pid: 42, sys: [[39, t, 0, 1000]] },
    { k: 's', t, tree, p: [row], gap: false }
  ]
}

// two-, three- and four-byte UTF-8 characters, so that chunk boundaries fall inside each kind
const TEXTS = ['héllo wörld', '→ ⚙ 日本語のテキスト', 'emoji 😀🚀 and more 𝄞', 'ascii only', 'ñ'.repeat(97) + '€'.repeat(31)]

async function writeRecording(name: string, ticks: number, close = true): Promise<{ path: string; lines: RecordLine[] }> {
  const path = join(dir, name)
  const w = new RecordingWriter(path, header)
  const lines: RecordLine[] = [{ k: 'p', pid: 42, ppid: 1, comm: 'prøcess', cmdline: ['prøcess', '--ünicode'], start_ms: 0, uid: 0 }]
  w.write(lines[0]!)
  for (let i = 1; i <= ticks; i++) {
    const t = i * 100
    const out: RecordLine = { k: 'o', t, s: i % 2 ? 'stdout' : 'stderr', d: `${TEXTS[i % TEXTS.length]} #${i}\n` }
    for (const l of [out, ...tick(t)]) {
      w.write(l)
      lines.push(l)
    }
    w.flush()
  }
  if (close) {
    const end: RecordLine = { k: 'end', t: ticks * 100 + 50, exit_code: 0, exit_signal: null, message: null }
    w.write(end)
    lines.push(end)
    await w.close()
  } else {
    // the writer is dropped, as when the app is killed: its flushed ticks are on disk once gzip
    // (on the thread pool) has handed them over
    await until('the flushed ticks reached the file', async () => {
      const rec = await loadRecording(path).catch(() => null)
      return rec !== null && rec.lines.filter((l) => l.k === 's').length >= ticks
    })
  }
  return { path, lines }
}

/** What the recording's records were when its whole text could still be decoded at once. */
function recordsOfText(text: string): { ticks: number[]; cutOff: boolean } {
  const parts = text.split('\n').slice(1)
  const last = parts.pop()!
  const ticks = parts
    .map((l) => JSON.parse(l) as RecordLine)
    .filter((l) => l.k === 's')
    .map((l) => (l as { t: number }).t)
  let cutOff = false
  try {
    if (last !== '') JSON.parse(last)
  } catch {
    cutOff = true
  }
  return { ticks, cutOff }
}

describe('reading a recording a chunk at a time', () => {
  it('loads a recording whose text is longer than the longest string V8 can make', async () => {
    // 600 ticks, each with a MiB of program output: 600 MiB of text, over V8's 2^29 - 24 characters
    const output = 'x'.repeat(1 << 20)
    const body = [...tick(100), { k: 'o', t: 100, s: 'stdout', d: output }].map((l) => JSON.stringify(l) + '\n').join('')
    const { file, textBytes } = repeatedGzip(JSON.stringify(header) + '\n', body, 600)
    expect(textBytes).toBeGreaterThan(2 ** 29)
    const path = join(dir, 'longer-than-a-string.syscope')
    writeFileSync(path, file)
    const store = await loadStore(path, 'big')
    expect(store.tickCount).toBe(600)
    expect(store.perProcessSyscalls.get(42)?.get(39)?.[0]).toBe(600 * 100)
    expect(store.warnings).toEqual([])
    // the store keeps the first few MiB of output and says how much more the recording has
    const shown = store.output.reduce((n, o) => n + o.text.length, 0)
    expect(store.snapshot('ended', 100, 'recording').warnings).toContain(
      `${600 * output.length - shown} bytes of program output are in the recording but past the first 4 MiB the output view holds`
    )
  }, 300_000) // a guard against a hang only: 10–13 s on the shared 2-core machine, over 30 s beside two busy loops

  it('reads every record whole, whatever the chunk size (lines and UTF-8 characters cut at chunk boundaries)', async () => {
    const { path, lines } = await writeRecording('unicode.syscope', 60)
    for (const chunkBytes of [64, 65, 66, 67, 100, 1024, undefined]) {
      const rec = await loadRecording(path, { chunkBytes })
      expect(rec.header.title).toBe('stream ✓')
      expect(rec.lines).toEqual(lines)
      expect(rec.warnings).toEqual([])
    }
  })

  it('loads of a file cut anywhere exactly what zlib can decode of it, in chunks as small as zlib allows', async () => {
    const { path } = await writeRecording('to-cut.syscope', 40)
    const raw = readFileSync(path)
    const cut = join(dir, 'cut-here.syscope')
    let sawCutOff = false
    for (let at = 20; at < raw.length - 8; at += 37) {
      writeFileSync(cut, raw.subarray(0, at))
      const text = gunzipSync(raw.subarray(0, at), { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8')
      if (!text.includes('\n')) {
        // cut inside the header line
        await expect(loadRecording(cut, { chunkBytes: 64 })).rejects.toMatchObject({ code: 'EFOREIGN', message: expect.stringMatching(/no header line/) })
        continue
      }
      const expected = recordsOfText(text)
      const rec = await loadRecording(cut, { chunkBytes: 64 })
      // a tick is its counts and then its sample: the ticks zlib decoded in full
      expect(rec.lines.filter((l) => l.k === 's').map((l) => (l as { t: number }).t)).toEqual(expected.ticks)
      expect(rec.warnings[0]).toMatch(/^the recording was not closed properly/)
      expect(rec.warnings.includes('the last record was cut off and was skipped')).toBe(expected.cutOff)
      sawCutOff ||= expected.cutOff
    }
    // some cuts fell inside a line
    expect(sawCutOff).toBe(true)
  })

  it('keeps the flushed ticks of a recording the app never closed, read in small chunks', async () => {
    const { path, lines } = await writeRecording('killed.syscope', 25, false)
    const rec = await loadRecording(path, { chunkBytes: 64 })
    expect(rec.lines).toEqual(lines)
    expect(rec.warnings).toEqual([
      'the recording was not closed properly (the app or machine stopped while recording); loaded everything up to the last complete tick'
    ])
  })

  it('skips a line longer than the limit without decoding it, and goes on', async () => {
    const path = join(dir, 'long-line.syscope')
    const w = new RecordingWriter(path, header)
    const long: RecordLine = { k: 'o', t: 100, s: 'stdout', d: 'y'.repeat(5000) }
    for (const l of [...tick(100), long, ...tick(200)]) w.write(l)
    await w.close()
    const rec = await loadRecording(path, { maxLineBytes: 4096, chunkBytes: 64 })
    expect(rec.lines).toEqual([...tick(100), ...tick(200)])
    expect(rec.warnings).toEqual(['1 damaged record(s) were skipped'])
    // the header is a line too: over the limit, the file has no header to read
    const e = await loadRecording(path, { maxLineBytes: 100 }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(RecordingError)
    expect(e).toMatchObject({ code: 'EFOREIGN', message: expect.stringMatching(/no header line/) })
  })

  it('says a recording is corrupt when its compressed data is damaged in the middle', async () => {
    const { path } = await writeRecording('damaged.syscope', 40)
    const raw = readFileSync(path)
    for (let i = Math.floor(raw.length / 2); i < Math.floor(raw.length / 2) + 16; i++) raw[i]! ^= 0x55
    writeFileSync(path, raw)
    const e = await loadStore(path, 'd').catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'ECORRUPT', message: expect.stringMatching(/damaged\.syscope is corrupt: /) })
  })

  it('says a recording is corrupt, not foreign, when the damage is in its header', async () => {
    // stored, not compressed (level 0): the header's bytes are in the file as they are, and with
    // one of them changed the stream still inflates, failing only its CRC-32 at the end, chunks
    // after the header's
    const file = gzipSync([header, ...tick(100), ...tick(200)].map((l) => JSON.stringify(l) + '\n').join(''), { level: 0 })
    file[file.indexOf('"format"')] = 0x27
    const path = join(dir, 'damaged-header.syscope')
    writeFileSync(path, file)
    for (const chunkBytes of [64, undefined]) {
      await expect(loadRecording(path, { chunkBytes })).rejects.toMatchObject({
        code: 'ECORRUPT',
        message: expect.stringMatching(/corrupt: incorrect data check/)
      })
    }
  })

  it('loads a closed recording whose digest lost its locator without calling it unclosed', async () => {
    const { path } = await writeRecording('digest.syscope', 30)
    const store = await loadStore(path, 's')
    appendDigest(path, buildDigest(store))
    const loc = readDigestLocator(path)!
    // the app stopped after writing the digest, before its locator
    truncateSync(path, loc.offset + loc.length)
    expect(readDigestLocator(path)).toBeNull()
    const again = await loadStore(path, 'a')
    expect(again.tickCount).toBe(30)
    expect(again.ended).not.toBeNull()
    expect(again.warnings.join(' ')).not.toMatch(/not closed properly/)
  })
})

describe('LineSplitter', () => {
  const text = 'a→😀é\nzweite Zeile ✓\n\nlast'
  const bytes = Buffer.from(text)

  function split(chunks: Buffer[], max = 1024): (string | null)[] {
    const s = new LineSplitter(max)
    const out: (string | null)[] = []
    for (const c of chunks) out.push(...s.push(c))
    const rest = s.rest()
    if (rest !== undefined) out.push(rest)
    return out
  }

  it('gives the same lines wherever the bytes are cut, inside a character too (empty lines skipped)', () => {
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        expect(split([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)])).toEqual(text.split('\n').filter((l) => l !== ''))
      }
    }
  })

  it('gives a line over the limit as null, its neighbours whole', () => {
    const lines = ['short', 'x'.repeat(11), 'exactly10!', 'y'.repeat(30)]
    const all = Buffer.from(lines.join('\n'))
    const chunks = Array.from({ length: Math.ceil(all.length / 3) }, (_, i) => all.subarray(i * 3, i * 3 + 3))
    expect(split(chunks, 10)).toEqual(['short', null, 'exactly10!', null])
  })
})
