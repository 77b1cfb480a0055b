// One measurement for `npm run bench:store`, in a process of its own (so that its heap holds one
// store and nothing else): node --expose-gc scripts/bench-store-measure.mjs <bundle> [noise]
// Feeds a synthetic session into the bundle's SessionStore line by line, as LiveSession does,
// then times the questions the app asks of it. Prints one JSON object.
import { sessionTicks, workloadHeader } from './store-workload.mjs'

const [bundle, data] = process.argv.slice(2)
const TICKS = Number(process.env.TICKS ?? 36_000)
const PROCS = Number(process.env.PROCS ?? 50)
const REPEAT = Number(process.env.REPEAT ?? 5)

const { SessionStore, buildTimelineCsv, buildSummary, buildDigest, PROCESS_COLUMNS } = await import(bundle)

function memory() {
  global.gc()
  global.gc()
  const m = process.memoryUsage()
  return { heap: m.heapUsed, external: m.external }
}

/**
 * The median time of at least REPEAT runs (of more for a quick one, until they add up to half a
 * second), after unmeasured runs in which the JIT compiles it.
 */
function time(fn) {
  for (let i = 0; i < 3; i++) fn()
  const runs = []
  let total = 0
  while (runs.length < REPEAT || (total < 500 && runs.length < 1000)) {
    const t0 = performance.now()
    fn()
    const ms = performance.now() - t0
    runs.push(ms)
    total += ms
  }
  runs.sort((a, b) => a - b)
  return runs[Math.floor(runs.length / 2)]
}

const tickCount = (store) => store.tickCount ?? store.ticks.length

/** CPU time of this process, every thread (V8 marks and sweeps on threads of its own) */
const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

const before = memory()
const store = new SessionStore(workloadHeader(PROCESS_COLUMNS), 'bench', null)
let ingestMs = 0
let ingestCpuMs = 0
let lines = 0
let rows = 0
// about a minute of lines is made, then fed to the store with the clocks running: only the store's work
// (and the collecting of garbage it causes) is timed
let batch = []
const feed = () => {
  const t0 = performance.now()
  const cpu0 = cpuMs()
  for (const line of batch) store.ingest(line)
  ingestCpuMs += cpuMs() - cpu0
  ingestMs += performance.now() - t0
  batch = []
}
for (const tickLines of sessionTicks({ columns: PROCESS_COLUMNS, ticks: TICKS, processes: PROCS, noise: data === 'noise' })) {
  batch.push(...tickLines)
  lines += tickLines.length
  for (const l of tickLines) if (l.k === 's') rows += l.p.length
  if (batch.length >= 600 * 6) feed()
}
feed()
const after = memory()
const n = tickCount(store)
const endMs = store.durationMs()
const mid = Math.floor(endMs / 2)

const result = {
  ticks: n,
  rows,
  lines,
  heapBytes: after.heap - before.heap,
  externalBytes: after.external - before.external,
  ingestMs,
  ingestCpuMs,
  queries: {
    'breakdown, whole session': time(() => store.breakdown(0, Number.MAX_SAFE_INTEGER)),
    'breakdown, 1 minute': time(() => store.breakdown(mid, mid + 60_000)),
    'tick batch, newest tick': time(() => store.tickBatch(n - 1)),
    'tick batch, last minute': time(() => store.tickBatch(n - 600)),
    'process rows, a tick in the middle': time(() => store.processPoints(Math.floor(n / 2))),
    'snapshot, 2000 points': time(() => store.snapshot('running', 2000)),
    'CSV export': time(() => buildTimelineCsv(store)),
    'JSON summary': time(() => buildSummary(store, 'ended')),
    'digest (session end)': time(() => buildDigest(store))
  }
}
// what the queries left behind, if anything
const later = memory()
result.heapAfterQueriesBytes = later.heap - before.heap
result.externalAfterQueriesBytes = later.external - before.external
result.maxRssBytes = process.resourceUsage().maxRSS * 1024
console.log(JSON.stringify(result))
