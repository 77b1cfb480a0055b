// A synthetic live session for the store benchmark: the record lines LiveSession.tick() hands to
// its store, for a tree of long-lived processes sampled at a fixed interval. The figures follow
// how the sampler makes them (src/main/proc/sampler.ts), because how compactly a store can keep
// them depends on their shape:
//  - CPU % is clock ticks over the sampler's own (jittered, fractional) interval: 0 for a process
//    that did not run, an arbitrary double for one that did;
//  - RSS moves in pages, PSS is re-read now and then, I/O and context switches are re-read every
//    200 ms and 1 s (the values hold in between), cumulative counters only grow;
//  - a few processes belong to another user: their PSS, fds and I/O are unavailable (null), and
//    so are the tree's sums of them;
//  - a few dozen syscall numbers per tick, most from the busy processes;
//  - now and then a short-lived child: fork, exec, a few samples, exit.
// `noise: true` replaces every per-process figure with a random double: the incompressible case.
// Deterministic for a given seed, so two store layouts see the same session.
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

// The tree's sums are the sampler's own (src/main/proc/tree-totals.ts), bundled to plain
// JavaScript for the plain node that runs the benchmarks.
const root = fileURLToPath(new URL('..', import.meta.url))
const totalsBundle = `${root}out/bench/tree-totals-${process.pid}.mjs`
await build({
  entryPoints: [`${root}src/main/proc/tree-totals.ts`],
  outfile: totalsBundle,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning'
})
const { TotalsSum } = await import(totalsBundle)
rmSync(totalsBundle)

const CLK_TCK = 100
const PAGE = 4096
const IO_EVERY_MS = 200
/** the synthetic processes reap no children */
const NO_REAPED = [0, 0, 0, 0]
const SLOW_EVERY_MS = 1000

