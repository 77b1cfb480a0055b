// LTTB for a line that grows at its end and is drawn again after every few new samples (a live
// session's timeline, once a frame). lttbIndices spreads its buckets over the whole line, so
// one more sample moves every bucket edge: all of it is decided again, and the points on
// screen shift a little every frame. Here buckets have a fixed width, so a new sample can
// change only the choices in the last two buckets (a choice depends on the one before it and
// on the next bucket's mean); everything before them is kept from the last call.
// The width is a step of a ladder growing by a quarter, the narrowest that fits the line into
// the threshold: so it changes (and all is decided again) each time the line grows by about a
// quarter, not every frame, and the result depends only on the samples, never on how they came:
// a recording reopened is drawn exactly as it was while live.
import { bucketPick, lttbIndices, type Values } from './decimate'

/** The narrowest bucket width on the ladder 1, 2, 3, 4, 5, 7, 9, 12, 15, … (×1.25) that fits `samples` into `buckets`. */
export function bucketWidth(samples: number, buckets: number): number {
  const needed = samples / buckets
  let w = 1
  while (w < needed) w = Math.max(w + 1, Math.ceil(w * 1.25))
  return w
}

const range = (start: number, end: number): number[] => Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i)

export class GrowingLttb {
  private x: ArrayLike<number> | null = null
  private y: Values | null = null
  private start = 0
  private end = 0
  private threshold = 0
  /** samples per bucket */
  private width = 0
  /** the sample kept in each bucket */
  private picks: number[] = []

  /**
   * Indices (ascending) kept out of [start, end) of x/y: both ends and at most `threshold - 2`
   * between them. Samples already seen must not have changed: a line that was replaced (new
   * arrays), or now starts elsewhere or ends sooner, is decimated from scratch.
   */
  indices(x: ArrayLike<number>, y: Values, threshold: number, start = 0, end = x.length): number[] {
    const len = end - start
    if (len <= threshold || threshold < 3) {
      this.x = null
      return len <= threshold ? range(start, end) : lttbIndices(x, y, threshold, start, end)
    }
    const inner = threshold - 2
    const same = x === this.x && y === this.y && start === this.start && end >= this.end && threshold === this.threshold
    const width = bucketWidth(len - 2, inner)
    if (!same || width !== this.width) {
      this.width = width
      this.picks = []
    } else if (end !== this.end) {
      // the last bucket took new samples, and the one before it has a new next bucket
      this.picks.length = Math.max(0, this.picks.length - 2)
    }
    Object.assign(this, { x, y, start, end, threshold })
    const w = this.width
    const first = start + 1
    const last = end - 1
    const buckets = Math.ceil((last - first) / w)
    for (let b = this.picks.length; b < buckets; b++) {
      const from = first + b * w
      const to = Math.min(from + w, last)
      const a = b === 0 ? start : this.picks[b - 1]!
      // the third corner: the next bucket's mean, the last sample for the last bucket
      const nTo = b === buckets - 1 ? end : Math.min(to + w, last)
      this.picks.push(bucketPick(x, y, a, from, to, b === buckets - 1 ? last : to, nTo))
    }
    return [start, ...this.picks, last]
  }
}

/**
 * lttbUnion for growing lines: one index set keeping the shape of several series sampled at the
 * same x (each series' own GrowingLttb with `threshold / ys.length` points), plus where each
 * run of nulls starts and ends, found once as samples arrive rather than by a scan per call.
 */
export class GrowingLttbUnion {
  private lines: GrowingLttb[] = []
  private x: ArrayLike<number> | null = null
  private ys: readonly Values[] = []
  private start = 0
  private scanned = 0
  private inGap: boolean[] = []
  private edges: number[] = []

  indices(x: ArrayLike<number>, ys: readonly Values[], threshold: number, start = 0, end = x.length): number[] {
    const len = end - start
    if (len <= threshold || ys.length === 0) return range(start, end)
    const same = x === this.x && start === this.start && end >= this.scanned && ys.length === this.ys.length && ys.every((y, k) => y === this.ys[k])
    if (!same) {
      this.lines = ys.map(() => new GrowingLttb())
      this.edges = []
      this.inGap = ys.map(() => false)
      this.scanned = start
      Object.assign(this, { x, ys: [...ys], start })
    }
    ys.forEach((y, k) => {
      let inGap = this.inGap[k]!
      for (let i = this.scanned; i < end; i++) {
        const isNull = y[i] === null
        if (isNull !== inGap) this.edges.push(i)
        inGap = isNull
      }
      this.inGap[k] = inGap
    })
    this.scanned = end
    const each = Math.max(3, Math.floor(threshold / ys.length))
    const all = this.edges.concat(...ys.map((y, k) => this.lines[k]!.indices(x, y, each, start, end)))
    all.sort((a, b) => a - b)
    return all.filter((v, i) => i === 0 || v !== all[i - 1])
  }
}
