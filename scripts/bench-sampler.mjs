#!/usr/bin/env node
// npm run bench:sampler — CPU the /proc sampler uses, for trees of 0 (the bare 10 Hz loop), 10,
// 100 and 500 sleeping processes at 10 Hz, with the N-API and the TypeScript reader, beside
// pidstat sampling the same processes (same fields: CPU, memory, I/O, context switches) in the
// same run. The sampler's cost is this whole Node process's CPU (process.cpuUsage: user and
// system, every thread), with the sampling thread's own beside it; each row is the median of
// WINDOWS windows. pidstat's shortest interval is 1 s, so both are compared per sample as well as
// per second at 10 Hz. "+ discovery" adds the /proc scan for new children that a session
// without eBPF runs every tick. "run reports" rows sample as an eBPF session does: the real
// helper tracks the tree, its ticks start the samples, and its run reports (a sched_switch hook)
// say which processes ran; the helper's own CPU and the hook's are printed beside them.
// docs/sampler.md has the method and the results.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

// The sampler as the app runs it: bundled to plain JavaScript (under a TypeScript loader such as
// tsx the process spends CPU of its own in the background, which this would count).
const root = fileURLToPath(new URL('..', import.meta.url))
const bundle = `${root}out/bench/sampler.mjs`
await build({
  stdin: {
    contents:
      "export { createSampler } from './src/main/proc/sampler'\nexport { loadNativeAddon } from './src/main/proc/native'\nexport { startHelper } from './src/main/helper/client'\n",
    resolveDir: root,
    loader: 'ts'
  },
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['*.node'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning'
})
const { createSampler, loadNativeAddon, startHelper } = await import(bundle)

const WINDOWS = Number(process.env.WINDOWS ?? 5)
const WINDOW_SECONDS = Number(process.env.WINDOW_SECONDS ?? 2)
/** 10 Hz sampling per reader before the rows: V8 recompiles for a minute or so, see below */
const STEADY_SECONDS = Number(process.env.STEADY_SECONDS ?? 20)
/** the closing steady-state rows: three windows of this many seconds each */
const STEADY_WINDOW_SECONDS = Number(process.env.STEADY_WINDOW_SECONDS ?? 20)
const WARMUP_SECONDS = Number(process.env.WARMUP_SECONDS ?? 1)
const HZ = 10
const PIDSTAT_SAMPLES = 4

function spawnTree(n) {
  return Array.from({ length: n }, () => spawn('sleep', ['600'], { stdio: 'ignore' }))
}

/** processes that run every 20 ms (a little work, then sleep): none is ever idle for a whole tick */
function spawnWakingTree(n) {
  return Array.from({ length: n }, () =>
    spawn('perl', ['-e', 'while (1) { my $x = 0; $x += $_ for 1..200; select(undef, undef, undef, 0.02) }'], { stdio: 'ignore' })
  )
}

async function sampleAt10Hz(s, discover, seconds) {
  const t0 = performance.now()
  let samples = 0
  while (performance.now() - t0 < seconds * 1000) {
    const tick = performance.now()
    if (discover) for (const c of await s.discoverChildren()) s.track(c.pid)
    await s.sampleOnce()
    samples++
    const wait = 1000 / HZ - (performance.now() - tick)
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
  }
  return samples
}

/** CPU time of the calling thread (ns), as the scheduler counts it */
const threadNs = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0])

/**
 * CPU per sample over WINDOWS windows: the median window (and the range), so that a burst of
 * work the rows before left behind (V8 collecting their garbage, another process on the
 * machine) does not land on whichever row is running; the sampler's own cost is in every window.
 */
