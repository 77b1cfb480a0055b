#!/usr/bin/env node
// npm run bench:helper — what syscall counting costs, measured side by side in one run.
// Interleaved rounds (each configuration once per round, order rotated), median of the rounds.
// The workload times its own loop of cheap syscalls (1M getppid + 0.5M 1-byte writes + 0.5M
// 1-byte reads on a pipe), so tracer start-up is never in the figure. Needs root (bpftrace,
// the empty-hook loader) and a built helper.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startHelper } from '../src/main/helper/client.ts'

const root = new URL('..', import.meta.url).pathname
const OUT = join(root, 'build', 'helper')
const HELPER = join(OUT, 'syscope-helper')
const LOAD = join(OUT, 'bench', 'benchload')
const EMPTY = join(OUT, 'bench', 'empty-hooks')
const LAUNCH = join(OUT, 'syscope-launch')
const LAUNCH_BARE = ['tar', '-cf']
const ROUNDS = Number(process.env.ROUNDS ?? 5)
const N = 1_000_000
const M = 500_000
const SYSCALLS = N + 2 * M
const STRACE_SCALE = 100 // strace is ~100× slower: run 1/100 of the loop and scale

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/** Start benchload (it waits for a byte), let `arm(pid)` attach a tracer, then run it. */
async function runLoad(arm, args = [String(N), String(M)], wrap = null) {
  const cmd = wrap ? wrap[0] : LOAD
  const argv = wrap ? [...wrap.slice(1), LOAD, ...args] : args
  const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'ignore'] })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  const done = new Promise((r) => child.once('exit', r))
  if (arm) await arm(child.pid)
  // strace's child is not child.pid: it waits on its own stdin, which is ours
  await new Promise((r) => setTimeout(r, wrap ? 300 : 0))
  child.stdin.end('x')
  await done
  const ns = Number(out.trim().split('\n').pop())
  if (!Number.isFinite(ns)) throw new Error(`benchload printed ${JSON.stringify(out)}`)
  return ns
}

function waitFor(stream, re) {
  return new Promise((resolve) => {
    let buf = ''
    const on = (d) => {
      buf += d
      if (re.test(buf)) {
        stream.off('data', on)
        resolve()
      }
    }
    stream.on('data', on)
  })
}

const BPFTRACE = `
tracepoint:raw_syscalls:sys_enter /pid == $1/ { @start[tid] = nsecs; }
tracepoint:raw_syscalls:sys_exit /pid == $1 && @start[tid]/ {
  @calls[args->id] = count();
  if (args->ret < 0) { @errors[args->id] = count(); }
  @ns[args->id] = sum(nsecs - @start[tid]);
  delete(@start[tid]);
}`

const configs = {
  bare: () => runLoad(null),
  emptyHooks: async () => {
    const p = spawn(EMPTY, [], { stdio: ['pipe', 'pipe', 'inherit'] })
    await waitFor(p.stdout, /attached/)
    try {
      return await runLoad(null)
    } finally {
      p.stdin.end()
      await new Promise((r) => p.once('exit', r))
    }
  },
  helperTraced: async () => {
    const c = await startHelper({ helperPath: HELPER, args: ['--mode', 'tp_btf'] })
    try {
      return await runLoad((pid) => c.track(pid, true))
    } finally {
      await c.shutdown()
    }
  },
  helperUntraced: async () => {
    const c = await startHelper({ helperPath: HELPER, args: ['--mode', 'tp_btf'] })
    const other = spawn('sleep', ['60'])
    try {
      await c.track(other.pid, true)
      return await runLoad(null)
    } finally {
      other.kill('SIGKILL')
      await c.shutdown()
    }
  },
  bpftrace: async () => {
    let bt
    try {
      return await runLoad(async (pid) => {
        bt = spawn('bpftrace', ['-B', 'line', '-e', BPFTRACE, String(pid)], { stdio: ['ignore', 'pipe', 'pipe'] })
        await waitFor(bt.stdout, /Attaching/)
        await new Promise((r) => setTimeout(r, 200))
      })
    } finally {
      bt?.kill('SIGINT')
      await new Promise((r) => bt?.once('exit', r))
    }
  },
  strace: async () => (await runLoad(null, [String(N / STRACE_SCALE), String(M / STRACE_SCALE)], ['strace', '-c', '-f', '-o', '/dev/null'])) * STRACE_SCALE
}

