// Folds the helper's `counts` deltas into totals per process and syscall.
import type { CountsMessage } from './protocol'

export interface Totals {
  calls: number
  errors: number
  time_ns: number
}

export class CountAccumulator {
  readonly perPid = new Map<number, Map<number, Totals>>()

  add(m: CountsMessage): void {
    let per = this.perPid.get(m.pid)
    if (!per) this.perPid.set(m.pid, (per = new Map()))
    for (const [nr, calls, errors, ns] of m.sys) {
      const t = per.get(nr) ?? { calls: 0, errors: 0, time_ns: 0 }
      t.calls += calls
      t.errors += errors
      t.time_ns += ns
      per.set(nr, t)
    }
  }

  /** one syscall's totals for one pid, or over every pid */
  get(nr: number, pid?: number): Totals {
    const out = { calls: 0, errors: 0, time_ns: 0 }
    for (const [p, per] of this.perPid) {
      if (pid !== undefined && p !== pid) continue
      const t = per.get(nr)
      if (!t) continue
      out.calls += t.calls
      out.errors += t.errors
      out.time_ns += t.time_ns
    }
    return out
  }

  /** nr → totals over every pid */
  byNr(): Map<number, Totals> {
    const out = new Map<number, Totals>()
    for (const per of this.perPid.values()) {
      for (const [nr, t] of per) {
        const o = out.get(nr) ?? { calls: 0, errors: 0, time_ns: 0 }
        o.calls += t.calls
        o.errors += t.errors
        o.time_ns += t.time_ns
        out.set(nr, o)
      }
    }
    return out
  }
}
