// The threads monitor's messages folded for a session's tick, as latency-use.ts folds the latency
// monitor's: each thread's wall-time deltas summed since the last tick (the helper may tick more
// often than the session records), with its name, first-seen and exit times on the session's clock.
import type { ThreadsMessage } from './protocol'
import type { ThreadTimeRecord } from '../types/recording-format'
import type { ThreadState } from '../proc/thread-states'

/** a kernel monotonic ns as session ns */
export type SessionNs = (tNs: number) => number

/** the kernel's reasons outside a syscall (bpf/syscope.h TT_*) */
const TT_PAGE_FAULT = -1
const TT_OTHER = -2

export class ThreadsUse {
  /** pid → tid → what came since the last drain */
  private pending = new Map<number, Map<number, ThreadTimeRecord>>()
  /** every thread the kernel side told of, as "pid tid" */
  private seen = new Set<string>()

  constructor(private readonly ns: SessionNs) {}

  add(m: ThreadsMessage): void {
    let per = this.pending.get(m.pid)
    if (!per) this.pending.set(m.pid, (per = new Map()))
    for (const e of m.t) {
      this.seen.add(`${m.pid} ${e.tid}`)
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

  /**
   * The threads of a process attached to that the kernel side never told of, from the attach
   * (session ns `fromNs`) to `toNs`: each was in one state throughout, the state it is in now.
   * Asleep: blocked in the syscall it is in (uninterruptibly if D). Runnable: on a CPU if its
   * clock grew since the attach (`before`), else waiting for one. `timed`: the helper tells time
   * in syscalls (none for a thread off a CPU; not known for one on it).
   */
  addUnseen(pid: number, fromNs: number, toNs: number, before: Map<number, ThreadState>, now: Map<number, ThreadState>, timed: boolean): void {
    const span = toNs - fromNs
    if (span <= 0) return
    for (const [tid, t] of now) {
      const was = before.get(tid)
      // begun after the attach: its creation was an event the kernel side saw
      if (!was || this.seen.has(`${pid} ${tid}`)) continue
      const r: ThreadTimeRecord = { tid, comm: t.comm, first_ns: fromNs, cpu: 0, rq: 0, pre: 0, by: [] }
      if (t.state === 'R') {
        if (t.cpuNs !== null && was.cpuNs !== null && t.cpuNs > was.cpuNs) r.cpu = span
        else r.rq = span
      } else {
        const d = t.state === 'D'
        const why = t.nr !== null && t.nr >= 0 ? t.nr : d ? TT_PAGE_FAULT : TT_OTHER
        r.by.push(d ? [why, 0, span] : [why, span, 0])
      }
      if (timed && r.cpu === 0) r.sys = 0
      let per = this.pending.get(pid)
      if (!per) this.pending.set(pid, (per = new Map()))
      per.set(tid, r)
    }
  }

  /** What came since the last tick, by process, as `th` records (without their k and t), and forget it. */
  drain(): { pid: number; th: ThreadTimeRecord[] }[] {
    const out = [...this.pending].map(([pid, per]) => ({ pid, th: [...per.values()] }))
    this.pending.clear()
    return out
  }
}
