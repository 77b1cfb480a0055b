// One process's rows over a session, in the order they came: its columns side by side in a packed
// table (one process's figures change slowly from one tick to the next, so they compress well
// where a tick's rows, many processes side by side, would not), and which tick each row is from.
// A process has a row in every tick while it lives, so ticks are kept as runs of consecutive
// ticks: one run for a process that lived through the session.
import type { BlockPool } from './block-pool'
import { PackedTable } from './packed-table'

export class ProcessSeries {
  readonly rows: PackedTable
  /** the tick of each run's first row, and that row's index */
  private readonly runTicks: number[] = []
  private readonly runRows: number[] = []
  /** the tick of the newest row (-1: none yet) */
  lastTick = -1
  /** whether some tick has more than one row of this process */
  hasRepeatedTicks = false

  /** `pid` is NaN for the rows that had none */
  constructor(
    readonly pid: number,
    columns: number,
    pool: BlockPool
  ) {
    this.rows = new PackedTable(columns, pool)
  }

  get length(): number {
    return this.rows.length
  }

  /** Append the row of tick `tick` (ticks never decrease): values[from..). */
  append(tick: number, values: readonly unknown[], from: number): void {
    // a second row in the same tick starts a run of its own
    if (tick === this.lastTick) this.hasRepeatedTicks = true
    if (tick !== this.lastTick + 1 || this.runTicks.length === 0) {
      this.runTicks.push(tick)
      this.runRows.push(this.rows.length)
    }
    this.rows.pushRecorded(values, from)
    this.lastTick = tick
  }

  /** Index of the first row from tick `tick` or later (length if none). */
  firstRowFrom(tick: number): number {
    const runs = this.runTicks.length
    // the first run that reaches `tick`: runs are in tick order, and so are their ends
    let lo = 0
    let hi = runs
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.runLastTick(mid) < tick) lo = mid + 1
      else hi = mid
    }
    if (lo === runs) return this.length
    return this.runRows[lo]! + Math.max(0, tick - this.runTicks[lo]!)
  }

  private runLastTick(run: number): number {
    const end = this.runRows[run + 1] ?? this.length
    return this.runTicks[run]! + (end - this.runRows[run]!) - 1
  }

  /** Column c of rows [from, to) (NaN: unavailable). */
  column(c: number, from = 0, to = this.length): Float64Array {
    const out = new Float64Array(to - from)
    this.rows.read(c, from, to, out)
    return out
  }

  /** The tick of each row of [from, to), in order (all rows by default). */
  ticks(from = 0, to = this.length): Float64Array {
    const out = new Float64Array(Math.max(0, to - from))
    for (let run = 0; run < this.runTicks.length; run++) {
      const start = Math.max(this.runRows[run]!, from)
      const end = Math.min(this.runRows[run + 1] ?? this.length, to)
      const tick = this.runTicks[run]!
      for (let r = start; r < end; r++) out[r - from] = tick + r - this.runRows[run]!
    }
    return out
  }
}
