// A column of doubles read at random (tick times for binary search, where each tick's rows end),
// in a Float64Array grown by doubling: an hour at 10 Hz is 288 KB a column, so copying on growth
// costs nothing worth a chunked layout.
export class GrowingColumn {
  private values = new Float64Array(64)
  private n = 0

  get length(): number {
    return this.n
  }

  push(v: number): void {
    if (this.n === this.values.length) {
      const grown = new Float64Array(this.values.length * 2)
      grown.set(this.values)
      this.values = grown
    }
    this.values[this.n++] = v
  }

  at(i: number): number {
    return this.values[i]!
  }

  /** The values as they are now (a view: later pushes may or may not show in it). */
  view(): Float64Array {
    return this.values.subarray(0, this.n)
  }
}
