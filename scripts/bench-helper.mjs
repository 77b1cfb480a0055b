#!/usr/bin/env node
// npm run bench:helper — what syscall counting costs, measured side by side in one run.
//
// Why it is built this way: on the VM this was written on, the speed of the same syscall loop
// jumps between levels up to 2× apart every few hundred ms (the host, not us), so two runs a few
// seconds apart cannot be compared. What stays comparable is two loops a few ms apart. So:
// - One workload process (bench/benchload, pinned to BENCH_CPU, default the last CPU) runs a
//   short loop of cheap syscalls per request (100k getppid + 50k 1-byte writes + 50k 1-byte
//   reads on a pipe) and reports the loop's thread CPU time (which leaves out preemption and
//   steal time) and wall time.
// - Between two loops of that same process the configuration is switched on or off (empty hooks
//   attached/detached, the helper started tracking/stopped, bpftrace started/stopped), in
//   ABBA order so that a linear drift cancels. Each on/off pair gives one extra ns per syscall
//   and one relative extra (on / off − 1); a configuration's figure is the median over pairs.
// - ROUNDS interleaved rounds (default 9), every configuration once per round, order rotated.
//   The ratios to the floor (two empty tp_btf hooks) use the relative extras: pooled over all
//   rounds, and per round against that round's floor (median and range shown).
// - Tracers (the helper, the empty-hook loader, bpftrace, strace) run on the other CPUs.
// - BPF_STATS=1 (default): the kernel's own run time of each program (run_time_ns / run_cnt),
//   switched on through an fd held by bench/bpf-stats, so it goes off again however this script
//   ends. That is the cost inside the programs alone.
// - BASELINE_HELPER=/path/to/another/syscope-helper adds that build as five more
//   configurations (traced, untraced, counts-only traced and untraced, --detail) to the same rounds, and
//   tracedVsBaseline (countsVsBaseline: both --counts-only; detailVsBaseline: both --detail), whose on/off pairs switch between
//   this build and that one tracing the same process (extra < 0: this one is cheaper):
//   before/after a change in one run; the realistic workloads gain baseCountsOnly, baseCounts, baseDetail and baseCountsDetail.
// strace (hundreds of times slower; it stops the process, so CPU time would hide its cost) is
// timed by wall clock on a 1/20 loop in its own process, against a bare process just before it.
// The realistic workloads (tar of /usr/share, benchnet) run whole, in rotating order: bare, beside
// one empty exit hook (counts-only's floor), under the helper in each mode, and under strace,
// each timed by bench/cputime: CPU time (what the goals read) and wall time (what strace is read by).
// TAR_MODES=bare,detail,baseDetail runs only those modes of them (bare always); countsDetail is
// --counts-only --detail, read against countsOnly.
//
// *OverFloor: each cost mode of issue 15 against its floor, swapped loop by loop (the mode's
// extra over the floor's, directly); the goals read them where they ran (marked A/B), else the
// ratio of the two configurations' own rows, whose loops ran seconds apart.
// CONFIGS=emptyHooks,helperTraced,... runs only those (names as in the table).
// Needs root (bpftrace, the empty-hook loader, BPF stats) and a built helper.
import { execFileSync, spawn } from 'node:child_process'
import { closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startHelper } from '../src/main/helper/client.ts'
import { syscallTable } from '../src/shared/syscalls/index.ts'
import { hostArch } from '../src/main/system.ts'
import { launcherRunning } from '../src/main/session/launch-command.ts'

const root = new URL('..', import.meta.url).pathname
const OUT = join(root, 'build', 'helper')
const HELPER = join(OUT, 'syscope-helper')
const BASELINE = process.env.BASELINE_HELPER
const LOAD = join(OUT, 'bench', 'benchload')
const EMPTY = join(OUT, 'bench', 'empty-hooks')
const STATS = join(OUT, 'bench', 'bpf-stats')
const NET = join(OUT, 'bench', 'benchnet')
const CPUTIME = join(OUT, 'bench', 'cputime')
const HELDFILES = join(OUT, 'bench', 'heldfiles')
const HELD_ROUNDS = Number(process.env.HELD_ROUNDS ?? 3) // the helper's own CPU beside a process holding many files
const LAUNCH = join(OUT, 'syscope-launch')
const NET_MESSAGES = Number(process.env.NET_MESSAGES ?? 20_000) // benchnet's round trips of 64 bytes
const ROUNDS = Number(process.env.ROUNDS ?? 9)
const PAIRS = Number(process.env.PAIRS ?? 16) // on/off pairs per configuration and round
const BPFTRACE_PAIRS = Number(process.env.BPFTRACE_PAIRS ?? 2) // bpftrace takes seconds to start
const TAR_ROUNDS = Number(process.env.TAR_ROUNDS ?? 5)
const STATS_ROUNDS = process.env.BPF_STATS === '0' ? 0 : Number(process.env.STATS_ROUNDS ?? 5)
const N = 100_000
const M = 50_000
const SYSCALLS = N + 2 * M // per loop
const STRACE_SCALE = 20 // strace's loop is 1/20 of the others