/** mulberry32: a small seeded generator, so runs are repeatable */
function random(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function workloadHeader(processColumns, intervalMs = 100) {
  return {
    format: 'syscope-recording',
    version: 2,
    created_ms: 1_700_000_000_000,
    title: 'synthetic session',
    kind: 'launch',
    argv: ['synthetic'],
    cwd: '/',
    root_pid: 4000,
    interval_ms: intervalMs,
    arch: 'x86_64',
    kernel: '6.8.0',
    ebpf: { ready: true, mode: 'tp_btf', helperPath: null, helperReason: null, problem: null, fix: null },
    process_columns: [...processColumns]
  }
}

// syscalls a desktop process makes most: read, write, close, poll, mmap, futex, epoll_wait, ...
const COMMON_NRS = [0, 1, 3, 7, 9, 11, 13, 14, 16, 17, 20, 23, 39, 47, 72, 202, 228, 230, 232, 257, 262, 281, 291, 318]

/**
 * The session's lines, tick by tick: `yield` hands over the lines of one tick (its counts, then
 * its sample), and of the process events that happened before it.
 */
export function* sessionTicks({ columns, ticks = 36_000, processes = 50, intervalMs = 100, seed = 1, noise = false }) {
  const rnd = random(seed)
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1))
  let nextPid = 4000
  let now = 0
  const live = []

  const spawnProcess = (ppid, shortLived, tick) => {
    const busy = rnd() < 0.2
    const foreign = !shortLived && rnd() < 0.06
    const rss = int(2_000, busy ? 200_000 : 30_000)
    return {
      pid: nextPid++,
      ppid,
      comm: shortLived ? 'sh' : `proc${nextPid}`,
      diesAt: shortLived ? tick + int(3, 50) : Infinity,
      // chance to run in a tick, and its share of a core when it does
      runs: shortLived ? 0.9 : busy ? 0.3 + 0.7 * rnd() : 0.02 + 0.05 * rnd(),
      share: busy ? 0.2 + 0.8 * rnd() : 0.05,
      foreign,
      at: -1,
      ioAt: -1,
      slowAt: -1,
      utime: int(0, 100_000),
      stime: int(0, 20_000),
      rssPages: rss,
      hwmPages: rss,
      pss: foreign ? null : Math.round(rss * 0.7) * PAGE,
      threads: int(1, busy ? 40 : 8),
      fds: foreign ? null : int(4, 120),
      rchar: int(0, 1e9),
      wchar: int(0, 1e8),
      readBytes: foreign ? null : int(0, 1e6) * PAGE,
      writeBytes: foreign ? null : int(0, 1e5) * PAGE,
      readRate: null,
      writeRate: null,
      vcsw: int(0, 1e6),
      ivcsw: int(0, 1e5),
      minflt: int(1e3, 1e7),
      majflt: int(0, 1000),
      nrs: Array.from({ length: int(3, 8) }, () => COMMON_NRS[int(0, COMMON_NRS.length - 1)])
    }
  }

  const described = (p, t) => ({ k: 'p', pid: p.pid, ppid: p.ppid, comm: p.comm, cmdline: [p.comm, '--flag'], start_ms: t, uid: p.foreign ? 0 : 1000 })
  let lines = []
  for (let i = 0; i < processes; i++) {
    live.push(spawnProcess(i === 0 ? 1 : 4000, false, 0))
    lines.push(described(live[i], 0))
  }

  for (let tick = 0; tick < ticks; tick++) {
    const t0 = now
    now += intervalMs + rnd() * 3 - 0.5
    const t = Math.round(now)
    // counts first (the ticks' deltas), as LiveSession writes them
    for (const p of live) {
      const running = rnd() < p.runs
      p.running = running
      if (!running) continue
      const sys = []
      for (const nr of p.nrs) {
        if (rnd() < 0.5) continue
        const calls = int(1, p.share > 0.1 ? 400 : 6)
        const errors = rnd() < 0.05 ? int(0, calls) : 0
        if (!sys.some((s) => s[0] === nr)) sys.push([nr, calls, errors, calls * int(300, 30_000)])
      }
      if (sys.length) lines.push({ k: 'c', t, pid: p.pid, sys })
    }
    const rows = []
    const sums = new TotalsSum()
    let cpuSeconds = 0
    let treeTicks = 0
    for (const p of live) {
      const first = p.at < 0
      const dt = first ? 0 : (now - p.at) / 1000
      let du = 0
      let ds = 0
      if (!first && p.running) {
        const most = Math.max(1, Math.round(dt * CLK_TCK * p.share))
        du = int(0, most)
        ds = int(0, Math.ceil(most / 4))
        if (rnd() < 0.1) p.rssPages += int(-40, 60)
        if (rnd() < 0.02) p.threads += int(-1, 1)
        p.minflt += int(0, 40)
        if (rnd() < 0.001) p.majflt += 1
        p.rssPages = Math.max(100, p.rssPages)
        p.hwmPages = Math.max(p.hwmPages, p.rssPages)
        p.threads = Math.max(1, p.threads)
      }
      p.utime += du
      p.stime += ds
      treeTicks += du + ds
      if (p.ioAt < 0 || now - p.ioAt >= IO_EVERY_MS) {
        const read = p.running ? int(0, 1 << 16) : 0
        const written = p.running && rnd() < 0.3 ? int(0, 1 << 14) : 0
        const ioDt = p.ioAt < 0 ? 0 : (now - p.ioAt) / 1000
        p.readRate = ioDt > 0 ? read / ioDt : null
        p.writeRate = ioDt > 0 ? written / ioDt : null
        p.rchar += read
        p.wchar += written
        if (p.readBytes !== null && rnd() < 0.01) p.readBytes += int(1, 64) * PAGE
        if (p.writeBytes !== null && written && rnd() < 0.2) p.writeBytes += int(1, 8) * PAGE
        p.ioAt = now
      }
      if (p.slowAt < 0 || now - p.slowAt >= SLOW_EVERY_MS) {
        p.vcsw += int(0, p.running ? 200 : 3)
        p.ivcsw += int(0, p.running ? 20 : 1)
        if (p.fds !== null && rnd() < 0.05) p.fds = Math.max(3, p.fds + int(-2, 2))
        if (p.pss !== null && rnd() < 0.2) p.pss = Math.round(p.rssPages * (0.6 + 0.2 * rnd())) * PAGE
        p.slowAt = now
      }
      const sample = {
        cpu_user_pct: first ? null : (du / CLK_TCK / dt) * 100,
        cpu_system_pct: first ? null : (ds / CLK_TCK / dt) * 100,
        cpu_seconds: (p.utime + p.stime) / CLK_TCK,
        rss_bytes: p.rssPages * PAGE,
        pss_bytes: p.pss,
        swap_bytes: 0,
        hwm_bytes: p.hwmPages * PAGE,
        threads: p.threads,
        fds: p.fds,
        rchar_bytes: p.foreign ? null : p.rchar,
        wchar_bytes: p.foreign ? null : p.wchar,
        read_bytes_per_s: p.foreign ? null : p.readRate,
        write_bytes_per_s: p.foreign ? null : p.writeRate,
        read_bytes: p.readBytes,
        write_bytes: p.writeBytes,
        vol_ctxsw: p.vcsw,
        invol_ctxsw: p.ivcsw,
        minflt: p.minflt,
        majflt: p.majflt
      }
      p.at = now
      rows.push([p.pid, ...columns.map((c) => (noise ? rnd() * 1e6 : sample[c]))])
      // the tree's sums, as the sampler makes them: null once one process's value is unavailable
      sums.add(sample, first)
      sums.addIo({ rchar: -1, wchar: -1, readBytes: p.readBytes ?? -1, writeBytes: p.writeBytes ?? -1, reaped: NO_REAPED })
      cpuSeconds += sample.cpu_seconds
    }
    const tree = {
      cpu_pct: tick === 0 ? null : (treeTicks / CLK_TCK / ((now - t0) / 1000)) * 100,
      rss_bytes: sums.rss,
      pss_bytes: sums.pss,
      read_bytes_per_s: sums.rated ? sums.readRate : null,
      write_bytes_per_s: sums.rated ? sums.writeRate : null,
      threads: sums.threads,
      fds: sums.fds,
      processes: live.length,
      cpu_seconds: Math.round(cpuSeconds * CLK_TCK) / CLK_TCK,
      read_bytes: sums.io[2],
      write_bytes: sums.io[3]
    }
    lines.push({ k: 's', t, tree, p: rows, gap: false })

    // between ticks: a short-lived child now and then, and the ones whose time is up exit
    for (const p of [...live]) {
      if (p.diesAt > tick) continue
      live.splice(live.indexOf(p), 1)
      lines.push({ k: 'e', ev: { kind: 'exit', t_ms: t + 5, pid: p.pid, code: 0, signal: null } })
    }
    if (rnd() < 0.005) {
      const child = spawnProcess(live[int(0, Math.min(5, live.length - 1))].pid, true, tick)
      live.push(child)
      lines.push(described(child, t + 7))
      lines.push({ k: 'e', ev: { kind: 'fork', t_ms: t + 7, pid: child.pid, ppid: child.ppid } })
      lines.push({ k: 'e', ev: { kind: 'exec', t_ms: t + 8, pid: child.pid, comm: 'sh', filename: '/bin/sh' } })
    }
    if (rnd() < 0.002) lines.push({ k: 'o', t: t + 9, s: 'stdout', d: `step ${tick} done\n` })
    yield lines
    lines = []
  }
}
