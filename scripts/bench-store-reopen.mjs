// One measurement of reopening a recording tick by tick, as the app does for a recording without
// a digest (a session that was killed) and for the CSV of one opened from its digest, in a
// process of its own: node --expose-gc scripts/bench-store-reopen.mjs <bundle> <recording>
// The bundle's loadStore may return the store or a promise of it (it became async). Prints one
// JSON object, with `error` when the recording could not be loaded.
const [bundle, path] = process.argv.slice(2)
const { loadStore } = await import(bundle)

function memory() {
  global.gc()
  global.gc()
  const m = process.memoryUsage()
  return { heap: m.heapUsed, external: m.external }
}
const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

const before = memory()
const t0 = performance.now()
const cpu0 = cpuMs()
let store
try {
  store = await loadStore(path, 'bench')
} catch (e) {
  // a recording whose text is longer than V8's longest string, read as one string
  console.log(JSON.stringify({ error: e.message, ms: performance.now() - t0, maxRssBytes: process.resourceUsage().maxRSS * 1024 }))
  process.exit(0)
}
const ms = performance.now() - t0
const cpu = cpuMs() - cpu0
const after = memory()
console.log(
  JSON.stringify({
    ticks: store.tickCount ?? store.ticks.length,
    ms,
    cpuMs: cpu,
    heapBytes: after.heap - before.heap,
    externalBytes: after.external - before.external,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    warnings: store.warnings
  })
)
