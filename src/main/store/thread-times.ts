// Every thread's wall time as a store keeps it (`th` records, recordings with header.ebpf.threads):
// per process and thread, the sums of its ticks' figures, ns, with its name and when it was first
// seen and last accounted; and how those sums grew (change logs), so that a time range's figures
// and a thread's state lane can be read back (analysis/threads.ts).
import type { ThreadTimeRecord } from '../types/recording-format'
import { ChangeLog } from './change-log'

/** A thread's sums grow every tick; their changes are kept about this far apart (a range's
 * figures are exact to within it at each end), or a thousandth of the session so far when that is
 * more (3.6 s an hour in): an hour of 100 threads took 45 MB of heap (docs/threads.md). */
export const THREAD_STEP_MS = 250
const stepAt = (t: number): number => Math.max(THREAD_STEP_MS, t / 1000)

/** columns of ThreadTotals.log */
export const TT_CPU = 0
export const TT_RQ = 1
export const TT_PRE = 2
export const TT_SLEEP = 3
export const TT_DISK = 4
/** of TT_CPU, inside a syscall (0 where not known: ThreadTotals.sys is null) */
export const TT_SYS = 5

export interface ThreadTotals {
  tid: number
  comm: string
  /** session ns: first seen; exited (null: alive at its last record) */
  firstNs: number | null
  endNs: number | null
  /** session ns of its last record's tick */
  lastNs: number
  cpu: number
  rq: number
  pre: number
  /** of cpu, inside a syscall; null: not known (the counts-only mode, an older recording) */
  sys: number | null
  /** blocked, by why nr: [interruptible ns, uninterruptible ns] */
  by: Map<number, [number, number]>
  /** how its sums grew, by tick (session ms): [cpu, rq, pre, interruptible, uninterruptible, sys] */
  log: ChangeLog
  /** how each reason's [interruptible, uninterruptible] grew */
  whyLog: Map<number, ChangeLog>
}

export class ThreadTimes {
  /** pid → tid → totals */
  readonly byPid = new Map<number, Map<number, ThreadTotals>>()

  /** one `th` record (tick t, session ms); returns the bytes it added, roughly, for the store's budget */
  add(t: number, pid: number, rows: ThreadTimeRecord[], objectBytes: number): number {
    let per = this.byPid.get(pid)
    if (!per) this.byPid.set(pid, (per = new Map()))
    let bytes = 0
    for (const r of rows) {
      let x = per.get(r.tid)
      if (!x) {
        x = {
          tid: r.tid,
          comm: '',
          firstNs: null,
          endNs: null,
          lastNs: 0,
          cpu: 0,
          rq: 0,
          pre: 0,
          sys: null,
          by: new Map(),
          log: new ChangeLog(6),
          whyLog: new Map()
        }
        per.set(r.tid, x)
        bytes += objectBytes
      }
      if (r.comm !== undefined) x.comm = r.comm
      if (r.first_ns !== undefined) x.firstNs = r.first_ns
      if (r.end_ns !== undefined) x.endNs = r.end_ns
      x.lastNs = Math.max(x.lastNs, t * 1e6)
      x.cpu += r.cpu
      x.rq += r.rq
      x.pre += r.pre
      if (r.sys !== undefined) x.sys = (x.sys ?? 0) + r.sys
      for (const [nr, s, d] of r.by) {
        let b = x.by.get(nr)
        if (b) {
          b[0] += s
          b[1] += d
        } else x.by.set(nr, (b = [s, d]))
        let w = x.whyLog.get(nr)
        if (!w) {
          x.whyLog.set(nr, (w = new ChangeLog(2)))
          bytes += objectBytes
        }
        bytes += w.add(t, b, stepAt(t))
      }
      let sleep = 0
      let disk = 0
      for (const [s, d] of x.by.values()) {
        sleep += s
        disk += d
      }
      bytes += x.log.add(t, [x.cpu, x.rq, x.pre, sleep, disk, x.sys ?? 0], stepAt(t))
    }
    return bytes
  }
}
