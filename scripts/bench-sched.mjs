#!/usr/bin/env node
// npm run bench:sched — what every thread's wall-time accounting costs the scheduler, against
// bpftrace doing runqlat's and offcputime's work (per thread: the wait for a CPU after a wakeup or
// a preemption, and the time off a CPU), measured side by side in one run.
//
// The workload is `perf bench sched pipe`: two processes passing a token through two pipes, a
// wakeup and two context switches per half round trip, nothing else (its usecs/op is the round
// trip). Each round runs it bare, under `syscope record` (timed mode: every tracked thread's
// wall time, and its syscalls) and beside bpftrace, in a rotated order; -l loops each.
// - The goal's figure is the kernel's own run time of the scheduler programs (BPF stats: run_time_ns
//   over run_cnt, switched on through bench/bpf-stats, which switches them off again however this
//   ends): syscope's sched_switch and sched_wakeup(_new) programs against bpftrace's, per round
//   trip of the same workload. Goal (issue 15): at most 0.5 of theirs.
// - The usecs/op of each configuration is printed too, as the extra over bare in the same round:
//   syscope's also holds its syscall hooks on perf's reads and writes.
// Needs root (bpftrace, BPF stats, tracefs) and a built helper and CLI (npm run build:cli).
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const OUT = join(root, 'build', 'helper')
const STATS = join(OUT, 'bench', 'bpf-stats')
const CLI = join(root, 'bin', 'syscope.mjs')
const ROUNDS = Number(process.env.ROUNDS ?? 5)
const LOOPS = Number(process.env.LOOPS ?? 100_000)
const CONFIGS = ['bare', 'syscope', 'bpftrace']

// runqlat's and offcputime's work, without stacks: per thread, runnable since (a wakeup, or a
// preemption) and off a CPU since (a sleep), summed when it is switched in again
const BPFTRACE = `
tracepoint:sched:sched_wakeup, tracepoint:sched:sched_wakeup_new { @q[args->pid] = nsecs; }
tracepoint:sched:sched_switch {
  if (args->prev_state == 0) { @q[args->prev_pid] = nsecs; } else { @off[args->prev_pid] = nsecs; }
  $t = @q[args->next_pid];
  if ($t) { @runq[args->next_pid] = sum(nsecs - $t); delete(@q[args->next_pid]); }
  $o = @off[args->next_pid];
  if ($o) { @offcpu[args->next_pid] = sum(nsecs - $o); delete(@off[args->next_pid]); }
}
BEGIN { printf("ready\\n"); }
END { clear(@q); clear(@off); clear(@runq); clear(@offcpu); }`

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** the loaded programs: id → {name, ns, cnt} */
function programs() {
  const all = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' }))
  return new Map(all.map((p) => [p.id, { name: p.name ?? '', ns: p.run_time_ns ?? 0, cnt: p.run_cnt ?? 0 }]))
}

/** run time and runs of the programs loaded since `before`, whose names match `pick` */
function newPrograms(before, pick) {
  let ns = 0
  let cnt = 0
  const names = new Set()
  for (const [id, p] of programs()) {
    if (before.has(id) || !pick(p.name)) continue
    ns += p.ns
    cnt += p.cnt
    names.add(p.name)
  }
  return { ns, cnt, names: [...names].sort() }
}

function waitFor(stream, re, what, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    let text = ''
    const t = setTimeout(() => reject(new Error(`${what} did not start: ${text}`)), timeoutMs)
    stream.on('data', (d) => {
      text += d.toString()
      if (re.test(text)) {
        clearTimeout(t)
        resolve()
      }
    })
  })
}

const usecsPerOp = (text) => {
  const m = text.match(/([\d.]+) usecs\/op/)
  if (!m) throw new Error(`no usecs/op in perf's output: ${text}`)
  return Number(m[1])
}

const perf = () => usecsPerOp(execFileSync('perf', ['bench', 'sched', 'pipe', '-l', String(LOOPS)], { encoding: 'utf8' }))

/** perf under `syscope record`: its result, and syscope's scheduler programs read before they unload */
async function underSyscope(dir) {
  const before = programs()
  const out = join(dir, 'perf.txt')
  const done = join(dir, 'done')
  const go = join(dir, 'go')
  const recording = join(dir, 'run.syscope')
  rmSync(recording, { force: true })
  rmSync(done, { force: true })
  rmSync(go, { force: true })
  execFileSync('mkfifo', [go])
  // the command waits on a FIFO after perf, so that the programs are still loaded when read
  const script = `perf bench sched pipe -l ${LOOPS} > ${out}; : > ${done}; read x < ${go}`
  const rec = spawn('node', [CLI, 'record', '--no-tty', '--out', recording, '--', 'sh', '-c', script], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, XDG_DATA_HOME: join(dir, 'data') }
  })
  const exited = new Promise((r) => rec.once('exit', r))
  while (!existsSync(done)) {
    if (rec.exitCode !== null) throw new Error('syscope record ended before perf did')
    await new Promise((r) => setTimeout(r, 20))
  }
  const sched = newPrograms(before, (n) => /switch|wakeup/.test(n))
  const all = newPrograms(before, () => true)
  execFileSync('sh', ['-c', `echo > ${go}`])
  await exited
  return { usecs: usecsPerOp(readFileSync(out, 'utf8')), sched, all }
}

