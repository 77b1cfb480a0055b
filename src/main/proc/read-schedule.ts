// Which /proc files of a process a tick reads: stat every tick, io every 200 ms, status,
// smaps_rollup and the fd count every second, staggered across processes, and PSS and status
// read less often when they are dear or cannot have changed.
import { READ_ALL, READ_FDS, READ_IO, READ_SKIP_UNCHANGED, READ_SMAPS, READ_STATUS } from './row'
import type { TrackedProcess } from './tracked-process'

/** How often the files besides stat (read every tick) are read, in ms. */
export const IO_PERIOD_MS = 200
export const SLOW_PERIOD_MS = 1000
/** PSS of a process whose own memory did not change is re-read at least every this many slow reads */
export const PSS_MAX_SKIPS = 4
/** at most this share of one core goes to reading one process's smaps_rollup */
export const PSS_CPU_SHARE = 0.001
/**
 * status and the fd count of a process that cannot have changed them (READ_SKIP_UNCHANGED) are
 * re-read at least every this many slow reads: what the reader's rules do not foresee is at most
 * ~5 s old
 */
export const STATUS_MAX_SKIPS = 4

/**
 * Tiered sampling. Every tick: stat (CPU, state, threads, faults, RSS). Every 200 ms: io (bytes
 * read and written). Every second: status (peak RSS, swap, context switches), smaps_rollup (PSS:
 * the kernel walks the page tables) and the fd count. `phase` staggers processes so that each
 * tick reads the slower files of a share of them, not all at once. A process's first read is
 * always complete. Values not read in a tick carry forward (peak RSS as the larger of its last
 * reading and the RSS now); I/O rates span two I/O reads.
 *
 * PSS is read less often when it is dear or unchanged. Reading smaps_rollup walks the process's
 * page tables: ~30 µs for a small process, ~7 ms for one of 600 MB. After a read that took t of CPU,
 * the next waits at least t / PSS_CPU_SHARE (0.1 % of a core per process: every ~7 s for 600 MB).
 * And a read is skipped when the process's RSS and page-fault counts have not moved since the
 * last one (PSS_MAX_SKIPS times in a row at most): its own pages are the same, and only other
 * processes mapping or dropping pages it shares could change its share of them.
 *
 * status and the fd count are left unread by the reader when the process cannot have changed them
 * since they were last read (READ_SKIP_UNCHANGED: single-threaded, not run since, same RSS), but
 * STATUS_MAX_SKIPS times in a row at most.
 */
export function readsFor(tick: number, phase: number, ioEvery: number, slowEvery: number): number {
  let what = 0
  if ((tick + phase) % ioEvery === 0) what |= READ_IO
  if ((tick + phase) % slowEvery === 0) what |= READ_IO | READ_STATUS | READ_SMAPS | READ_FDS
  return what
}

/** The read schedule of one sampler, at its interval. */
export class ReadSchedule {
  /** what a process's first read reads */
  readonly readAll: number
  private readonly slowMask: number
  private readonly ioEvery: number
  private readonly slowEvery: number

  constructor(intervalMs: number | undefined, smaps: boolean) {
    this.readAll = smaps ? READ_ALL : READ_ALL & ~READ_SMAPS
    this.slowMask = smaps ? READ_SMAPS | READ_FDS : READ_FDS
    const interval = intervalMs && intervalMs > 0 ? intervalMs : 100
    this.ioEvery = Math.max(1, Math.round(IO_PERIOD_MS / interval))
    this.slowEvery = Math.max(1, Math.round(SLOW_PERIOD_MS / interval))
  }

  /** what p reads at this tick (after its first read) */
  readsNow(p: TrackedProcess, tick: number, now: number): number {
    let what = readsFor(tick, p.phase, this.ioEvery, this.slowEvery) & (READ_IO | READ_STATUS | this.slowMask)
    // until a process has I/O rates, read io every tick: a tree's rate total leaves out no one
    if ((p.readRate === null && p.rchar >= 0) || p.ioSoon) what |= READ_IO
    if (what & READ_STATUS && p.statusSkips < STATUS_MAX_SKIPS) what |= READ_SKIP_UNCHANGED
    if (what & READ_SMAPS) {
      if (now < p.pssNextAt) what &= ~READ_SMAPS
      else if (p.pssSkips < PSS_MAX_SKIPS && p.rss === p.pssRss && p.minflt + p.majflt === p.pssFaults) {
        what &= ~READ_SMAPS
        p.pssSkips++
      }
    }
    return what
  }
}