const NCPU = availableParallelism()
const LOAD_CPU = process.env.BENCH_CPU ?? String(NCPU - 1)
const TOOL_CPUS = NCPU > 1 ? [...Array(NCPU).keys()].filter((c) => String(c) !== LOAD_CPU).join(',') : LOAD_CPU
const onLoadCpu = (argv) => ['taskset', '-c', LOAD_CPU, ...argv]
const onToolCpus = (argv) => ['taskset', '-c', TOOL_CPUS, ...argv]
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function median(xs) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b)
  if (!s.length) return NaN
  const h = s.length >> 1
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2
}

function range(xs, digits = 2) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b)
  return s.length ? `${s[0].toFixed(digits)}…${s[s.length - 1].toFixed(digits)}` : '–'
}

function spawnArgv(argv, opts) {
  return spawn(argv[0], argv.slice(1), opts)
}

/** Lines of a stream, one at a time; rejects if the stream ends first. */
function lineReader(stream, what) {
  const queue = []
  let buf = ''
  let ended = false
  let wake = null
  stream.setEncoding('utf8')
  stream.on('data', (d) => {
    buf += d
    for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) queue.push(buf.slice(0, i))
    wake?.()
  })
  stream.on('end', () => {
    ended = true
    wake?.()
  })
  return async () => {
    while (!queue.length) {
      if (ended) throw new Error(`${what} ended: ${JSON.stringify(buf)}`)
      await new Promise((r) => (wake = r))
      wake = null
    }
    return queue.shift()
  }
}

/** Resolves when `re` shows in what the streams print; rejects when they end first or after
 * a minute (a tool that hangs must not hang the bench). */
function waitFor(streams, re, what, timeoutMs = 60_000) {
  const all = Array.isArray(streams) ? streams : [streams]
  return new Promise((resolve, reject) => {
    let buf = ''
    const done = (err) => {
      clearTimeout(timer)
      for (const s of all) s.off('data', on)
      if (err) reject(err)
      else resolve()
    }
    const on = (d) => {
      buf += d
      if (re.test(buf)) done()
    }
    const timer = setTimeout(() => done(new Error(`${what} printed no ${re} in ${timeoutMs / 1000} s: ${JSON.stringify(buf.slice(-400))}`)), timeoutMs)
    for (const s of all) {
      s.on('data', on)
      s.once('end', () => done(new Error(`${what} ended before ${re}: ${JSON.stringify(buf.slice(-400))}`)))
    }
  })
}

