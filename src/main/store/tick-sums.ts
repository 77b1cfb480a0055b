// The counts of the tick in the making, summed by key (a syscall number, a process index) in the
// order the keys first came. Kept from tick to tick and cleared, not rebuilt: Maps of arrays
// made anew 10 times a second (and a Map's table grown anew after each clear) were most of
// what a tick left for the garbage collector.

/** keys from 0 up to this are found by index; others (never from the helper) in a Map */
const DIRECT_KEYS = 1 << 16

export class TickSums {
  /** per key: its slot, valid when its stamp is the current one (so clearing costs nothing) */
  private slotOf = new Int32Array(64)
  private stampOf = new Int32Array(64)
  private stamp = 1
  private readonly otherSlots = new Map<number, number>()
  /** per slot: its key, and three sums */
  private keys = new Float64Array(32)
  private sums = new Float64Array(3 * 32)
  /** slots in use this tick: keys in the order they first came */
  size = 0

  add(key: number, a: number, b: number, c: number): void {
    const direct = key >= 0 && key < DIRECT_KEYS && Number.isInteger(key)
    if (direct && key >= this.slotOf.length) this.growKeys(key)
    const slot = direct ? (this.stampOf[key] === this.stamp ? this.slotOf[key]! : -1) : (this.otherSlots.get(key) ?? -1)
    if (slot >= 0) {
      this.sums[3 * slot]! += a
      this.sums[3 * slot + 1]! += b
      this.sums[3 * slot + 2]! += c
      return
    }
    const next = this.size++
    if (next === this.keys.length) {
      const keys = new Float64Array(next * 2)
      const sums = new Float64Array(next * 6)
      keys.set(this.keys)
      sums.set(this.sums)
      this.keys = keys
      this.sums = sums
    }
    if (direct) {
      this.slotOf[key] = next
      this.stampOf[key] = this.stamp
    } else this.otherSlots.set(key, next)
    // -0 as 0, as a Map key would have it
    this.keys[next] = key === 0 ? 0 : key
    // the first values as they came (a sum from 0 would turn -0 into 0)
    this.sums[3 * next] = a
    this.sums[3 * next + 1] = b
    this.sums[3 * next + 2] = c
  }

  private growKeys(key: number): void {
    const length = Math.min(DIRECT_KEYS, Math.max(key + 1, this.slotOf.length * 2))
    const slotOf = new Int32Array(length)
    const stampOf = new Int32Array(length)
    slotOf.set(this.slotOf)
    stampOf.set(this.stampOf)
    this.slotOf = slotOf
    this.stampOf = stampOf
  }

  /** The key that came i-th this tick. */
  key(i: number): number {
    return this.keys[i]!
  }

  /** Sum k (0, 1, 2) of the key that came i-th. */
  sum(i: number, k: number): number {
    return this.sums[3 * i + k]!
  }

  clear(): void {
    this.stamp++
    this.size = 0
    if (this.otherSlots.size > 0) this.otherSlots.clear()
  }
}
