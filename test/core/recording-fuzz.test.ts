// A bounded fuzz of the recording reader: real recordings written by the real writer (with and
// without their digest), mutated — bits flipped, cut short, lines duplicated, removed, swapped,
// numbers made huge, fields of the wrong type, junk lines, damaged digests — and random junk.
// Every load must succeed (with warnings) or fail with a clear error: never a raw TypeError or
// RangeError, never over its time or memory budget. A few seconds here; `npm run fuzz:reader --
// SECONDS` runs it longer. The seed is printed: SYSCOPE_FUZZ_SEED=<seed> replays a run.
import { afterAll, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { RecordingWriter } from '../../src/main/recording/writer'
import { appendDigest, readDigestLocator } from '../../src/main/recording/digest'
import { buildDigest } from '../../src/main/session/digest'
import { loadStore, openStore } from '../../src/main/session/manager'
import { buildSummary } from '../../src/main/analysis/summary'
import { PROCESS_COLUMNS } from '../../src/main/types/recording-format'
import { testHeader, testTree } from './fixtures/recording-lines'
import { peakRss } from './fixtures/hostile-gzip'
import { seededRandom } from '../util/random'

const SECONDS = Number(process.env.SYSCOPE_FUZZ_SECONDS ?? 3)
const SEED = Number(process.env.SYSCOPE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
/** per load: what the slowest real case here takes is ~100 ms; a bomb that gets past a bound takes far longer */
const CASE_MS = 5_000
/** the worker's peak RSS, whatever the case (a real hour's store is ~30 MB) */
const PEAK_RSS = 1536 * 1024 * 1024

const dir = mkdtempSync(join(tmpdir(), 'syscope-fuzz-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function realRecording(name: string, ticks: number, digest: boolean): Promise<Buffer> {
  const path = join(dir, name)
  const w = new RecordingWriter(path, testHeader(`fuzz ${name}`))
  for (const pid of [42, 43, 44]) w.write({ k: 'p', pid, ppid: pid === 42 ? 1 : 42, comm: `p${pid}`, cmdline: [`p${pid}`, '-x'], start_ms: 0, uid: 0 })
  w.write({ k: 'e', ev: { kind: 'fork', t_ms: 5, pid: 43, ppid: 42 } })
  w.write({ k: 'e', ev: { kind: 'exec', t_ms: 6, pid: 43, comm: 'p43', filename: '/bin/p43' } })
  for (let i = 1; i <= ticks; i++) {
    const t = i * 100
    const rows = [42, 43, 44].map((pid) => [pid, ...PROCESS_COLUMNS.map((_, c) => (c === 2 ? 4096 * i : i % 7))])
    for (const pid of [42, 43])
      w.write({
        k: 'c',
        t,
        pid,
        sys: [
          [0, i, 0, 1000],
          [1, 2, 1, 500],
          [257, 1, 0, 90]
        ]
      })
    w.write({ k: 's', t, tree: testTree, p: rows, gap: i % 10 === 0 })
    if (i % 4 === 0) w.write({ k: 'o', t, s: 'stdout', d: `line ${i} ✓\n` })
    w.flush()
  }
  w.write({ k: 'e', ev: { kind: 'exit', t_ms: ticks * 100, pid: 43, code: 0, signal: null, io: [1, 2, null, 4], cpu_seconds: 0.5 } })
  w.write({ k: 'end', t: ticks * 100 + 50, exit_code: 0, exit_signal: null, message: null })
  await w.close()
  if (digest) appendDigest(path, buildDigest(await loadStore(path, 'x')))
  return readFileSync(path)
}

const HUGE = [1e308, -1e308, 2 ** 53 + 1, -1, 0, 1e-300, 4294967296]
const ODD = [null, 'x', true, [], {}, [[[]]], -0, '1e309']

/** A copy of a JSON value with one node replaced: a huge number, the wrong type, or removed. */
function mutateJson(v: unknown, r: () => number, depth = 0): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!
  if (depth > 0 && r() < 0.3) return r() < 0.5 ? pick(HUGE) : pick(ODD)
  if (Array.isArray(v) && v.length > 0) {
    const out = [...v]
    const i = Math.floor(r() * out.length)
    if (r() < 0.1) out.splice(i, 1)
    else out[i] = mutateJson(out[i], r, depth + 1)
    return out
  }
  if (typeof v === 'object' && v !== null) {
    const out = { ...(v as Record<string, unknown>) }
    const keys = Object.keys(out)
    if (keys.length === 0) return out
    const k = pick(keys)
    if (r() < 0.1) delete out[k]
    else out[k] = mutateJson(out[k], r, depth + 1)
    return out
  }
  return r() < 0.5 ? pick(HUGE) : pick(ODD)
}

/** The tick stream's text of a recording (without its digest). */
function ticksText(file: Buffer): string {
  return gunzipSync(file.subarray(0, tickEnd(file)), { finishFlush: 2 }).toString('utf8')
}

let lastPath = ''
function tickEnd(file: Buffer): number {
  writeFileSync(lastPath, file)
  return readDigestLocator(lastPath)?.offset ?? file.length
}

function mutate(base: Buffer, r: () => number): { name: string; file: Buffer; digest?: unknown } {
  const kind = Math.floor(r() * 9)
  const b = Buffer.from(base)
  switch (kind) {
    case 0: {
      const n = 1 + Math.floor(r() * 8)
      for (let i = 0; i < n; i++) b[Math.floor(r() * b.length)]! ^= 1 << Math.floor(r() * 8)
      return { name: `${n} bit flips`, file: b }
    }
    case 1:
      return { name: 'cut short', file: b.subarray(0, Math.floor(r() * b.length)) }
    case 2: {
      const at = Math.floor(r() * b.length)
      const junk = Buffer.from(Array.from({ length: 1 + Math.floor(r() * 64) }, () => Math.floor(r() * 256)))
      return { name: 'bytes overwritten', file: Buffer.concat([b.subarray(0, at), junk, b.subarray(Math.min(b.length, at + junk.length))]) }
    }
    case 3:
    case 4:
    case 5: {
      // text-level: a line duplicated, removed, swapped, or one of its values changed
      const lines = ticksText(b).split('\n')
      const i = 1 + Math.floor(r() * (lines.length - 1))
      const j = 1 + Math.floor(r() * (lines.length - 1))
      const op = Math.floor(r() * 6)
      let name: string
      if (op === 0) {
        lines.splice(i, 0, lines[i]!)
        name = 'line duplicated'
      } else if (op === 1) {
        lines.splice(i, 1)
        name = 'line removed'
      } else if (op === 2) {
        ;[lines[i], lines[j]] = [lines[j]!, lines[i]!]
        name = 'lines swapped'
      } else if (op === 3) {
        lines.splice(
          i,
          0,
          r() < 0.5
            ? '{"k":"c","t":1,"pid":1,"sys":' + '['.repeat(100_000)
            : Buffer.from(Array.from({ length: 200 }, () => 32 + Math.floor(r() * 90))).toString()
        )
        name = 'junk line'
      } else if (op === 4) {
        lines.splice(i, 0, ...Array.from({ length: Math.floor(r() * 1000) }, () => ''))
        name = 'empty lines'
      } else {
        let v: unknown
        try {
          v = JSON.parse(lines[i]!)
        } catch {
          v = {}
        }
        lines[i] = JSON.stringify(mutateJson(v, r))
        name = i === 0 ? 'header value changed' : 'record value changed'
      }
      return { name, file: gzipSync(lines.join('\n')) }
    }
    case 6: {
      // the header changed
      const lines = ticksText(b).split('\n')
      lines[0] = JSON.stringify(mutateJson(JSON.parse(lines[0]!), r))
      return { name: 'header changed', file: gzipSync(lines.join('\n')) }
    }
    case 7: {
      // the digest changed, written again by the real appendDigest
      writeFileSync(lastPath, b)
      const loc = readDigestLocator(lastPath)
      if (!loc) {
        b[Math.floor(r() * b.length)]! ^= 4
        return { name: 'no digest to change: bit flip', file: b }
      }
      const digest = JSON.parse(gunzipSync(b.subarray(loc.offset, loc.offset + loc.length)).toString('utf8')) as unknown
      return { name: 'digest changed', file: b.subarray(0, loc.offset), digest: mutateJson(digest, r) }
    }
    default: {
      // random junk, gzip or not
      const junk = Buffer.from(Array.from({ length: Math.floor(r() * 4096) }, () => Math.floor(r() * 256)))
      return r() < 0.5 ? { name: 'random gzip text', file: gzipSync(junk) } : { name: 'random bytes', file: Buffer.concat([Buffer.from([0x1f, 0x8b]), junk]) }
    }
  }
}

it(
  `loads every mutated recording with warnings or fails with a clear error (${SECONDS} s; the seed is printed)`,
  async () => {
    console.log(`recording fuzz: seed ${SEED} (replay: SYSCOPE_FUZZ_SEED=${SEED}), ${SECONDS} s`)
    const r = seededRandom(SEED)
    lastPath = join(dir, 'scratch.syscope')
    const bases = [await realRecording('closed.syscope', 60, true), await realRecording('plain.syscope', 40, false)]
    const path = join(dir, 'case.syscope')
    const deadline = performance.now() + SECONDS * 1000
    const outcomes = new Map<string, number>()
    let cases = 0
    while (performance.now() < deadline) {
      const m = mutate(bases[Math.floor(r() * bases.length)]!, r)
      writeFileSync(path, m.file)
      if (m.digest !== undefined) {
        try {
          appendDigest(path, m.digest as never)
        } catch {
          // a digest that cannot even be serialised is not written
        }
      }
      const start = performance.now()
      let outcome: string
      try {
        const store = await openStore(path, 'fuzz')
        // what the views and the summary ask of it
        store.snapshot('ended', 500, 'recording')
        const d = store.durationMs()
        store.breakdown(0, Number.MAX_SAFE_INTEGER)
        store.breakdown(d / 4, d / 2)
        JSON.stringify(buildSummary(store, 'ended'))
        outcome = store.warnings.length ? 'loaded with warnings' : 'loaded'
      } catch (e) {
        const err = e as Error & { code?: string }
        const context = `case ${cases} (${m.name}), seed ${SEED}`
        expect(err, `${context}: ${err.stack}`).not.toBeInstanceOf(TypeError)
        expect(err, `${context}: ${err.stack}`).not.toBeInstanceOf(RangeError)
        expect(err.code, `${context}: ${err.message}`).toMatch(/^(EFOREIGN|ENEWER|ECORRUPT|ETOOBIG)$/)
        expect(err.message, context).toContain(path)
        outcome = err.code!
      }
      const ms = performance.now() - start
      expect(ms, `case ${cases} (${m.name}), seed ${SEED}`).toBeLessThan(CASE_MS)
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
      cases++
    }
    expect(peakRss()).toBeLessThan(PEAK_RSS)
    console.log(`recording fuzz: ${cases} cases`, Object.fromEntries(outcomes))
    expect(cases).toBeGreaterThan(10)
  },
  (SECONDS + 60) * 1000
)