/** The workload: one loop per request; each resolves to ns per syscall { wall, cpu }. */
async function startLoad({ scale = 1, wrap = [] } = {}) {
  const argv = [...wrap, ...onLoadCpu([LOAD, String(N / scale), String(M / scale)])]
  const child = spawnArgv(argv, { stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise((r) => child.once('exit', r))
  const next = lineReader(child.stdout, 'benchload')
  return {
    pid: child.pid,
    async loop() {
      child.stdin.write('x')
      const [wall, cpu] = (await next()).split(' ').map(Number)
      return { wall: (wall * scale) / SYSCALLS, cpu: (cpu * scale) / SYSCALLS }
    },
    async end() {
      child.stdin.end()
      await exited
    }
  }
}

const BPFTRACE = `
tracepoint:raw_syscalls:sys_enter /pid == $1/ { @start[tid] = nsecs; }
tracepoint:raw_syscalls:sys_exit /pid == $1 && @start[tid]/ {
  @calls[args->id] = count();
  if (args->ret < 0) { @errors[args->id] = count(); }
  @ns[args->id] = sum(nsecs - @start[tid]);
  delete(@start[tid]);
}
BEGIN { printf("ready\\n"); }`

/** this machine's number of a syscall */
function nr(name) {
  for (const [n, s] of Object.entries(syscallTable(hostArch()))) if (s === name) return Number(n)
  throw new Error(`no syscall ${name} here`)
}

/* both scripts' per-file part, at a read's or write's exit: the fd the entry kept, found in the
 * task's fd table, its bytes under (device, inode, leaf name) */
const BPFTRACE_FILE_BYTES = `  if ((args->id == ${nr('read')} || args->id == ${nr('write')}) && args->ret >= 0) {
    $f = *(((struct task_struct *)curtask)->files->fdt->fd + @fd[tid]);
    @bytes[$f->f_inode->i_sb->s_dev, $f->f_inode->i_ino, str($f->f_path.dentry->d_name.name), args->id] = sum(args->ret);
  }
`

/*
 * bpftrace doing what --detail adds for the loop's reads and writes, beside the counting above:
 * per file (device, inode, name) and syscall, the bytes, found from the fd in the task's fd table
 * as the helper finds it (the leaf name only: bpftrace has no path walk for a tracepoint).
 */
const BPFTRACE_DETAIL = `
tracepoint:raw_syscalls:sys_enter /pid == $1/ { @start[tid] = nsecs; @fd[tid] = args->args[0]; }
tracepoint:raw_syscalls:sys_exit /pid == $1 && @start[tid]/ {
  @calls[args->id] = count();
  if (args->ret < 0) { @errors[args->id] = count(); }
  @ns[args->id] = sum(nsecs - @start[tid]);
${BPFTRACE_FILE_BYTES}  delete(@start[tid]);
  delete(@fd[tid]);
}
BEGIN { printf("ready\\n"); }`

/*
 * The same without time (what --detail --counts-only gives): calls and errors per syscall, and
 * per file the bytes of each read and write. bpftrace's exit record has no arguments, so the
 * entry keeps the fd, of reads and writes only.
 */
const BPFTRACE_COUNTS_DETAIL = `
tracepoint:raw_syscalls:sys_enter /pid == $1 && (args->id == ${nr('read')} || args->id == ${nr('write')})/ { @fd[tid] = args->args[0]; }
tracepoint:raw_syscalls:sys_exit /pid == $1/ {
  @calls[args->id] = count();
  if (args->ret < 0) { @errors[args->id] = count(); }
${BPFTRACE_FILE_BYTES}  delete(@fd[tid]);
}
BEGIN { printf("ready\\n"); }`

/*
 * A configuration is switched on and off around the loops of one workload process:
 * open(pid) → { on(), off(), pid() (the process holding the BPF programs, when on), close() }.
 */
function helperConfig(path, traceWorkload, args = []) {
  return async (loadPid) => {
    const other = traceWorkload ? null : spawn('sleep', ['3600'])
    let c = null
    const off = async () => {
      if (c) await c.shutdown()
      c = null
    }
    return {
      async on() {
        if (c) return
        c = await startHelper({ helperPath: path, args: ['--mode', 'tp_btf', ...args], wrapper: onToolCpus([]) })
        await c.track(traceWorkload ? loadPid : other.pid, true)
      },
      off,
      pid: () => c?.child.pid,
      async close() {
        await off()
        other?.kill('SIGKILL')
      }
    }
  }
}

/**
 * "on" = configuration `onMake`, "off" = `offMake`, swapped between two loops of one process: A/B
 * a few ms apart, so that the host's changes of speed, which move a configuration's figure by
 * tens of ns between rounds, mostly cancel. extra < 0: "on" is cheaper.
 */
function abConfig(onMake, offMake) {
  return async (loadPid) => {
    const on = await onMake(loadPid)
    const off = await offMake(loadPid)
    return {
      async on() {
        await off.off()
        await on.on()
      },
      async off() {
        await on.off()
        await off.on()
      },
      pid: () => on.pid() ?? off.pid(),
      async close() {
        await on.close()
        await off.close()
      }
    }
  }
}

/** One of the floors of bench/empty_hooks.c attached while "on": pair, exit or clock. */
function emptyConfig(floor) {
  return async () => {
    const p = spawnArgv(onToolCpus([EMPTY, floor]), { stdio: ['pipe', 'pipe', 'inherit'] })
    const next = lineReader(p.stdout, 'empty-hooks')
    let attached = (await next()) === 'attached'
    const set = async (want) => {
      if (attached === want) return
      p.stdin.write(want ? 'a' : 'd')
      attached = (await next()) === 'attached'
    }
    return {
      on: () => set(true),
      off: () => set(false),
      pid: () => p.pid,
      async close() {
        p.stdin.end()
        await new Promise((r) => p.once('exit', r))
      }
    }
  }
}

const configs = {
  // the floors: two empty hooks; the exit one alone (what the counts-only mode cannot go below);
  // two hooks that read the clock once each (what timing a call cannot go below)
  emptyHooks: emptyConfig('pair'),
  emptyExit: emptyConfig('exit'),
  emptyClock: emptyConfig('clock'),
  helperTraced: helperConfig(HELPER, true),
  // calls and errors only (--counts-only): the exit hook alone, no clock
  helperCounts: helperConfig(HELPER, true, ['--counts-only']),
  helperCountsUntraced: helperConfig(HELPER, false, ['--counts-only']),
  // files and network on (--detail): the loop's reads and writes are a pipe's
  helperDetail: helperConfig(HELPER, true, ['--detail']),
  // the same without time: the exit hook alone
  helperCountsDetail: helperConfig(HELPER, true, ['--counts-only', '--detail']),
  helperUntraced: helperConfig(HELPER, false),
  // each mode against its floor directly (extra = the mode − its floor, loop beside loop): what
  // the issue 15 goals read, the floor's own extra from its row above
  countsOverFloor: abConfig(helperConfig(HELPER, true, ['--counts-only']), emptyConfig('exit')),
  countsUntracedOverFloor: abConfig(helperConfig(HELPER, false, ['--counts-only']), emptyConfig('exit')),
  tracedOverFloor: abConfig(helperConfig(HELPER, true), emptyConfig('clock')),
  untracedOverFloor: abConfig(helperConfig(HELPER, false), emptyConfig('pair')),
  ...(BASELINE
    ? {
        baselineTraced: helperConfig(BASELINE, true),
        baselineUntraced: helperConfig(BASELINE, false),
        baselineCounts: helperConfig(BASELINE, true, ['--counts-only']),
        baselineCountsUntraced: helperConfig(BASELINE, false, ['--counts-only']),
        baselineDetail: helperConfig(BASELINE, true, ['--detail']),
        // extra = this build − the baseline, both tracing the same process
        tracedVsBaseline: abConfig(helperConfig(HELPER, true), helperConfig(BASELINE, true)),
        countsVsBaseline: abConfig(helperConfig(HELPER, true, ['--counts-only']), helperConfig(BASELINE, true, ['--counts-only'])),
        detailVsBaseline: abConfig(helperConfig(HELPER, true, ['--detail']), helperConfig(BASELINE, true, ['--detail']))
      }
    : {}),
  bpftrace: (loadPid) => bpftraceConfig(BPFTRACE, loadPid),
  bpftraceDetail: (loadPid) => bpftraceConfig(BPFTRACE_DETAIL, loadPid),
  bpftraceCountsDetail: (loadPid) => bpftraceConfig(BPFTRACE_COUNTS_DETAIL, loadPid)
}

/** bpftrace running `script` on the workload: its programs load at each "on" (seconds) */
function bpftraceConfig(script, loadPid) {
  let bt = null
  const off = async () => {
    if (!bt) return
    const exited = new Promise((r) => bt.once('exit', r))
    bt.kill('SIGINT')
    // a bpftrace that does not stop on SIGINT (seen once, mid-attach) is killed
    const kill = setTimeout(() => bt?.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(kill)
    bt = null
  }
  return {
    async on() {
      if (bt) return
      bt = spawnArgv(onToolCpus(['bpftrace', '-B', 'line', '-e', script, String(loadPid)]), { stdio: ['ignore', 'pipe', 'pipe'] })
      // BEGIN runs once every probe is attached (its "Attaching" line was seen to go missing);
      // stderr is read too, so that it cannot fill
      bt.stderr.resume()
      await waitFor(bt.stdout, /ready/, 'bpftrace')
      await sleep(200)
    },
    off,
    pid: () => bt?.pid,
    close: off
  }
}

/** One warm-up loop, then `pairs` on/off pairs in ABBA order around the loops of one process. */
async function pairedRun(name, pairs) {
  const load = await startLoad()
  const cfg = await configs[name](load.pid)
  const result = { extra: [], rel: [], bare: [] }
  try {
    await cfg.off()
    await load.loop()
    for (let k = 0; k < pairs; k++) {
      const got = {}
      for (const on of k % 2 ? [true, false] : [false, true]) {
        await (on ? cfg.on() : cfg.off())
        got[on] = await load.loop()
      }
      result.extra.push(got.true.cpu - got.false.cpu)
      result.rel.push(got.true.cpu / got.false.cpu - 1)
      result.bare.push(got.false.cpu)
    }
  } finally {
    await cfg.close()
    await load.end()
  }
  return result
}

/** strace: a whole process under `strace -c -f`, by wall clock, against a bare process. */
async function straceRun() {
  const loops = async (wrap) => {
    const load = await startLoad({ scale: STRACE_SCALE, wrap })
    const ns = []
    for (let i = 0; i < 3; i++) ns.push((await load.loop()).wall)
    await load.end()
    return Math.min(...ns)
  }
  const bare = await loops([])
  const traced = await loops(onToolCpus(['strace', '-c', '-f', '-o', '/dev/null']))
  return { extra: [traced - bare], rel: [traced / bare - 1], bare: [bare] }
}

/** Ids of the BPF programs a process holds (its prog and link fds), from /proc. */
function progIdsOf(pid) {
  const ids = new Set()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (!/bpf-(prog|link)/.test(readlinkSync(`/proc/${pid}/fd/${fd}`))) continue
      const m = /^prog_id:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))
      if (m) ids.add(Number(m[1]))
    } catch {
      // fd closed meanwhile
    }
  }
  return ids
}

