import { afterAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { constants, gunzipSync, gzipSync } from 'node:zlib'
import { RecordingWriter } from '../../src/main/recording/writer'
import { loadRecording, RecordingError } from '../../src/main/recording/reader'
import { loadStore } from '../../src/main/session/manager'
import { RECORDING_VERSION, type RecordLine, type RecordingHeader } from '../../src/main/types/recording-format'
import { testHeader, testTree } from './fixtures/recording-lines'
import { until } from '../util/until'

/** the recording at path once it holds n samples (a writer may still be flushing it), else null */
async function samplesIn(path: string, n: number): Promise<Awaited<ReturnType<typeof loadRecording>> | null> {
  const rec = await loadRecording(path).catch(() => null)
  return rec && rec.lines.filter((l) => l.k === 's').length >= n ? rec : null
}

const dir = mkdtempSync(join(tmpdir(), 'syscope-rec-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const header = (): RecordingHeader => testHeader('test')
const tree = testTree
function tick(t: number): RecordLine[] {
  return [
    { k: 'c', t, pid: 42, sys: [[39, t, 0, 1000]] },
    { k: 's', t, tree, p: [[42, 1, 0, 4096, null, 0, 0, 1, 3, 0, 0.1, 0, 0]], gap: false }
  ]
}

async function errorOf(fn: () => Promise<unknown>): Promise<RecordingError> {
  try {
    await fn()
  } catch (e) {
    if (e instanceof RecordingError) return e
    throw e
  }
  throw new Error('expected a RecordingError')
}

describe('recordings', () => {
  it('round-trips every line of a closed recording', async () => {
    const path = join(dir, 'closed.syscope')
    const w = new RecordingWriter(path, header())
    const lines = [...tick(100), ...tick(200), { k: 'end', t: 250, exit_code: 0, exit_signal: null, message: null } as RecordLine]
    for (const l of lines) w.write(l)
    await w.close()
    const rec = await loadRecording(path)
    expect(rec.header.title).toBe('test')
    expect(rec.lines).toEqual(lines)
    expect(rec.warnings).toEqual([])
  })

  it('never overwrites an existing recording', () => {
    const path = join(dir, 'exists.syscope')
    writeFileSync(path, 'x')
    expect(() => new RecordingWriter(path, header())).toThrow(/exists.syscope already exists, and syscope never overwrites a recording/)
  })

  it('keeps every flushed tick of a recording that was never closed, and says so', () => {
    const path = join(dir, 'open.syscope')
    const w = new RecordingWriter(path, header())
    for (const l of [...tick(100), ...tick(200)]) w.write(l)
    w.flush()
    // the next tick is in flight when the app dies: its counts are written, its sample is not
    w.write(tick(300)[0]!)
    // (gzip flushes on the thread pool: the flushed ticks reach the file a moment later)
    return until('the flushed ticks reached the file', () => samplesIn(path, 2)).then((rec) => {
      expect(rec.lines.filter((l) => l.k === 's').map((l) => (l as { t: number }).t)).toEqual([100, 200])
      expect(rec.warnings.join(' ')).toMatch(/not closed properly/)
    })
  })

  it('leaves the counts of a tick whose sample never came out of the store it loads', async () => {
    const path = join(dir, 'cut-tick.syscope')
    const w = new RecordingWriter(path, header())
    for (const l of [...tick(100), ...tick(200)]) w.write(l)
    // the counts of the next tick reach the file, its sample does not
    w.write(tick(300)[0]!)
    w.flush()
    // the counts line of the third tick is the last thing flushed
    await until('the third tick’s counts reached the file', () =>
      gunzipSync(readFileSync(path), { finishFlush: constants.Z_SYNC_FLUSH })
        .toString()
        .split('\n')
        .some((l) => l.startsWith('{"k":"c"') && l.includes('"t":300'))
    )
    const store = await loadStore(path, 'x')
    expect(store.tickCount).toBe(2)
    // tick(t) counts t calls of nr 39
    expect(store.perProcessSyscalls.get(42)?.get(39)?.[0]).toBe(100 + 200)
    expect(store.breakdown(0, Number.MAX_SAFE_INTEGER).total_calls).toBe(300)
    expect(store.warnings.join(' ')).toMatch(/last, incomplete tick was skipped/)
  })

  it('loads what is there from a file cut in the middle', async () => {
    const path = join(dir, 'full.syscope')
    const w = new RecordingWriter(path, header())
    for (let t = 100; t <= 5000; t += 100) {
      for (const l of tick(t)) w.write(l)
      w.flush()
    }
    await w.close()
    const raw = readFileSync(path)
    const cut = join(dir, 'cut.syscope')
    writeFileSync(cut, raw.subarray(0, Math.floor(raw.length * 0.6)))
    const rec = await loadRecording(cut)
    const ticks = rec.lines.filter((l) => l.k === 's').length
    expect(ticks).toBeGreaterThan(5)
    expect(ticks).toBeLessThan(50)
    expect(rec.warnings.length).toBeGreaterThan(0)
  })

  it('refuses a recording from a newer syscope with a clear error', async () => {
    const path = join(dir, 'newer.syscope')
    writeFileSync(path, gzipSync(JSON.stringify({ ...header(), version: RECORDING_VERSION + 1 }) + '\n'))
    const e = await errorOf(() => loadRecording(path))
    expect(e.code).toBe('ENEWER')
    expect(e.message).toMatch(/newer syscope.*update syscope/)
  })

  it('refuses foreign files with a clear error', async () => {
    const text = join(dir, 'notes.txt')
    writeFileSync(text, 'hello\n')
    expect((await errorOf(() => loadRecording(text))).code).toBe('EFOREIGN')
    const otherGzip = join(dir, 'other.gz')
    writeFileSync(otherGzip, gzipSync('{"format":"something-else"}\n'))
    expect((await errorOf(() => loadRecording(otherGzip))).message).toMatch(/not a syscope recording/)
    const garbage = join(dir, 'garbage.syscope')
    writeFileSync(garbage, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff]))
    expect(['ECORRUPT', 'EFOREIGN']).toContain((await errorOf(() => loadRecording(garbage))).code)
    expect((await errorOf(() => loadRecording(join(dir, 'missing.syscope')))).code).toBe('ENOENT')
  })
})