async function samplerCost(pids, reader, discover, windowCount = WINDOWS, windowSeconds = WINDOW_SECONDS) {
  const s = createSampler({ reader })
  for (const p of pids) s.track(p)
  // past the first complete reads and the tiers' first round
  await sampleAt10Hz(s, discover, WARMUP_SECONDS)
  const windows = []
  for (let w = 0; w < windowCount; w++) {
    const before = process.cpuUsage()
    const mainBefore = threadNs()
    const samples = await sampleAt10Hz(s, discover, windowSeconds)
    const mainMs = (threadNs() - mainBefore) / 1e6
    const used = process.cpuUsage(before)
    windows.push({ msPerSample: (used.user + used.system) / 1000 / samples, mainMsPerSample: mainMs / samples })
  }
  s.close()
  windows.sort((a, b) => a.msPerSample - b.msPerSample)
  const median = windows[Math.floor(windows.length / 2)]
  return { ...median, pctOfCore: (median.msPerSample * HZ) / 10, min: windows[0].msPerSample, max: windows[windows.length - 1].msPerSample }
}

/** CPU time (ms) of a single-threaded process, as the scheduler counts it (ns resolution) */
const processCpuMs = (pid) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6

/** the sched_switch program's total run time (ns) and runs, from the kernel's BPF statistics */
function switchHookStats(helperPid) {
  const progs = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' }))
  // the newest: this helper's (bpftool names the holder only when built with that support)
  const p = progs.filter((q) => /^(btf|raw)_switch$/.test(q.name ?? '') && (!q.pids || q.pids.some((o) => o.pid === helperPid))).sort((a, b) => b.id - a.id)[0]
  return p ? { ns: p.run_time_ns ?? 0, runs: p.run_cnt ?? 0 } : null
}

/**
 * As an eBPF session samples: the helper tracks every process of the tree, its tick (at 10 Hz)
 * starts each sample, and its run reports go to the sampler. Besides the sampling process's
 * CPU: the helper's (it runs in every eBPF session anyway, for the syscall counts) and the
 * sched_switch hook's, which runs on every context switch of the machine.
 */
async function sampleWithHelper(pids, reader, windowCount = WINDOWS, windowSeconds = WINDOW_SECONDS) {
  const client = await startHelper({ helperPath: helperBinary })
  const s = createSampler({ reader })
  try {
    await client.setInterval(1000 / HZ)
    for (const p of pids) {
      await client.track(p, false)
      s.track(p)
      s.runsReported(p, true)
    }
    client.on('ran', (m) => s.ran(m.pids))
    let samples = 0
    /** off: the session's side alone (the helper's messages for this tree: counts, run reports, ticks) */
    let sampling = true
    /** resolved by the tick that makes the count: no timer of the bench's own wakes the process */
    let waiting = null
    client.on('tick', () => {
      samples++
      if (sampling) void s.sampleOnce()
      if (waiting && samples >= waiting.n) waiting.resolve()
    })
    const until = (n) => new Promise((resolve) => (waiting = { n, resolve }))
    await until(Math.max(3, WARMUP_SECONDS) * HZ)
    const windows = []
    const stats = existsSync('/proc/sys/kernel/bpf_stats_enabled') ? readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8').trim() : null
    if (stats === '0') execFileSync('sysctl', ['-qw', 'kernel.bpf_stats_enabled=1'])
    try {
      // windows without sampling and with it, in turn: the sampler's cost is the difference
      for (let w = 0; w < 2 * windowCount; w++) {
        sampling = w % 2 === 1
        const before = process.cpuUsage()
        const mainBefore = threadNs()
        const helperBefore = processCpuMs(client.child.pid)
        const hookBefore = switchHookStats(client.child.pid)
        const from = samples
        await until(from + windowSeconds * HZ)
        const n = samples - from
        const used = process.cpuUsage(before)
        const hookAfter = switchHookStats(client.child.pid)
        windows.push({
          sampling,
          msPerSample: (used.user + used.system) / 1000 / n,
          mainMsPerSample: (threadNs() - mainBefore) / 1e6 / n,
          helperMsPerSample: (processCpuMs(client.child.pid) - helperBefore) / n,
          hookMsPerSample: hookBefore && hookAfter ? (hookAfter.ns - hookBefore.ns) / 1e6 / n : NaN,
          hookNsPerRun: hookBefore && hookAfter && hookAfter.runs > hookBefore.runs ? (hookAfter.ns - hookBefore.ns) / (hookAfter.runs - hookBefore.runs) : NaN
        })
      }
    } finally {
      if (stats === '0') execFileSync('sysctl', ['-qw', 'kernel.bpf_stats_enabled=0'])
    }
    sampling = true
    const mid = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
    const on = windows.filter((w) => w.sampling)
    const off = windows.filter((w) => !w.sampling)
    const whole = on.map((w) => w.msPerSample).sort((a, b) => a - b)
    return {
      msPerSample: mid(whole),
      pctOfCore: (mid(whole) * HZ) / 10,
      min: whole[0],
      max: whole[whole.length - 1],
      sessionMsPerSample: mid(off.map((w) => w.msPerSample)),
      samplerMsPerSample: mid(on.map((w, k) => w.msPerSample - off[k].msPerSample)),
      helperMsPerSample: mid(windows.map((w) => w.helperMsPerSample)),
      hookMsPerSample: mid(windows.map((w) => w.hookMsPerSample)),
      hookNsPerRun: mid(windows.map((w) => w.hookNsPerRun)),
      skipped: s.reads.skipped / (s.reads.skipped + s.reads.read)
    }
  } finally {
    s.close()
    await client.shutdown()
  }
}