/** perf beside bpftrace (in a private mount namespace with its own tracefs) */
async function besideBpftrace() {
  const before = programs()
  const bt = spawn(
    'unshare',
    [
      '-m',
      '--propagation',
      'private',
      'sh',
      '-c',
      'mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; exec bpftrace -e "$0"',
      BPFTRACE
    ],
    // its stderr only matters if it fails to start (it warns that it cannot raise RLIMIT_MEMLOCK,
    // which kernels that charge BPF memory to the cgroup do not need)
    { stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let err = ''
  bt.stderr.on('data', (d) => (err += d.toString()))
  const exited = new Promise((r) => bt.once('exit', r))
  try {
    await waitFor(bt.stdout, /ready/, 'bpftrace').catch((e) => {
      throw new Error(`${e.message} ${err}`)
    })
    const usecs = perf()
    const sched = newPrograms(before, (n) => /sched|tracepoint/.test(n))
    return { usecs, sched, all: sched }
  } finally {
    bt.kill('SIGINT')
    await exited
  }
}

async function main() {
  execFileSync('make', ['-s', '-C', join(root, 'helper'), 'all', 'bench'], { stdio: 'inherit' })
  execFileSync('npm', ['run', '-s', 'build:cli'], { cwd: root, stdio: 'inherit' })
  const stats = spawn(STATS, [], { stdio: ['pipe', 'pipe', 'inherit'] })
  await waitFor(stats.stdout, /enabled/, 'bpf-stats')
  const dir = mkdtempSync(join(tmpdir(), 'syscope-bench-sched-'))
  const rows = { bare: [], syscope: [], bpftrace: [] }
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const order = CONFIGS.map((_, i) => CONFIGS[(i + r) % CONFIGS.length])
      for (const c of order) {
        if (c === 'bare') rows.bare.push({ usecs: perf() })
        else if (c === 'syscope') rows.syscope.push(await underSyscope(dir))
        else rows.bpftrace.push(await besideBpftrace())
      }
      const last = (c) => rows[c][rows[c].length - 1]
      console.log(
        `round ${r + 1}: usecs/op bare ${last('bare').usecs.toFixed(2)}, syscope ${last('syscope').usecs.toFixed(2)}, bpftrace ${last('bpftrace').usecs.toFixed(2)}; ` +
          `scheduler programs ns/op syscope ${(last('syscope').sched.ns / LOOPS).toFixed(0)}, bpftrace ${(last('bpftrace').sched.ns / LOOPS).toFixed(0)}`
      )
    }
  } finally {
    stats.stdin.end()
    rmSync(dir, { recursive: true, force: true })
  }
  const perOp = (c, k) => rows[c].map((x) => x[k].ns / LOOPS)
  const perRun = (c) => rows[c].map((x) => (x.sched.cnt ? x.sched.ns / x.sched.cnt : 0))
  const extra = (c) => rows[c].map((x, i) => x.usecs / rows.bare[i].usecs - 1)
  console.log(`\nperf bench sched pipe -l ${LOOPS}, ${ROUNDS} rounds (medians)`)
  console.log('configuration   usecs/op   over bare   sched programs ns/op   ns/run   all programs ns/op')
  console.log(
    `bare            ${median(rows.bare.map((x) => x.usecs))
      .toFixed(2)
      .padStart(8)}`
  )
  for (const c of ['syscope', 'bpftrace'])
    console.log(
      `${c.padEnd(15)} ${median(rows[c].map((x) => x.usecs))
        .toFixed(2)
        .padStart(
          8
        )}   ${(median(extra(c)) * 100).toFixed(1).padStart(7)} %   ${median(perOp(c, 'sched')).toFixed(0).padStart(20)}   ${median(perRun(c)).toFixed(0).padStart(6)}   ${median(perOp(c, 'all')).toFixed(0).padStart(18)}`
    )
  console.log(`programs: syscope ${rows.syscope[0]?.sched.names.join(', ')}; bpftrace ${rows.bpftrace[0]?.sched.names.join(', ')}`)
  const ratio = median(rows.syscope.map((x, i) => x.sched.ns / rows.bpftrace[i].sched.ns))
  console.log('\ngoal (medians of per-round ratios)                         measured   limit   met')
  console.log(
    `${'scheduler accounting ≤ 0.5 × bpftrace’s (ns in programs)'.padEnd(58)} ${ratio.toFixed(2).padStart(8)} ${(0.5).toFixed(2).padStart(7)}   ${ratio <= 0.5 ? 'yes' : 'NO'}`
  )
}

await main()