async function realistic(rounds) {
  const dir = mkdtempSync(join(tmpdir(), 'syscope-bench-'))
  const src = process.env.TAR_SOURCE ?? '/usr/share'
  const tarOnce = async (underHelper) => {
    const out = join(dir, 'x.tar')
    rmSync(out, { force: true })
    const t0 = performance.now()
    if (!underHelper) execFileSync(LAUNCH_BARE[0], [...LAUNCH_BARE.slice(1), out, src], { stdio: 'ignore' })
    else {
      const c = await startHelper({ helperPath: HELPER })
      try {
        // armed launch, as the app does it: counted from its exec, timed from the go byte
        const p = spawn(LAUNCH, ['3', '4', '--', 'tar', '-cf', out, src], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] })
        await c.launch(p.pid)
        const t1 = performance.now()
        p.stdio[3].end('x')
        await new Promise((r) => p.once('exit', r))
        return performance.now() - t1
      } finally {
        await c.shutdown()
      }
    }
    return performance.now() - t0
  }
  await tarOnce(false) // warm the page cache
  const bare = []
  const traced = []
  for (let i = 0; i < rounds; i++) {
    if (i % 2) {
      traced.push(await tarOnce(true))
      bare.push(await tarOnce(false))
    } else {
      bare.push(await tarOnce(false))
      traced.push(await tarOnce(true))
    }
  }
  rmSync(dir, { recursive: true, force: true })
  return { src, bare: median(bare), traced: median(traced) }
}

async function main() {
  execFileSync('make', ['-s', '-C', join(root, 'helper'), 'all', 'bench'], { stdio: 'inherit' })
  // bpftrace attaches classic tracepoints, which need tracefs
  let mounted = false
  if (!existsSync('/sys/kernel/tracing/events')) {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'])
    mounted = true
  }
  try {
    await measure()
  } finally {
    if (mounted) execFileSync('umount', ['/sys/kernel/tracing'])
  }
}

async function measure() {
  const names = Object.keys(configs)
  const results = Object.fromEntries(names.map((n) => [n, []]))
  for (let r = 0; r < ROUNDS; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length])
    for (const n of order) {
      process.stderr.write(`  ${n}…\n`)
      results[n].push(await configs[n]())
    }
    process.stderr.write(`round ${r + 1}/${ROUNDS} done\n`)
  }
  const med = Object.fromEntries(names.map((n) => [n, median(results[n])]))
  const extra = (n) => (med[n] - med.bare) / SYSCALLS
  console.log(`\nsyscall loop: ${SYSCALLS.toLocaleString()} syscalls, median of ${ROUNDS} interleaved rounds (strace: 1/${STRACE_SCALE} of the loop, scaled)`)
  console.log('configuration        ms      ×bare   extra ns/syscall')
  for (const n of names) console.log(`${n.padEnd(18)} ${(med[n] / 1e6).toFixed(1).padStart(8)} ${(med[n] / med.bare).toFixed(2).padStart(8)} ${extra(n).toFixed(0).padStart(12)}`)
  const floor = extra('emptyHooks')
  const goals = [
    ['helper extra ≤ 40 % of bpftrace’s extra', extra('helperTraced') / extra('bpftrace'), 0.4],
    ['helper extra ≤ 1.5 × two empty hooks', extra('helperTraced') / floor, 1.5],
    ['untraced extra ≤ 1.25 × two empty hooks', extra('helperUntraced') / floor, 1.25]
  ]
  const real = await realistic(ROUNDS)
  goals.push([`tar of ${real.src}: ≤ 5 % over bare`, real.traced / real.bare - 1, 0.05])
  console.log(`\nrealistic: tar -cf x.tar ${real.src}: bare ${real.bare.toFixed(0)} ms, under the helper ${real.traced.toFixed(0)} ms`)
  console.log('\ngoal                                         measured   limit   met')
  for (const [g, v, lim] of goals) console.log(`${g.padEnd(44)} ${v.toFixed(2).padStart(8)} ${lim.toFixed(2).padStart(7)}   ${v <= lim ? 'yes' : 'NO'}`)
}

await main()
