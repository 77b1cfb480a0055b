// What the sampler keeps of one tracked process between ticks: its last figures (-1:
// unavailable), what its rates need, and its part in the reaped-I/O ledger (reaped-io.ts).
import type { ProcessSample } from '../types/samples'

/** One tracked process: its last figures (-1: unavailable) and what rates need. */
export interface TrackedProcess {
  pid: number
  handle: number
  /** staggers this process's slow reads */
  phase: number
  starttime: number
  /** started for the session (a launched command, forked before the sampler began): all its CPU
   * and I/O are the session's, as for a process begun during it */
  sessionsOwn: boolean
  /** when it was last read (ms); -1 before its first read */
  at: number
  gone: boolean
  comm: string
  state: string
  stateCode: number
  ppid: number
  utime: number
  stime: number
  /** cutime + cstime: its reaped children's CPU (and theirs), clock ticks */
  childTicks: number
  /** exited but not reaped yet: still read, its CPU is in no reaper's cutime until it goes */
  zombie: boolean
  threads: number
  minflt: number
  majflt: number
  rss: number
  hwm: number
  swap: number
  vcsw: number
  ivcsw: number
  /** /proc/<pid>/io as the kernel gives it (-1: unavailable): its own I/O, and, once it has
   * reaped them, its children's (wait4 adds a reaped child's to its parent's) */
  rchar: number
  wchar: number
  readBytes: number
  writeBytes: number
  /** tracked descendants' I/O that the kernel has added to this process's io (they were reaped)
   * but that no io read of it has shown yet: counted in the tree meanwhile (IO_FIELDS order) */
  reaped: number[]
  /** the part of its io that is reaped descendants' (subtracted for its own figures) */
  reapedSeen: number[]
  /** read its io next tick (a child of it was reaped) */
  ioSoon: boolean
  /** its io is final (given by exitIo): no read may lower it */
  ioFinal: boolean
  pss: number
  fds: number
  /** PSS reads skipped since the last one, the RSS and fault count at that one, and the
   * earliest time for the next one (ms) */
  pssSkips: number
  pssRss: number
  pssFaults: number
  pssNextAt: number
  /** slow reads in a row in which the reader left status and the fd count unread */
  statusSkips: number
  /** the last I/O read (rates span two I/O reads) */
  ioAt: number
  readRate: number | null
  writeRate: number | null
  /** its sample while it does not run (CPU 0, no I/O): given again until it runs */
  idleSample: ProcessSample | null
  /** the helper names it when it runs (see ran()) */
  runsReported: boolean
  /** once reaped: the tracked process its I/O went to (null: none, it is in the ledger's orphans), and how
   * much (undefined: not handed over) */
  handedTo: TrackedProcess | null | undefined
  handed: number[] | null
}

/** TrackedProcess's I/O fields, in the order of the arrays that hold I/O per field */
export const IO_FIELDS = ['rchar', 'wchar', 'readBytes', 'writeBytes'] as const
