// The latency monitor's messages folded for a session's tick, as file-use.ts folds the files
// monitor's: durations by (process, syscall) as the tick's new bucket counts with the extremes,
// failed calls by errno as their last cumulative counts, and the calls that joined the session's
// slowest, on the session's clock.
import type { ErrnosMessage, LatencyMessage, SlowMessage } from './protocol'
import type { RecordLine, SlowCallRecord } from '../types/recording-format'
import type { SessionMs } from './net-use'
import { fdTarget } from '../proc/open-files'

type LatencyLine = Extract<RecordLine, { k: 'l' }>
type ErrnosLine = Extract<RecordLine, { k: 'x' }>

export class LatencyUse {
  /** pid → nr → [min, max, bucket → new count] */
  private latency = new Map<number, Map<number, [number, number, Map<number, number>]>>()
  /** "pid nr errno" → cumulative count */
  private errnos = new Map<string, [number, number, number, number]>()
  private slow: SlowCallRecord[] = []

  constructor(private readonly ms: SessionMs) {}

  add(m: LatencyMessage): void {
    let per = this.latency.get(m.pid)
    if (!per) this.latency.set(m.pid, (per = new Map()))
    for (const [nr, min, max, pairs] of m.sys) {
      let e = per.get(nr)
      if (!e) per.set(nr, (e = [min, max, new Map()]))
      e[0] = min
      e[1] = max
      for (let i = 0; i + 1 < pairs.length; i += 2) e[2].set(pairs[i]!, (e[2].get(pairs[i]!) ?? 0) + pairs[i + 1]!)
    }
  }

  errno(m: ErrnosMessage): void {
    for (const [nr, errno, count] of m.e) this.errnos.set(`${m.pid} ${nr} ${errno}`, [m.pid, nr, errno, count])
  }

  /** the lookups of slow calls' fds under way: the tick waits for them */
  private looking: Promise<void>[] = []

  slowCalls(m: SlowMessage): void {
    for (const c of m.calls) {
      const { t_ns, ...rest } = c
      const rec: SlowCallRecord = { t_ms: this.ms(t_ns), ...rest, target: null }
      this.slow.push(rec)
      // what the fd was, looked at now, while the process likely holds it still
      if (c.file)
        this.looking.push(
          fdTarget(c.pid, c.arg0, c.file).then((t) => {
            rec.target = t
          })
        )
    }
  }

  /** What came since the last tick, as record lines (without their k and t), and forget it. */
  async drain(): Promise<{ latency: Omit<LatencyLine, 'k' | 't'>[]; errnos: Omit<ErrnosLine, 'k' | 't'>[]; slow: SlowCallRecord[] }> {
    const looking = this.looking
    this.looking = []
    await Promise.all(looking)
    const latency = [...this.latency].map(([pid, per]) => ({
      pid,
      sys: [...per].map(([nr, [min, max, b]]): [number, number, number, number[]] => [nr, min, max, [...b].sort((x, y) => x[0] - y[0]).flat()])
    }))
    const byPid = new Map<number, [number, number, number][]>()
    for (const [pid, nr, errno, count] of this.errnos.values()) {
      let e = byPid.get(pid)
      if (!e) byPid.set(pid, (e = []))
      e.push([nr, errno, count])
    }
    const errnos = [...byPid].map(([pid, e]) => ({ pid, e }))
    const slow = this.slow
    this.latency.clear()
    this.errnos.clear()
    this.slow = []
    return { latency, errnos, slow }
  }
}
