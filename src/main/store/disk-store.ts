// What a session store keeps of the disk monitor: each device's `dk` records as they came, one
// per device per tick in which it moved. They are deltas, so a time range's figures are the sum
// of the records inside it (analysis/disk.ts).
import type { DiskRecord } from '../types/recording-format'

export interface DiskTick extends DiskRecord {
  /** session ms at the end of the tick */
  t: number
}

export class DiskStore {
  readonly ticks: DiskTick[] = []

  /** keeps one record; the bytes it takes, roughly, for the store's budget */
  add(r: DiskTick): number {
    this.ticks.push(r)
    let bytes = 100 + r.dev.length + r.device.length
    for (const row of r.rows) bytes += 64 + 8 * (row[5].length + row[6].length)
    return bytes
  }
}
