// Every thread's wall time as a store keeps it (`th` records, recordings with header.ebpf.threads):
// per process and thread, the sums of its ticks' figures, ns, with its name and when it was first
// seen and last accounted. The records are per-tick deltas, so a time range can be summed later.
import type { ThreadTimeRecord } from '../types/recording-format'

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
  /** blocked, by why nr: [interruptible ns, uninterruptible ns] */
  by: Map<number, [number, number]>
}

export class ThreadTimes {
  /** pid → tid → totals */
  readonly byPid = new Map<number, Map<number, ThreadTotals>>()

  /** one `th` record (tick t, session ms); returns how many threads were new */
  add(t: number, pid: number, rows: ThreadTimeRecord[]): number {
    let per = this.byPid.get(pid)
    if (!per) this.byPid.set(pid, (per = new Map()))
    let added = 0
    for (const r of rows) {
      let x = per.get(r.tid)
      if (!x) {
        per.set(r.tid, (x = { tid: r.tid, comm: '', firstNs: null, endNs: null, lastNs: 0, cpu: 0, rq: 0, pre: 0, by: new Map() }))
        added++
      }
      if (r.comm !== undefined) x.comm = r.comm
      if (r.first_ns !== undefined) x.firstNs = r.first_ns
      if (r.end_ns !== undefined) x.endNs = r.end_ns
      x.lastNs = Math.max(x.lastNs, t * 1e6)
      x.cpu += r.cpu
      x.rq += r.rq
      x.pre += r.pre
      for (const [nr, s, d] of r.by) {
        const b = x.by.get(nr)
        if (b) {
          b[0] += s
          b[1] += d
        } else x.by.set(nr, [s, d])
      }
    }
    return added
  }
}
