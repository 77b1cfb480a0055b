// The busiest files and peers of a time range as bytes per second over it: what the Files and
// Network panes chart on the timeline's axis above their tables. Read from each record's change
// log (a file's or a peer's cumulative figures as they changed, tick by tick), so a bucket's
// bytes are exactly what grew in it, to the tick.
import type { SessionStore } from '../store/store'
import type { ChangeLog } from '../store/change-log'
import { RATE_BUCKETS, RATE_SERIES, type DetailRates, type RateSeries } from '../../shared/detail'
import { FILE_COLUMNS, PEER_COLUMNS } from '../types/recording-format'
import { filePath, type TimeRange } from './files'
import { networkWatched, peerOf, peerRemote } from './network'

const FILE_BYTES = [FILE_COLUMNS.indexOf('read_bytes'), FILE_COLUMNS.indexOf('write_bytes')]
const PEER_BYTES = [PEER_COLUMNS.indexOf('bytes_sent'), PEER_COLUMNS.indexOf('bytes_received')]

interface Candidate {
  pid: number
  label: string
  /** one record's log; for a path, each file that was at it (files.ts: one row per path) */
  logs: ChangeLog[]
  bytes: number
}

const bytesOf = (v: readonly number[] | null, cols: readonly number[]): number => (v ? cols.reduce((n, c) => n + v[c]!, 0) : 0)

/** The candidates with the most bytes in the range, at most RATE_SERIES, as series. */
function series(store: SessionStore, found: Candidate[], cols: readonly number[], range: TimeRange, bucketMs: number, buckets: number): RateSeries[] {
  return found
    .filter((c) => c.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes || a.pid - b.pid || a.label.localeCompare(b.label))
    .slice(0, RATE_SERIES)
    .map((c) => {
      const rates: number[] = []
      const sum = (value: (log: ChangeLog) => readonly number[] | null): number => c.logs.reduce((n, log) => n + bytesOf(value(log), cols), 0)
      let before = sum((log) => log.valueBefore(range.fromMs))
      // a record at t is the tick that ends at t: bucket i holds (t0, t1], the first also a
      // change at from itself (as a range's figures do), so the buckets add up to the range's
      for (let i = 0; i < buckets; i++) {
        const t0 = range.fromMs + i * bucketMs
        const t1 = Math.min(range.toMs, t0 + bucketMs)
        const at = sum((log) => log.valueAt(t1))
        rates.push(((at - before) * 1000) / Math.max(t1 - t0, 1e-9))
        before = at
      }
      return { pid: c.pid, comm: store.processes.get(c.pid)?.comm ?? '', label: c.label, bytes: c.bytes, rates }
    })
}

/** The range's busiest files and peers over time (of process `pid` only, unless null); null parts
 * where they were not watched. */
export function detailRates(store: SessionStore, asked: TimeRange, pid: number | null = null): DetailRates {
  // a range asked "to the end" (or past it) ends with the session
  const range = { fromMs: Math.max(0, asked.fromMs), toMs: Math.min(asked.toMs, store.durationMs()) }
  const span = Math.max(range.toMs - range.fromMs, 0)
  // buckets no shorter than a tick: a file's figures change once a tick at most
  const bucketMs = Math.max(store.header.interval_ms, span / RATE_BUCKETS, 1)
  const buckets = Math.max(1, Math.ceil(span / bucketMs))
  const grown = (log: ChangeLog, cols: readonly number[]): number => bytesOf(log.within(range.fromMs, range.toMs)?.delta ?? null, cols)
  const out: DetailRates = { from_ms: range.fromMs, to_ms: range.toMs, pid, bucket_ms: bucketMs, files: null, peers: null }
  const mine = (p: number): boolean => pid === null || p === pid
  if (store.header.detail !== true) return out
  // with the network watched, sockets are its chart's (by peer), not the files'
  const network = networkWatched(store)
  const files = new Map<string, Candidate>()
  for (const [key, u] of store.fileUses) {
    const log = store.changes.get(`f ${key}`)
    if (!log || !mine(u.pid) || (network && u.kind === 'socket')) continue
    const path = filePath(u.kind, u.file, store.fileNames.get(u.file))
    if (path === null) continue
    const c = files.get(`${u.pid} ${path}`)
    if (c) {
      c.logs.push(log)
      c.bytes += grown(log, FILE_BYTES)
    } else files.set(`${u.pid} ${path}`, { pid: u.pid, label: path, logs: [log], bytes: grown(log, FILE_BYTES) })
  }
  out.files = series(store, [...files.values()], FILE_BYTES, range, bucketMs, buckets)
  if (network) {
    // per process and peer as the summary rolls them up: a server's clients from one host, one line
    const peers = new Map<string, Candidate>()
    for (const [key, p] of store.peers) {
      const log = store.changes.get(`pr ${key}`)
      if (!log || !mine(p.pid)) continue
      const sock = store.sockets.get(`${p.pid} ${p.file}`)
      const remote = sock ? peerRemote({ ...sock, remote: p.remote }) : null
      const peer = remote !== null && sock ? peerOf(sock, remote) : null
      const label = peer?.label ?? p.remote ?? sock?.local ?? `socket ${p.file}`
      const id = `${p.pid} ${peer?.key ?? `socket ${p.file} ${p.peer}`}`
      const c = peers.get(id)
      if (c) {
        c.logs.push(log)
        c.bytes += grown(log, PEER_BYTES)
      } else peers.set(id, { pid: p.pid, label, logs: [log], bytes: grown(log, PEER_BYTES) })
    }
    out.peers = series(store, [...peers.values()], PEER_BYTES, range, bucketMs, buckets)
  }
  return out
}