/** Summed run_time_ns and run_cnt of the syscall programs among `ids`. */
function progTotals(ids) {
  const all = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' }))
  return all
    .filter((p) => ids.has(p.id) && /(sys_(enter|exit)(_detail)?|empty_enter|empty_exit)$/.test(p.name ?? ''))
    .map((p) => ({ id: p.id, ns: p.run_time_ns ?? 0, cnt: p.run_cnt ?? 0 }))
}

/**
 * With BPF stats on: ns inside the programs per syscall (enter + exit), over 10 loops, for
 * several configurations attached at once, so that each is timed on the very same syscalls
 * (the machine's speed changes cancel out). Attach order rotates with `round`.
 */
async function statsRun(names, round) {
  const load = await startLoad()
  const order = names.map((_, i) => names[(i + round) % names.length])
  const cfgs = {}
  try {
    for (const n of order) {
      cfgs[n] = await configs[n](load.pid)
      await cfgs[n].on()
    }
    const ids = Object.fromEntries(names.map((n) => [n, progIdsOf(cfgs[n].pid())]))
    const before = Object.fromEntries(names.map((n) => [n, progTotals(ids[n])]))
    for (let i = 0; i < 10; i++) await load.loop()
    const result = {}
    for (const n of names) {
      const after = progTotals(ids[n])
      if (after.length !== 2) throw new Error(`${n}: found ${after.length} syscall programs, expected 2`)
      result[n] = after.reduce((sum, p) => {
        const b = before[n].find((q) => q.id === p.id)
        return sum + (p.ns - (b?.ns ?? 0)) / (p.cnt - (b?.cnt ?? 0))
      }, 0)
    }
    return result
  } finally {
    for (const c of Object.values(cfgs)) await c.close()
    await load.end()
  }
}

