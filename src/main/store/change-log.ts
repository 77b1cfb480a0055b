// The changes of one cumulative record over a session (a file use's `f`, a socket's `sk`, a
// peer's `pr`, a failed open's `fo`): the time of each record and its values, so that a time
// range gets what happened inside it. The live side writes a record only when it changed, so
// this holds changes, not one entry per tick.

/** What a record did in a time range: its values' growth and when it changed. */
export interface RangeChange {
  /** value at or before `to` minus value before `from`, per column */
  delta: number[]
  /** session ms of its first and last change inside the range */
  firstMs: number
  lastMs: number
}

export class ChangeLog {
  private readonly times: number[] = []
  /** the values of change i at [i * width, (i + 1) * width) */
  private readonly values: number[] = []

  constructor(readonly width: number) {}

  get length(): number {
    return this.times.length
  }

  /**
   * Adds one record; returns the bytes it costs (for the store's objectBytes): 8 a number, and
   * the arrays' spare room as they grow (measured: 600,000 changes took 1.35 times 8 a number).
   */
  add(t: number, v: readonly number[], mergeWithinMs = 0): number {
    const last = this.times.length - 1
    // a wide record changing every tick (a histogram): a change this soon after the last one
    // takes its place, so that a range's figures are exact to within mergeWithinMs
    if (mergeWithinMs > 0 && last > 0 && t - this.times[last - 1]! < mergeWithinMs) {
      this.times[last] = t
      for (let c = 0; c < this.width; c++) this.values[last * this.width + c] = v[c] ?? 0
      return 0
    }
    this.times.push(t)
    for (let c = 0; c < this.width; c++) this.values.push(v[c] ?? 0)
    return 11 * (1 + this.width)
  }

  /** Index of the last change with time < ms (or <= ms when `atOrBefore`), -1 if none. */
  private lastBefore(ms: number, atOrBefore: boolean): number {
    let lo = 0
    let hi = this.times.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const t = this.times[mid]!
      if (t < ms || (atOrBefore && t === ms)) lo = mid + 1
      else hi = mid
    }
    return lo - 1
  }

  /** The values as they stood at ms (those of its last change at or before it); null before the
   * first. Two of them give what grew in (from, to], so adjacent spans never count a change twice. */
  valueAt(ms: number): number[] | null {
    const i = this.lastBefore(ms, true)
    return i < 0 ? null : this.values.slice(i * this.width, (i + 1) * this.width)
  }

  /** The values just before ms (those of its last change before it); null before the first:
   * with valueAt(to), what grew in [from, to], as within() counts it. */
  valueBefore(ms: number): number[] | null {
    const i = this.lastBefore(ms, false)
    return i < 0 ? null : this.values.slice(i * this.width, (i + 1) * this.width)
  }

  /** Session ms of its first change at or after ms; null when there is none. */
  firstAtOrAfter(ms: number): number | null {
    const i = this.lastBefore(ms, false) + 1
    return i < this.times.length ? this.times[i]! : null
  }

  /** Session ms of its first change, and of its last; null when it has none. */
  get span(): [number, number] | null {
    return this.times.length ? [this.times[0]!, this.times[this.times.length - 1]!] : null
  }

  /** What changed in [fromMs, toMs]; null when nothing did. */
  within(fromMs: number, toMs: number): RangeChange | null {
    const before = this.lastBefore(fromMs, false)
    const last = this.lastBefore(toMs, true)
    if (last <= before) return null
    const delta: number[] = []
    for (let c = 0; c < this.width; c++) {
      const end = this.values[last * this.width + c]!
      const start = before >= 0 ? this.values[before * this.width + c]! : 0
      delta.push(end - start)
    }
    return { delta, firstMs: this.times[before + 1]!, lastMs: this.times[last]! }
  }
}
