// How often to redraw a chart while data streams in: every frame while frames keep their vsync,
// less often as soon as one overruns. On a busy machine (the renderer sharing two cores with
// other work) a frame with a chart redraw misses its vsync where one without it does not; backing
// off keeps the page responsive, and the charts still follow the data a few times a second.

/** a frame this much longer than a vsync (16.7 ms) overran */
export const LATE_MS = 20
/** an interval this long is a pause (nothing to draw), not an overrun */
const IDLE_MS = 250
/** at most one redraw every this many frames, however busy */
export const MAX_GAP = 4
/** frames on time in a row before redrawing more often again */
const RECOVER_AFTER = 30

export class RedrawPacer {
  /** frames from one redraw to the next */
  private gap = 1
  private sinceRedraw = 0
  private onTime = 0
  private last: number | null = null

  get framesPerRedraw(): number {
    return this.gap
  }

  /** Nothing to redraw for now: the next frame's interval says nothing about overruns. */
  pause(): void {
    this.last = null
  }

  /** Called once per animation frame with its timestamp: may a chart be redrawn in it? */
  frame(now: number): boolean {
    const interval = this.last === null ? 0 : now - this.last
    this.last = now
    if (interval > LATE_MS && interval < IDLE_MS) {
      this.gap = Math.min(MAX_GAP, this.gap * 2)
      this.onTime = 0
      // the frame after an overrun is not the one to spend on a redraw
      this.sinceRedraw = 0
      return false
    }
    if (++this.onTime >= RECOVER_AFTER && this.gap > 1) {
      this.gap--
      this.onTime = 0
    }
    if (++this.sinceRedraw < this.gap) return false
    this.sinceRedraw = 0
    return true
  }
}