/** the helper in the build tree (or SYSCOPE_HELPER), if it can load its programs here */
const helperBinary = process.env.SYSCOPE_HELPER ?? `${root}build/helper/syscope-helper`

function pidstatCost(pids) {
  // bash's `times` reports the CPU its children used
  const out = execFileSync('bash', ['-c', `pidstat -h -u -r -d -w -p ${pids.join(',')} 1 ${PIDSTAT_SAMPLES} >/dev/null; times`], { encoding: 'utf8' })
  const lines = out.trim().split('\n')
  const child = lines[lines.length - 1].match(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/)
  const sec = Number(child[1]) * 60 + Number(child[2]) + Number(child[3]) * 60 + Number(child[4])
  // pidstat takes one extra sample to compute its first rates
  return { msPerSample: (sec * 1000) / (PIDSTAT_SAMPLES + 1) }
}

/** each reader's bare 10 Hz loop (a tree of 0): what a tick costs with nothing to sample */
const loopCost = new Map()
const row = (n, label, c, ps, reader) => {
  if (n === 0) loopCost.set(reader, c.msPerSample)
  const over = n === 0 ? '       -' : (c.msPerSample - loopCost.get(reader)).toFixed(3).padStart(8)
  console.log(
    `${String(n).padStart(4)}   ${label.padEnd(19)} ${c.pctOfCore.toFixed(2).padStart(6)} %   ${c.msPerSample.toFixed(3).padStart(8)}   ${`${c.min.toFixed(2)}–${c.max.toFixed(2)}`.padStart(11)}   ${c.mainMsPerSample.toFixed(3).padStart(8)}   ${over}   ${ps ? ps.msPerSample.toFixed(2).padStart(8) : '       -'}   ${ps ? (c.msPerSample / ps.msPerSample).toFixed(2).padStart(7) : '      -'}`
  )
}

