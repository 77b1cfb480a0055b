// The disk monitor's messages folded for a session's tick, as latency-use.ts folds the latency
// monitor's: each device's requests by (op, submitter) and its queue figures, as deltas. The
// helper may split a busy device over several messages in one tick; they become one record.
import type { DiskMessage } from './protocol'
import type { DiskRecord } from '../types/recording-format'

export class DiskUse {
  private devices = new Map<string, DiskRecord>()

  add(m: DiskMessage): void {
    const had = this.devices.get(m.dev)
    if (!had) {
      this.devices.set(m.dev, {
        dev: m.dev,
        device: m.device,
        interval_ms: m.interval_ns / 1e6,
        ios: m.ios,
        busy_ms: m.busy_ms,
        queue_ms: m.queue_ms,
        rows: [...m.rows]
      })
      return
    }
    had.rows.push(...m.rows)
    // the queue figures come in a device's first message of the tick
    if (had.queue_ms === null && m.queue_ms !== null) Object.assign(had, { ios: m.ios, busy_ms: m.busy_ms, queue_ms: m.queue_ms })
  }

  /** What came since the last tick, one record (without its k and t) per device, and forget it. */
  drain(): DiskRecord[] {
    const out = [...this.devices.values()]
    this.devices.clear()
    return out
  }
}