/** Per configuration, per round: program ns per syscall, and the empty hooks' on the same syscalls. */
async function measureProgs() {
  const groups = [
    ['helperTraced', ...(BASELINE ? ['baselineTraced'] : [])],
    ['helperUntraced', ...(BASELINE ? ['baselineUntraced'] : [])],
    // --detail: the files monitor's part on the loop's pipe reads and writes
    ['helperDetail', ...(BASELINE ? ['baselineDetail'] : [])]
  ]
  const p = spawn(STATS, [], { stdio: ['pipe', 'pipe', 'inherit'] })
  await waitFor(p.stdout, /enabled/, 'bpf-stats')
  const ns = {}
  try {
    for (let r = 0; r < STATS_ROUNDS; r++) {
      for (const g of r % 2 ? [...groups].reverse() : groups) {
        process.stderr.write(`  bpf stats ${r + 1}/${STATS_ROUNDS}: ${g.join(' + ')} + emptyHooks…\n`)
        const got = await statsRun([...g, 'emptyHooks'], r)
        for (const n of g) (ns[n] ??= []).push({ ns: got[n], empty: got.emptyHooks })
      }
    }
  } finally {
    p.stdin.end()
    await new Promise((r) => p.once('exit', r))
  }
  return ns
}

/**
 * Whole programs: bare, beside one empty exit hook, under the helper in each mode (as the app
 * launches them: armed, counted from the exec, timed from the go byte) and under `strace -f -y`
 * (which prints a path with every fd), in rotating order so that a drift cancels. Each run is
 * timed by bench/cputime around the workload: its CPU time (user + system, its waited children
 * included) and its wall time. CPU time is what the goals read: the tracers' programs run in the
 * workload's own context, so it holds their cost, and it leaves out what the host steals, which
 * moves a wall-clock run here by up to 40 %. Returns per mode the median over rounds of each,
 * and per round each mode over bare.
 */
