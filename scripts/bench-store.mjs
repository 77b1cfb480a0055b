#!/usr/bin/env node
// npm run bench:store — the session store under a one-hour, 10 Hz, 50-process live session
// (synthetic, scripts/store-workload.mjs): the memory it holds after a full GC, how long it takes
// to take the hour in, and how long the questions the app asks of it take. The same session is
// fed to the store of this tree and to the store of BASELINE (a git revision; default: the last
// one that kept one object per tick), each in a fresh process, and printed side by side. Then the
// same session written as a recording is reopened tick by tick (loadStore: no digest) by each.
// Env: BASELINE=<rev> ('' skips it), TICKS, PROCS, REPEAT (runs per query, median shown),
// NOISE=1 adds a run of this tree's store on incompressible figures (every value random),
// REOPEN=0 skips the reopening.
// docs/store.md has the layout and the results.
import { execFileSync } from 'node:child_process'
import { BASELINE, bundleReopen, bundleStore, checkout, root } from './store-bundles.mjs'
import { syntheticRecording } from './bench-store-recording.mjs'

function measure(file, data = 'session') {
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', `${root}scripts/bench-store-measure.mjs`, file, data], {
    encoding: 'utf8',
    maxBuffer: 1 << 20
  })
  return JSON.parse(out)
}

function measureReopen(bundle, recording) {
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', `${root}scripts/bench-store-reopen.mjs`, bundle, recording], {
    encoding: 'utf8',
    maxBuffer: 1 << 20
  })
  return JSON.parse(out)
}

const runs = []
const current = await bundleStore(root, 'current')
const baseline = BASELINE ? checkout(BASELINE) : null
if (baseline) {
  const { rev, dir } = baseline
  process.stderr.write(`measuring the store of ${rev} ...\n`)
  runs.push({ label: `before (${rev})`, r: measure(await bundleStore(dir, 'baseline')) })
}
process.stderr.write('measuring the store of this tree ...\n')
runs.push({ label: 'this tree', r: measure(current) })
if (process.env.NOISE) {
  process.stderr.write('measuring this tree on incompressible figures ...\n')
  runs.push({ label: 'random figures', r: measure(current, 'noise') })
}

const MB = 1024 * 1024
const first = runs[0].r
console.log(`\n${first.ticks} ticks, ${first.rows} process rows, ${first.lines} record lines; queries: median of at least ${process.env.REPEAT ?? 5} runs\n`)
const width = 36
const cell = (s) => String(s).padStart(18)
console.log(''.padEnd(width) + runs.map((x) => cell(x.label)).join('') + (runs.length > 1 ? cell('ratio') : ''))
function line(label, value, format) {
  const values = runs.map((x) => value(x.r))
  const ratio = runs.length > 1 && values[0] ? cell(`×${(values[1] / values[0]).toFixed(3)}`) : ''
  console.log(label.padEnd(width) + values.map((v) => cell(format(v))).join('') + ratio)
}
const mb = (v) => `${(v / MB).toFixed(1)} MB`
line('JS heap used after GC', (r) => r.heapBytes, mb)
line('+ array buffers (outside the heap)', (r) => r.externalBytes, mb)
line('= the store in memory', (r) => r.heapBytes + r.externalBytes, mb)
line(
  '  per tick',
  (r) => (r.heapBytes + r.externalBytes) / r.ticks,
  (v) => `${Math.round(v)} B`
)
line(
  '  per process row',
  (r) => (r.heapBytes + r.externalBytes) / r.rows,
  (v) => `${v.toFixed(1)} B`
)
line('left after the queries (GC)', (r) => r.heapAfterQueriesBytes + r.externalAfterQueriesBytes, mb)
line('peak RSS of the process', (r) => r.maxRssBytes, mb)
line(
  'ingest, the whole session',
  (r) => r.ingestMs,
  (v) => `${(v / 1000).toFixed(2)} s`
)
line(
  '  per tick',
  (r) => (r.ingestMs * 1000) / r.ticks,
  (v) => `${v.toFixed(1)} µs`
)
line(
  '  CPU, all threads (GC too)',
  (r) => r.ingestCpuMs,
  (v) => `${(v / 1000).toFixed(2)} s`
)
for (const q of Object.keys(first.queries))
  line(
    q,
    (r) => r.queries[q],
    (v) => `${v < 10 ? v.toFixed(2) : v.toFixed(0)} ms`
  )
console.log('\nratio: this tree / before (below 1: smaller or faster). The store in memory is the JS heap')
console.log('plus the ArrayBuffers it holds outside it, measured against the same process before the store.')

if (process.env.REOPEN !== '0') {
  const { PROCESS_COLUMNS } = await import(current)
  const ticks = Number(process.env.TICKS ?? 36_000)
  const processes = Number(process.env.PROCS ?? 50)
  process.stderr.write('\nwriting the session as a recording (once; kept under out/bench) ...\n')
  const rec = await syntheticRecording(root, PROCESS_COLUMNS, { ticks, processes })
  const reopens = []
  if (baseline) {
    process.stderr.write(`reopening it with ${baseline.rev} ...\n`)
    reopens.push({ label: `before (${baseline.rev})`, r: measureReopen(await bundleReopen(baseline.dir, 'baseline'), rec.path) })
  }
  process.stderr.write('reopening it with this tree ...\n')
  reopens.push({ label: 'this tree', r: measureReopen(await bundleReopen(root, 'current'), rec.path) })
  console.log(
    `\nReopening the session without a digest (loadStore): ${(rec.diskBytes / MB).toFixed(1)} MB on disk, ${(rec.textBytes / MB).toFixed(1)} MB of JSON lines\n`
  )
  console.log(''.padEnd(width) + reopens.map((x) => cell(x.label)).join(''))
  // a reopening that failed has a time and a peak RSS, nothing else
  const row = (label, value, evenIfFailed = false) =>
    console.log(label.padEnd(width) + reopens.map((x) => cell(x.r.error && !evenIfFailed ? 'failed' : value(x.r))).join(''))
  row('ticks loaded', (r) => r.ticks)
  row('time', (r) => `${(r.ms / 1000).toFixed(2)} s`, true)
  row('  CPU, all threads', (r) => `${(r.cpuMs / 1000).toFixed(2)} s`)
  row('peak RSS of the process', (r) => mb(r.maxRssBytes), true)
  row('the store after GC (heap + buffers)', (r) => mb(r.heapBytes + r.externalBytes))
  for (const x of reopens) for (const w of x.r.warnings ?? []) console.log(`${x.label}: warning: ${w}`)
  for (const x of reopens) if (x.r.error) console.log(`${x.label}: failed: ${x.r.error}`)
}
