// Which charts to redraw this frame when new data made all of them stale. Redrawing every lane
// of the timeline in one frame costs more than a frame; redrawing the one stale the longest
// spreads that over several frames, and as data keeps coming each chart still gets its turn
// (marking a chart stale again does not move it back in the line).

export class RedrawQueue<K> {
  /** stale keys, the longest stale first (a Set keeps insertion order) */
  private readonly stale = new Set<K>()

  get size(): number {
    return this.stale.size
  }

  has(key: K): boolean {
    return this.stale.has(key)
  }

  markStale(keys: Iterable<K>): void {
    for (const k of keys) this.stale.add(k)
  }

  /** The `n` keys stale the longest, no longer stale once taken. */
  take(n: number): K[] {
    const out: K[] = []
    for (const k of this.stale) {
      if (out.length >= n) break
      out.push(k)
    }
    for (const k of out) this.stale.delete(k)
    return out
  }

  /** Forget `key` (it was just redrawn for another reason). */
  done(key: K): void {
    this.stale.delete(key)
  }

  clear(): void {
    this.stale.clear()
  }
}
