// The tree's totals of a tick: sums over the processes sampled (TotalsSum), and the tree's CPU
// and I/O, which stay continuous across exits (a child's CPU and I/O move into its reaper's).
import { availableParallelism } from 'node:os'
import type { ProcessSample } from '../types/samples'
import type { TreeRecord } from '../types/recording-format'
import { CLK_TCK } from './clock'
import type { TrackedProcess } from './tracked-process'
import type { OrphanIo } from './reaped-io'

/** the CPUs this process (and so the tree it starts) may run on */
const CPUS = availableParallelism()

/** The tree's CPU and the totals record of each tick. */
export class TreeTotals {
  /**
   * The tree's CPU. Its processes' utime + stime + cutime + cstime is continuous across exits: a
   * child that goes (however short it lived, sampled or not) moves its whole CPU time into its
   * reaper's cutime at that moment. The tree's CPU % is the change of that sum, so a build's
   * thousand 30-ms compilers count, where a sum of live processes' rates shows them as 0 %.
   * A process reaped outside the tree (an orphan reparented to init) keeps its last total here.
   */
  readonly cpu = { prevTicks: -1, prevAt: 0, seconds: 0, orphanTicks: 0 }

  /** Sums over live processes; cumulative figures also over every process that exited (`orphans`: see ReapedIoLedger). */
  record(t: TotalsSum, orphans: OrphanIo, processes: number, treeTicks: number, now: number): TreeRecord {
    const g = orphans
    const io = (k: number): number | null => (t.io[k] === null || g.unavailable[k]! > 0 ? null : t.io[k]! + g.io[k]!)
    const c = this.cpu
    let cpuPct: number | null = null
    if (c.prevTicks < 0) {
      // the first tick: the CPU the tree had used before, its reaped children's included (a
      // launched command's children that ran before the first tick); no rate yet
      c.seconds = treeTicks / CLK_TCK
    } else {
      // a reap outside the tree can only lower the sum: never a negative rate
      const used = Math.max(0, treeTicks - c.prevTicks)
      const dt = (now - c.prevAt) / 1000
      // A live process's stat shows its CPU truncated to whole clock ticks, while its reaper's
      // cutime gains its exact time: each reaped child brings up to a tick more than was counted
      // of it, CPU it used earlier in its life. 600 children reaped in one interval made that
      // interval's rate 1700 % on 2 CPUs. The seconds keep that time (it was used); the rate, a
      // share of the CPUs over this interval, cannot exceed all of them. (Counting each process
      // exactly, from its run time in ns, would place it where it was used: see docs.)
      cpuPct = dt > 0 ? Math.min((used / CLK_TCK / dt) * 100, CPUS * 100) : null
      c.seconds += used / CLK_TCK
    }
    c.prevTicks = treeTicks
    c.prevAt = now
    return {
      cpu_pct: cpuPct,
      rss_bytes: t.rss,
      pss_bytes: t.pss,
      read_bytes_per_s: t.rated ? t.readRate : null,
      write_bytes_per_s: t.rated ? t.writeRate : null,
      threads: t.threads,
      fds: t.fds,
      processes,
      cpu_seconds: Math.round(c.seconds * CLK_TCK) / CLK_TCK,
      read_bytes: io(2),
      write_bytes: io(3),
      rchar_bytes: io(0),
      wchar_bytes: io(1)
    }
  }
}

/**
 * Running sums for a tick's totals. A sum is null once one process's value is unavailable; rate
 * sums leave out processes read for the first time (no rate yet), and are null if none is left.
 */
export class TotalsSum {
  rated = false
  readRate: number | null = 0
  writeRate: number | null = 0
  rss: number | null = 0
  pss: number | null = 0
  threads: number | null = 0
  fds: number | null = 0
  /** the live processes' io as the kernel gives it, with their reaped descendants' not shown yet */
  io: [number | null, number | null, number | null, number | null] = [0, 0, 0, 0]

  add(s: ProcessSample, firstRead: boolean): void {
    if (!firstRead) {
      this.rated = true
      this.readRate = plus(this.readRate, s.read_bytes_per_s)
      this.writeRate = plus(this.writeRate, s.write_bytes_per_s)
    }
    this.rss = plus(this.rss, s.rss_bytes)
    this.pss = plus(this.pss, s.pss_bytes)
    this.threads = plus(this.threads, s.threads)
    this.fds = plus(this.fds, s.fds)
  }

  // (each field by name: a field looked up by a key that changes is a megamorphic load, the
  // dearest line of a tick that reads nothing)
  addIo(p: TrackedProcess): void {
    const io = this.io
    const reaped = p.reaped
    io[0] = sumIo(io[0], p.rchar, reaped[0]!)
    io[1] = sumIo(io[1], p.wchar, reaped[1]!)
    io[2] = sumIo(io[2], p.readBytes, reaped[2]!)
    io[3] = sumIo(io[3], p.writeBytes, reaped[3]!)
  }
}

const sumIo = (sum: number | null, v: number, reaped: number): number | null => (sum === null || v < 0 ? null : sum + v + reaped)

const plus = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b)
