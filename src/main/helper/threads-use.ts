// The threads monitor's messages folded for a session's tick, as latency-use.ts folds the latency
// monitor's: each thread's wall-time deltas summed since the last tick (the helper may tick more
// often than the session records), with its name, first-seen and exit times on the session's clock.
import type { ThreadsMessage } from './protocol'
import type { ThreadTimeRecord } from '../types/recording-format'

/** a kernel monotonic ns as session ns */
export type SessionNs = (tNs: number) => number

export class ThreadsUse {
  /** pid → tid → what came since the last drain */
  private pending = new Map<number, Map<number, ThreadTimeRecord>>()

  constructor(private readonly ns: SessionNs) {}

  add(m: ThreadsMessage): void {
    let per = this.pending.get(m.pid)
    if (!per) this.pending.set(m.pid, (per = new Map()))
    for (const e of m.t) {
      let r = per.get(e.tid)
      if (!r) per.set(e.tid, (r = { tid: e.tid, cpu: 0, rq: 0, pre: 0, by: [] }))
      if (e.comm !== undefined) r.comm = e.comm
      if (e.first_ns !== undefined) r.first_ns = this.ns(e.first_ns)
      if (e.end_ns !== undefined) r.end_ns = this.ns(e.end_ns)
      r.cpu += e.cpu
      r.rq += e.rq
      r.pre += e.pre
      if (e.sys !== undefined) r.sys = (r.sys ?? 0) + e.sys
      for (const [nr, s, d] of e.by) {
        const b = r.by.find((x) => x[0] === nr)
        if (b) {
          b[1] += s
          b[2] += d
        } else r.by.push([nr, s, d])
      }
    }
  }

  /** What came since the last tick, by process, as `th` records (without their k and t), and forget it. */
  drain(): { pid: number; th: ThreadTimeRecord[] }[] {
    const out = [...this.pending].map(([pid, per]) => ({ pid, th: [...per.values()] }))
    this.pending.clear()
    return out
  }
}