const native = loadNativeAddon()
const readers = native.addon ? ['native', 'ts'] : ['ts']
const sizes = [10, 100, 500]
console.log(`native reader: ${native.addon ? 'built' : `not available (${native.reason})`}; ${(await import('node:os')).cpus().length} CPUs`)
const trees = new Map(sizes.map((n) => [n, spawnTree(n)]))
const pidsOf = (n) => (n === 0 ? [] : trees.get(n).map((k) => k.pid))
/** spawned for its own rows only: it keeps a core busy enough to disturb the others */
let waking = []
try {
  // every child has exec'd sleep (spawn returns before it has): pidstat and the sampler see the same processes
  for (const kids of trees.values())
    for (const k of kids) while (!readFileSync(`/proc/${k.pid}/comm`, 'utf8').startsWith('sleep')) await new Promise((r) => setTimeout(r, 20))
  // pidstat first: its runs also let this process settle (tsx's loader thread does a burst of
  // work some seconds after start, and V8 compiles and collects what starting up made)
  const pidstat = new Map(sizes.map((n) => [n, pidstatCost(pidsOf(n))]))
  // a session's steady state, not its first seconds: run the code of every row until the JIT
  // has compiled it, so that no row pays for compiling what the rows before it only began
  for (const reader of readers) {
    const s = createSampler({ reader })
    for (const p of pidsOf(500)) s.track(p)
    // V8 goes on compiling (and deoptimising after major collections) for some 150 samples;
    // half of them with run reports, so that both ways through a sample are compiled
    for (let i = 0; i < 150; i++) {
      if (i === 75) for (const p of pidsOf(500)) s.runsReported(p, true)
      if (i >= 75) s.ran(pidsOf(500).filter((_, k) => (k + i) % 7 === 0))
      await s.discoverChildren()
      await s.sampleOnce()
    }
    // then as a session samples: at first V8 keeps recompiling what it deoptimised (after its
    // major collections, or when a field it took for a small integer is not), and a 100-process
    // tree's tick measured over its first 10 s cost twice what it did a minute in
    s.close()
    const steady = createSampler({ reader })
    for (const p of pidsOf(100)) steady.track(p)
    await sampleAt10Hz(steady, false, STEADY_SECONDS)
    steady.close()
  }
  await new Promise((r) => setTimeout(r, 2000))
  console.log(
    `\nsampler at ${HZ} Hz, steady state (each reader sampled 100 processes for ${STEADY_SECONDS} s first): median of ${WINDOWS} windows of ${WINDOW_SECONDS} s (after ${WARMUP_SECONDS} s unmeasured) vs pidstat (${PIDSTAT_SAMPLES} samples at 1 s), same processes`
  )
  console.log('                            ------ whole process ------------   main thread   over loop')
  console.log('tree   reader              % core   ms/sample         range     ms/sample   ms/sample   pidstat ms/sample   ×pidstat')
  // one reader after the other: the TypeScript reader's garbage is collected in its own runs
  for (const reader of readers) for (const n of [0, ...sizes]) row(n, reader, await samplerCost(pidsOf(n), reader, false), pidstat.get(n), reader)
  for (const reader of readers) row(100, `${reader} + discovery`, await samplerCost(pidsOf(100), reader, true), pidstat.get(100), reader)
  // as an eBPF session samples: started by the helper's ticks, with its run reports
  let helperRows = []
  let helperProblem = null
  try {
    for (const n of [0, ...sizes]) helperRows.push([n, 'sleeping', await sampleWithHelper(pidsOf(n), 'native')])
  } catch (e) {
    helperProblem = e.message
  }
  // the worst case for skipping idle processes: every one ran since the last tick
  waking = spawnWakingTree(100)
  await new Promise((r) => setTimeout(r, 500))
  for (const reader of readers)
    row(
      100,
      `${reader}, all waking`,
      await samplerCost(
        waking.map((k) => k.pid),
        reader,
        false
      ),
      pidstat.get(100),
      reader
    )
  if (!helperProblem)
    helperRows.push([
      100,
      'all waking',
      await sampleWithHelper(
        waking.map((k) => k.pid),
        'native'
      )
    ])
  for (const k of waking) k.kill('SIGKILL')
  waking = []

  // a session's steady state, every row's code compiled long since: the 100-process tree sampled
  // for a minute, in three windows of 20 s (on a timer), or of 10 s each with and without
  // sampling (as an eBPF session)
  const steady = []
  steady.push(['timer (no eBPF)', await samplerCost(pidsOf(100), 'native', false, 3, STEADY_WINDOW_SECONDS), loopCost.get('native')])
  if (!helperProblem) steady.push(['helper ticks, run reports', await sampleWithHelper(pidsOf(100), 'native', 3, STEADY_WINDOW_SECONDS / 2), null])

  console.log(`\nas an eBPF session samples (native reader): the helper's ticks start the samples and its run reports name the processes that ran`)
  if (helperProblem) console.log(`  not measured: the helper did not start (${helperProblem}); run as root or with a setcap'd helper (npm run setup)`)
  else {
    console.log('                            ------ whole process ------------   no sampling   sampler                  unread   helper      sched_switch hook')
    console.log('tree   tree is             % core   ms/sample         range     ms/sample   ms/sample   ×pidstat      %   ms/sample   ms/sample   ns/run')
    for (const [n, kind, c] of helperRows) {
      const ps = pidstat.get(n)
      const fmt = (v, d, w) => (Number.isNaN(v) ? '-'.padStart(w) : v.toFixed(d).padStart(w))
      console.log(
        `${String(n).padStart(4)}   ${kind.padEnd(19)} ${c.pctOfCore.toFixed(2).padStart(6)} %   ${c.msPerSample.toFixed(3).padStart(8)}   ${`${c.min.toFixed(2)}–${c.max.toFixed(2)}`.padStart(11)}   ${fmt(c.sessionMsPerSample, 3, 8)}   ${fmt(c.samplerMsPerSample, 3, 8)}   ${ps ? (c.samplerMsPerSample / ps.msPerSample).toFixed(2).padStart(7) : '      -'}   ${n === 0 ? '   -' : (c.skipped * 100).toFixed(0).padStart(4)}   ${fmt(c.helperMsPerSample, 3, 8)}   ${fmt(c.hookMsPerSample, 4, 8)}   ${fmt(c.hookNsPerRun, 0, 6)}`
      )
    }
  }
  console.log(`\n100 sleeping processes (native reader), a minute of a session's steady state: median of 3 windows`)
  console.log('sampled by                     % core   ms/sample   sampling, ms/sample   ×pidstat')
  for (const [label, c, loop] of steady) {
    const own = loop === null ? c.samplerMsPerSample : c.msPerSample - loop
    console.log(
      `${label.padEnd(28)} ${c.pctOfCore.toFixed(2).padStart(6)} %   ${c.msPerSample.toFixed(3).padStart(9)}   ${own.toFixed(3).padStart(19)}   ${(own / pidstat.get(100).msPerSample).toFixed(2).padStart(8)}`
    )
  }
} finally {
  for (const kids of [...trees.values(), waking]) for (const k of kids) k.kill('SIGKILL')
}
console.log('\nwhole process: process.cpuUsage, every thread (V8 compiles and collects garbage on others);')
console.log('main thread: the thread that samples (its schedstat). A 0-process tree is the 10 Hz loop alone;')
console.log("over loop: the row minus that loop, the sampling itself (in a session the helper's ticks wake the")
console.log('process at the same rate anyway)')
console.log('trees of sleeping processes, except "all waking": 100 that each run every 20 ms, so none can be')
console.log("skipped as idle (a sleeping process's stat and io are not re-read, nor its status and fd count four")
console.log('seconds in five: docs/sampler.md)')
console.log('run reports: windows with and without sampling, in turn, with the helper tracking the tree: "no sampling" is the')
console.log('session\'s side of eBPF alone (the helper\'s messages: counts, run reports, ticks), "sampler" the difference; unread: the share of')
console.log('process samples given from the last one, without a read, because the helper said the process had not run;')
console.log("helper: the helper process's CPU (its schedstat); sched_switch hook: its run time per sample")
console.log('(kernel BPF statistics, enabled for the measurement) and per run, on every context switch of the machine')
console.log('goal: ≤ 1 % of one core for 100 processes at 10 Hz, and below pidstat per sample')
