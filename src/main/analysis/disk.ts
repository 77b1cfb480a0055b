// Disk latency in a summary or a time range, from the `dk` records the store kept: per block
// device, request counts, bytes, latency (issue to completion) and size histograms by op and by
// submitter, and the queue depth from /proc/diskstats.
import type { SessionStore } from '../store/store'
import type { DiskFigures, DiskRows, DiskSummaryRow } from '../../shared/disk'
import { HIST_BUCKETS, histAdd, histQuantile, histRows } from '../../shared/histogram'
import type { TimeRange } from './files'
import { notRecorded } from './not-recorded'

/** figures summed, before the summary's form */
interface Sums {
  requests: number
  bytes: number
  time_ns: number
  lat: number[]
  size: number[]
  reads: number
  read_bytes: number
  writes: number
  write_bytes: number
}

const sums = (): Sums => ({
  requests: 0,
  bytes: 0,
  time_ns: 0,
  lat: new Array<number>(HIST_BUCKETS).fill(0),
  size: new Array<number>(HIST_BUCKETS).fill(0),
  reads: 0,
  read_bytes: 0,
  writes: 0,
  write_bytes: 0
})

/** [bucket, count, ...] into a histogram */
function addPairs(into: number[], pairs: number[]): void {
  const counts = new Array<number>(HIST_BUCKETS).fill(0)
  for (let i = 0; i + 1 < pairs.length; i += 2) counts[pairs[i]!] = (counts[pairs[i]!] ?? 0) + pairs[i + 1]!
  histAdd(into, counts)
}

function addRow(s: Sums, op: string, requests: number, bytes: number, timeNs: number, lat: number[], size: number[]): void {
  s.requests += requests
  s.bytes += bytes
  s.time_ns += timeNs
  addPairs(s.lat, lat)
  addPairs(s.size, size)
  if (op === 'read') {
    s.reads += requests
    s.read_bytes += bytes
  } else if (op === 'write') {
    s.writes += requests
    s.write_bytes += bytes
  }
}

function figures(s: Sums): DiskFigures {
  return {
    requests: s.requests,
    bytes: s.bytes,
    time_ns: s.time_ns,
    mean_ns: s.requests ? Math.round(s.time_ns / s.requests) : null,
    p50_ns: histQuantile(s.lat, 0.5),
    p90_ns: histQuantile(s.lat, 0.9),
    p99_ns: histQuantile(s.lat, 0.99),
    hist: histRows(s.lat) as DiskFigures['hist'],
    size_hist: histRows(s.size, 'le_bytes') as DiskFigures['size_hist'],
    reads: s.reads,
    read_bytes: s.read_bytes,
    writes: s.writes,
    write_bytes: s.write_bytes
  }
}

const OP_ORDER = ['read', 'write', 'flush', 'discard', 'other']

/**
 * Every device's figures over the session or a range of it, most requests first; null when disk
 * latency was not known (no eBPF, the tracepoint mode, a recording from before it).
 */
export function diskSummary(store: SessionStore, range?: TimeRange): DiskSummaryRow[] | null {
  const ebpf = store.header.ebpf
  if (!ebpf.ready || ebpf.disk !== true) return null
  const devices = new Map<
    string,
    {
      device: string
      all: Sums
      ops: Map<string, Sums>
      pids: Map<number, Sums>
      none: Sums
      queueMs: number
      busyMs: number
      intervalMs: number
      known: boolean
      samples: { t_ms: number; depth: number }[]
    }
  >()
  for (const tick of store.disk.ticks) {
    if (range && (tick.t <= range.fromMs || tick.t > range.toMs)) continue
    let d = devices.get(tick.dev)
    if (!d)
      devices.set(
        tick.dev,
        (d = {
          device: tick.device,
          all: sums(),
          ops: new Map(),
          pids: new Map(),
          none: sums(),
          queueMs: 0,
          busyMs: 0,
          intervalMs: 0,
          known: false,
          samples: []
        })
      )
    if (tick.queue_ms !== null && tick.interval_ms > 0) {
      d.known = true
      d.queueMs += tick.queue_ms
      d.busyMs += tick.busy_ms ?? 0
      d.intervalMs += tick.interval_ms
      d.samples.push({ t_ms: tick.t, depth: Math.round((tick.queue_ms / tick.interval_ms) * 1000) / 1000 })
    }
    for (const [op, pid, requests, bytes, timeNs, lat, size] of tick.rows) {
      addRow(d.all, op, requests, bytes, timeNs, lat, size)
      let o = d.ops.get(op)
      if (!o) d.ops.set(op, (o = sums()))
      addRow(o, op, requests, bytes, timeNs, lat, size)
      let p = pid ? d.pids.get(pid) : d.none
      if (!p) d.pids.set(pid, (p = sums()))
      addRow(p, op, requests, bytes, timeNs, lat, size)
    }
  }
  // the queue's mean is over the whole span: ticks in which a device did not move added nothing
  // (the span is at least the ticks' own: the last tick may end after the session's last sample)
  const span = range ? range.toMs - range.fromMs : store.durationMs()
  const rows: DiskSummaryRow[] = []
  for (const [dev, d] of devices) {
    const spanMs = Math.max(span, d.intervalMs)
    rows.push({
      device: d.device,
      dev,
      ...figures(d.all),
      by_op: [...d.ops].sort((a, b) => OP_ORDER.indexOf(a[0]) - OP_ORDER.indexOf(b[0])).map(([op, s]) => ({ op, ...figures(s) })),
      queue_depth: d.known
        ? {
            mean: spanMs > 0 ? Math.round((d.queueMs / spanMs) * 1000) / 1000 : 0,
            max: Math.max(0, ...d.samples.map((s) => s.depth)),
            busy_pct: spanMs > 0 ? Math.min(100, Math.round((d.busyMs / spanMs) * 1000) / 10) : 0,
            samples: d.samples
          }
        : null,
      // as the recording says; anything else (a damaged file) is not known
      attributed_at: ebpf.diskSubmitter === 'submit' || ebpf.diskSubmitter === 'issue' ? ebpf.diskSubmitter : null,
      processes: [...d.pids]
        .map(([pid, s]) => ({ pid, comm: store.processes.get(pid)?.comm ?? '', ...figures(s) }))
        .sort((a, b) => b.requests - a.requests || a.pid - b.pid),
      unattributed: figures(d.none)
    })
  }
  return rows.sort((a, b) => b.requests - a.requests || a.device.localeCompare(b.device))
}

/** The disk pane's figures for a range, or why there are none. */
export function diskRows(store: SessionStore, range: TimeRange): DiskRows {
  const devices = diskSummary(store, range)
  const unavailable = devices !== null ? null : notRecorded(store.header.ebpf, 'disk latency')
  return { sessionId: store.id, from_ms: range.fromMs, to_ms: range.toMs, unavailable, devices: devices ?? [] }
}