async function realistic(name, argv, rounds, prepare = () => {}) {
  const dir = mkdtempSync(join(tmpdir(), 'syscope-cputime-'))
  const file = join(dir, 'times')
  const timed = onLoadCpu([CPUTIME, file, ...argv])
  const read = () => {
    const [user, sys, wall] = readFileSync(file, 'utf8').trim().split(' ').map(Number)
    rmSync(file)
    return { cpu: (user + sys) / 1e6, wall: wall / 1e6 }
  }
  const run = (wrap = []) => {
    const [cmd, ...rest] = [...wrap, ...timed]
    execFileSync(cmd, rest, { stdio: 'ignore' })
    return read()
  }
  const once = async (mode) => {
    prepare()
    if (mode === 'bare') return run()
    if (mode === 'strace') return run(onToolCpus(['strace', '-f', '-y', '-qq', '-o', '/dev/null']))
    if (mode === 'emptyExit') {
      // the floor under counts-only: one empty exit hook, attached for the whole run
      const floor = await emptyConfig('exit')()
      try {
        await floor.on()
        return run()
      } finally {
        await floor.close()
      }
    }
    // base*: the same modes under BASELINE_HELPER, for a before/after on real work
    const base = mode.startsWith('base')
    const m = base ? mode[4].toLowerCase() + mode.slice(5) : mode
    const args = { detail: ['--detail'], countsOnly: ['--counts-only'], countsDetail: ['--counts-only', '--detail'] }[m] ?? []
    const c = await startHelper({ helperPath: base ? BASELINE : HELPER, args, wrapper: onToolCpus([]) })
    try {
      const p = spawnArgv([LAUNCH, '3', '4', '--', ...timed], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] })
      // armed once the launcher runs, as the app does: not before its exec event
      if (!(await launcherRunning(p.stdio[3]))) throw new Error(`the launcher ended before it ran ${name}`)
      await c.launch(p.pid)
      p.stdio[3].end('x')
      const code = await new Promise((r) => p.once('exit', r))
      if (code !== 0) throw new Error(`${name} exited with ${code} under the helper (${mode})`)
      return read()
    } finally {
      await c.shutdown()
    }
  }
  // counts: the default, timed mode; countsOnly: --counts-only; emptyExit: its floor;
  // countsDetail: --counts-only --detail
  const all = [
    'bare',
    'emptyExit',
    'countsOnly',
    'counts',
    'detail',
    'countsDetail',
    'strace',
    ...(BASELINE ? ['baseCountsOnly', 'baseCounts', 'baseDetail', 'baseCountsDetail'] : [])
  ]
  // TAR_MODES=bare,detail,baseDetail: only those (bare always; the ratios need it)
  const modes = process.env.TAR_MODES ? ['bare', ...all.filter((m) => m !== 'bare' && process.env.TAR_MODES.split(',').includes(m))] : all
  try {
    await once('bare') // warm the page cache
    const runs = Object.fromEntries(modes.map((m) => [m, []]))
    for (let i = 0; i < rounds; i++) for (const m of modes.map((_, k) => modes[(k + i) % modes.length])) runs[m].push(await once(m))
    const of = (m, k) => runs[m].map((r) => r[k])
    const over = (m, k = 'cpu') => of(m, k).map((v, i) => v / runs.bare[i][k])
    const ms = (k) => Object.fromEntries(modes.map((m) => [m, median(of(m, k))]))
    return {
      name,
      cpu: ms('cpu'),
      wall: ms('wall'),
      over,
      detailOverCounts: runs.detail && runs.counts ? of('detail', 'cpu').map((v, i) => v / runs.counts[i].cpu) : [],
      countsDetailOverCountsOnly: runs.countsDetail && runs.countsOnly ? of('countsDetail', 'cpu').map((v, i) => v / runs.countsOnly[i].cpu) : []
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function printRealistic(r) {
  console.log(`\nrealistic: ${r.name} (${TAR_ROUNDS} rounds, rotating order, median ms; ÷ bare per round: median (range))`)
  console.log('  mode              CPU ms   ÷ bare                wall ms   ÷ bare')
  for (const m of Object.keys(r.cpu)) {
    const [c, w] = [r.over(m, 'cpu'), r.over(m, 'wall')]
    console.log(
      `  ${m.padEnd(14)} ${r.cpu[m].toFixed(0).padStart(9)}   ${`${median(c).toFixed(2)} (${range(c)})`.padEnd(20)} ${r.wall[m].toFixed(0).padStart(8)}   ${median(w).toFixed(2)} (${range(w)})`
    )
  }
  if (r.cpu.strace !== undefined) console.log('  (strace stops the workload at each call: read its wall time)')
  if (r.detailOverCounts.length) console.log(`  detail ÷ counts per round (CPU): ${median(r.detailOverCounts).toFixed(2)} (${range(r.detailOverCounts)})`)
  if (r.countsDetailOverCountsOnly.length)
    console.log(`  countsDetail ÷ countsOnly per round (CPU): ${median(r.countsDetailOverCountsOnly).toFixed(2)} (${range(r.countsDetailOverCountsOnly)})`)
  // of the medians: a round's own floor is too small beside the round's noise to divide by
  if (r.cpu.countsOnly !== undefined && r.cpu.emptyExit !== undefined) {
    const overFloor = (r.cpu.countsOnly - r.cpu.bare) / (r.cpu.emptyExit - r.cpu.bare)
    console.log(`  counts-only's extra ÷ one empty exit hook's (CPU, of the medians): ${overFloor.toFixed(2)}`)
  }
}

async function measure() {
  const names = process.env.CONFIGS?.split(',') ?? [...Object.keys(configs), 'strace']
  for (const n of names) if (!configs[n] && n !== 'strace') throw new Error(`CONFIGS: no configuration ${n}`)
  const runs = Object.fromEntries(names.map((n) => [n, []])) // per config, per round: { extra, rel, bare }
  for (let r = 0; r < ROUNDS; r++) {
    for (const n of names.map((_, i) => names[(i + r) % names.length])) {
      process.stderr.write(`  round ${r + 1}/${ROUNDS}: ${n}…\n`)
      runs[n][r] = n === 'strace' ? await straceRun() : await pairedRun(n, n === 'bpftrace' ? BPFTRACE_PAIRS : PAIRS)
    }
  }
  const pooled = (n, k) => runs[n].flatMap((x) => x[k])
  const relFloor = runs.emptyHooks?.length ? median(pooled('emptyHooks', 'rel')) : NaN
  const perRound = (n) => runs[n].map((x, r) => median(x.rel) / (runs.emptyHooks?.[r] ? median(runs.emptyHooks[r].rel) : NaN))
  const ratio = (n) => median(pooled(n, 'rel')) / relFloor
  /** n's relative extra over another configuration's (another floor) */
  const over = (n, floor) => median(pooled(n, 'rel')) / median(pooled(floor, 'rel'))
  /**
   * A mode's extra over its floor's, from the A/B row `direct` (the mode's loop beside the
   * floor's: d, relative to the floor's loop) and the floor's own row (f, relative to the bare
   * loop): (f + d (1 + f)) / f. Only f comes from loops seconds apart from the mode's, and the
   * ratio moves with it by d / f at most.
   */
  const overFloor = (floor, direct) => {
    const f = median(pooled(floor, 'rel'))
    return 1 + (median(pooled(direct, 'rel')) * (1 + f)) / f
  }

  if (ROUNDS > 0) {
    console.log(`\nsyscall loop: ${SYSCALLS.toLocaleString()} syscalls per loop, workload on CPU ${LOAD_CPU}, tracers on CPU ${TOOL_CPUS}`)
    console.log(`${ROUNDS} interleaved rounds × ${PAIRS} on/off pairs of loops in one process (bpftrace ${BPFTRACE_PAIRS}), thread CPU time;`)
    console.log(`strace: wall time of a 1/${STRACE_SCALE} loop in its own process vs a bare one`)
    console.log('\nconfiguration       off ns/syscall  extra ns/syscall  extra %   ÷ floor   ÷ floor per round: median (range)')
  }
  for (const n of ROUNDS > 0 ? names : []) {
    const pr = perRound(n)
    console.log(
      `${n.padEnd(18)} ${median(pooled(n, 'bare')).toFixed(0).padStart(15)} ${median(pooled(n, 'extra')).toFixed(0).padStart(17)} ${(median(pooled(n, 'rel')) * 100).toFixed(0).padStart(8)} ${ratio(n).toFixed(2).padStart(9)}   ${median(pr).toFixed(2).padStart(8)} (${range(pr)})`
    )
  }
  if (runs.emptyHooks?.length)
    console.log(`floor (two empty tp_btf hooks) per round, extra ns/syscall: ${runs.emptyHooks.map((x) => median(x.extra).toFixed(0)).join(' ')}`)
  if (runs.emptyHooks?.length)
    console.log(`                                           extra %:         ${runs.emptyHooks.map((x) => (median(x.rel) * 100).toFixed(0)).join(' ')}`)

  if (STATS_ROUNDS > 0) {
    const prog = await measureProgs()
    console.log(`\ninside the programs (kernel BPF stats, ${STATS_ROUNDS} rounds; each configuration attached together with the`)
    console.log("empty hooks and timed on the same syscalls; figures include the stats' own clock reads)")
    console.log('configuration      ns/syscall (enter+exit)   empty hooks   over empty   ÷ empty: median (range)')
    for (const [n, xs] of Object.entries(prog)) {
      const over = xs.map((x) => x.ns - x.empty)
      const div = xs.map((x) => x.ns / x.empty)
      console.log(
        `${n.padEnd(18)} ${median(xs.map((x) => x.ns))
          .toFixed(1)
          .padStart(10)} (${range(
          xs.map((x) => x.ns),
          0
        )}) ${median(xs.map((x) => x.empty))
          .toFixed(1)
          .padStart(11)} ${median(over).toFixed(1).padStart(12)}   ${median(div).toFixed(2).padStart(8)} (${range(div)})`
      )
    }
  }

  const has = (...ns) => ROUNDS > 0 && ns.every((n) => names.includes(n))
  const goals = [
    has('helperTraced', 'bpftrace') && [
      'helper extra ≤ 40 % of bpftrace’s extra',
      median(pooled('helperTraced', 'rel')) / median(pooled('bpftrace', 'rel')),
      0.4
    ],
    has('helperTraced', 'emptyHooks') && ['helper extra ≤ 1.5 × two empty hooks', ratio('helperTraced'), 1.5],
    // the same information: counts, and per file the bytes of each read and write
    has('helperDetail', 'bpftraceDetail') && [
      '--detail extra ≤ 0.3 × bpftrace’s for the same',
      median(pooled('helperDetail', 'rel')) / median(pooled('bpftraceDetail', 'rel')),
      0.3
    ],
    // what --detail adds to the timed mode (the information bpftrace gives here), against bpftrace
    has('helperDetail', 'helperTraced', 'bpftraceDetail') && [
      '--detail’s own extra ≤ 0.3 × bpftrace’s',
      (median(pooled('helperDetail', 'rel')) - median(pooled('helperTraced', 'rel'))) / median(pooled('bpftraceDetail', 'rel')),
      0.3
    ],
    // the same information without time: --detail in the counts-only mode
    has('helperCountsDetail', 'bpftraceCountsDetail') && [
      '--detail --counts-only ≤ 0.3 × bpftrace’s, no times',
      median(pooled('helperCountsDetail', 'rel')) / median(pooled('bpftraceCountsDetail', 'rel')),
      0.3
    ],
    // issue 15's cost modes, each against the floor of what it does
    ...[
      ['counts-only extra ≤ 1.25 × one empty hook', 'helperCounts', 'emptyExit', 'countsOverFloor', 1.25],
      ['timed extra ≤ 1.15 × 2 hooks + 2 clock reads', 'helperTraced', 'emptyClock', 'tracedOverFloor', 1.15],
      ['untraced (counts-only) ≤ 1.1 × one empty hook', 'helperCountsUntraced', 'emptyExit', 'countsUntracedOverFloor', 1.1],
      ['untraced (timed) ≤ 1.1 × two empty hooks', 'helperUntraced', 'emptyHooks', 'untracedOverFloor', 1.1]
    ].map(([goal, n, floor, direct, limit]) =>
      has(floor, direct) ? [`${goal} (A/B)`, overFloor(floor, direct), limit] : has(n, floor) && [goal, over(n, floor), limit]
    )
  ].filter(Boolean)
  if (TAR_ROUNDS > 0) {
    const src = process.env.TAR_SOURCE ?? '/usr/share'
    const dir = mkdtempSync(join(tmpdir(), 'syscope-bench-'))
    try {
      const out = join(dir, 'x.tar')
      const tar = await realistic(`tar -cf x.tar ${src}`, ['tar', '-cf', out, src], TAR_ROUNDS, () => rmSync(out, { force: true }))
      printRealistic(tar)
      if (tar.cpu.countsOnly !== undefined) goals.push([`tar of ${src}: counts-only ≤ 5 % over bare`, median(tar.over('countsOnly')) - 1, 0.05])
      if (tar.cpu.counts !== undefined) goals.push([`tar of ${src}: timed ≤ 5 % over bare`, median(tar.over('counts')) - 1, 0.05])
      if (tar.detailOverCounts.length) goals.push([`tar of ${src}: --detail ≤ 1.3 × counts`, median(tar.detailOverCounts), 1.3])
      if (tar.countsDetailOverCountsOnly.length)
        goals.push([`tar of ${src}: --detail ≤ 1.3 × counts, counts-only`, median(tar.countsDetailOverCountsOnly), 1.3])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    const net = await realistic(`benchnet: ${NET_MESSAGES} round trips of 64 bytes over TCP loopback`, [NET, String(NET_MESSAGES), '64'], TAR_ROUNDS)
    printRealistic(net)
    if (net.detailOverCounts.length) goals.push(['many small messages: --detail ≤ 1.3 × counts', median(net.detailOverCounts), 1.3])
    if (net.countsDetailOverCountsOnly.length)
      goals.push(['many small messages: --detail ≤ 1.3 × counts, counts-only', median(net.countsDetailOverCountsOnly), 1.3])
  }
  if (HELD_ROUNDS > 0) await heldFilesRun()
  console.log('\ngoal (pooled medians)                                measured   limit   met')
  for (const [g, v, lim] of goals) console.log(`${g.padEnd(52)} ${v.toFixed(2).padStart(8)} ${lim.toFixed(2).padStart(7)}   ${v <= lim ? 'yes' : 'NO'}`)
}

/** a process's time on a CPU so far, in ms: its threads' schedstat (ns; /proc/PID/stat counts
 * 10 ms ticks, too coarse for a helper that should be near idle) */
function cpuMsOf(pid) {
  const tasks = readdirSync(`/proc/${pid}/task`)
  return tasks.reduce((ms, t) => ms + Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]) / 1e6, 0)
}

/**
 * The helper's own CPU while a tracked process holding many files writes one every 50 ms
 * (`--counts-only --detail`): a tick reads the file entries added or changed lately, not all of
 * a process that changed one (docs/detail.md). Per second, ÷ the same process holding none; a
 * helper reading every entry at each tick comes out tens of times over (BASELINE_HELPER: the
 * same beside it).
 */
async function heldFilesRun() {
  const HELD = 50_000
  const SECONDS = 5
  const once = async (n, helperPath = HELPER) => {
    const dir = mkdtempSync(join(tmpdir(), 'syscope-held-'))
    const fifo = join(dir, 'go')
    execFileSync('mkfifo', [fifo])
    // read-write: opening it waits for no reader
    const go = openSync(fifo, constants.O_RDWR)
    const c = await startHelper({ helperPath, args: ['--counts-only', '--detail'], wrapper: onToolCpus([]) })
    let writes
    try {
      const p = spawnArgv([LAUNCH, '3', '4', '--', ...onLoadCpu([HELDFILES, dir, String(n), fifo])], {
        stdio: ['ignore', 'pipe', 'ignore', 'pipe', 'pipe']
      })
      const exited = new Promise((r) => p.once('exit', r))
      if (!(await launcherRunning(p.stdio[3]))) throw new Error('the launcher ended before it ran heldfiles')
      await c.launch(p.pid)
      p.stdio[3].end('x')
      await waitFor([p.stdout], /ready/, 'heldfiles')
      // a byte to its log every 50 ms
      writes = setInterval(() => writeSync(go, 'w'), 50)
      // past the ticks that read what it added
      await sleep(1000)
      const from = cpuMsOf(c.child.pid)
      await sleep((SECONDS - 2) * 1000)
      const ms = (cpuMsOf(c.child.pid) - from) / (SECONDS - 2)
      clearInterval(writes)
      writeSync(go, 'q')
      const code = await exited
      if (code !== 0) throw new Error(`heldfiles exited with ${code}`)
      return ms
    } finally {
      clearInterval(writes)
      closeSync(go)
      await c.shutdown()
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const none = []
  const many = []
  const base = []
  for (let r = 0; r < HELD_ROUNDS; r++) {
    none.push(await once(0))
    many.push(await once(HELD))
    if (BASELINE) base.push(await once(HELD, BASELINE))
  }
  const row = (what, xs) => {
    const ratio = xs === none ? '' : `   ÷ none ${(median(xs) / median(none)).toFixed(1)}`
    console.log(`  ${what.padEnd(34)} ${median(xs).toFixed(1).padStart(7)}   (${range(xs, 1)})${ratio}`)
  }
  console.log(`\nthe helper's own CPU while a process writes one file every 50 ms (--counts-only --detail, ${HELD_ROUNDS} rounds, ms a second)`)
  row('holding no other file', none)
  row(`holding ${HELD.toLocaleString()} files`, many)
  if (BASELINE) row(`the same, BASELINE_HELPER`, base)
}

async function main() {
  execFileSync('make', ['-s', '-C', join(root, 'helper'), 'all', 'bench'], { stdio: 'inherit' })
  // this process too reads what the tracers send (--detail: thousands of lines a tick on tar),
  // with the tracers: on the workload's CPU it would cost the workload caches, not CPU time
  execFileSync('taskset', ['-a', '-p', '-c', TOOL_CPUS, String(process.pid)], { stdio: 'ignore' })
  // bpftrace attaches classic tracepoints, which need tracefs
  let mounted = false
  const unmount = () => {
    if (mounted) execFileSync('umount', ['-l', '/sys/kernel/tracing'])
    mounted = false
  }
  if (!existsSync('/sys/kernel/tracing/events')) {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'])
    mounted = true
  }
  // stopped (Ctrl-C, a timeout): the machine is left as found all the same
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.once(sig, () => {
      unmount()
      process.exit(130)
    })
  try {
    await measure()
  } finally {
    unmount()
  }
}

await main()
