// The rows of the files and network sections of a summary (syscope record --detail): the JSON
// summary and the renderer's Files and Network tables (SyscopeApi.detail) share them.
import { formatProcessName } from './format'

/**
 * One process's use of one file (syscope record --detail): calls and bytes are exact, from the
 * syscalls on its fds; time_ns is the wall time in those calls (opens, reads, writes, a
 * directory's listings), null where it was not measured (--counts-only). Calls on a name that
 * return no file (a failed open, stat, unlink, rename, mkdir) are kept by the name as given,
 * made absolute against the directory it was relative to; they join the row of that path, or
 * make one of their own (kind `other`, opens 0).
 * errnos: the last errno of each (name, call) with how often such calls failed; open_errnos: the
 * same of the failed opens alone (a readlink's EINVAL on a file that is not a link is not one).
 */
export interface FileSummaryRow {
  pid: number
  /** absolute path; pipe:[ino], socket:[ino], anon_inode:[name]; null if the name was not kept */
  path: string | null
  kind: 'file' | 'dir' | 'pipe' | 'socket' | 'device' | 'anon' | 'other'
  opens: number
  open_errors: number
  reads: number
  read_bytes: number
  writes: number
  write_bytes: number
  /** reads and writes that failed */
  io_errors: number
  /** null: not measured (recorded with --counts-only, which reads no clock) */
  time_ns: number | null
  /** calls on its name that return no file (by the name as given, made absolute): stat, lstat,
   * statx, access, readlink; unlink and rmdir; rename from and to this name; mkdir */
  stats: number
  unlinks: number
  renames_from: number
  renames_to: number
  mkdirs: number
  /** of those, the ones that failed (their errno in errnos) */
  name_errors: number
  errnos: Record<string, number>
  /** open_errors by errno */
  open_errnos: Record<string, number>
  /** the session's time of the first and the last tick that saw it change (ms) */
  first_ms: number | null
  last_ms: number | null
  /** it was open in the process when syscope attached to it (all its figures may be 0) */
  held: boolean
}

/** The figures of a file's use with nothing done yet: every figure 0, no errno (timed: false,
 * no time measured). */
function noFigures(timed: boolean): Omit<FileSummaryRow, 'pid' | 'path' | 'kind' | 'first_ms' | 'last_ms' | 'held'> {
  return {
    opens: 0,
    open_errors: 0,
    reads: 0,
    read_bytes: 0,
    writes: 0,
    write_bytes: 0,
    io_errors: 0,
    time_ns: timed ? 0 : null,
    stats: 0,
    unlinks: 0,
    renames_from: 0,
    renames_to: 0,
    mkdirs: 0,
    name_errors: 0,
    errnos: {},
    open_errnos: {}
  }
}

/** A process's use of a file with nothing done yet: every figure 0, no errno, no time seen
 * (timed: false, none measured). */
export function emptyFileRow(pid: number, path: string | null, kind: FileSummaryRow['kind'], timed = true): FileSummaryRow {
  return { pid, path, kind, ...noFigures(timed), first_ms: null, last_ms: null, held: false }
}

/** One file's use over every process that used it (filesByPath): the rows' figures summed. */
export interface FileByPath extends Omit<FileSummaryRow, 'pid' | 'held'> {
  /** the processes that used it (in the rows' order), and those that wrote to it and read from it */
  pids: number[]
  writers: number[]
  readers: number[]
  /** every row of it was held open at the attach */
  held: boolean
}

const SUMMED = [
  'opens',
  'open_errors',
  'reads',
  'read_bytes',
  'writes',
  'write_bytes',
  'io_errors',
  'stats',
  'unlinks',
  'renames_from',
  'renames_to',
  'mkdirs',
  'name_errors'
] as const

/**
 * The rows by path, whoever used it: "which files did the tree use" (the summary's text, the
 * Files table's "one row per file"). A pipe's writers and readers are its ends. A row whose name
 * was not kept stays its own.
 */
export function filesByPath(rows: readonly FileSummaryRow[]): FileByPath[] {
  const by = new Map<string, FileByPath>()
  rows.forEach((r, i) => {
    const key = r.path === null ? `#${i}` : r.path
    let f = by.get(key)
    if (!f) {
      // (built whole: a copy of a row without its pid, by rest and spread, made every row of a
      // 54,000-file tar ~10 µs slower to sum)
      f = {
        path: r.path,
        kind: r.kind,
        ...noFigures(r.time_ns !== null),
        first_ms: r.first_ms,
        last_ms: r.last_ms,
        held: r.held,
        pids: [],
        writers: [],
        readers: []
      }
      by.set(key, f)
    }
    // a name only failed to open or stat-ed is `other`: a process that opened it says what it is
    if (f.kind === 'other') f.kind = r.kind
    for (const k of SUMMED) f[k] += r[k]
    f.time_ns = f.time_ns === null || r.time_ns === null ? null : f.time_ns + r.time_ns
    for (const [e, n] of Object.entries(r.errnos)) f.errnos[e] = (f.errnos[e] ?? 0) + n
    for (const [e, n] of Object.entries(r.open_errnos)) f.open_errnos[e] = (f.open_errnos[e] ?? 0) + n
    f.first_ms = r.first_ms === null ? f.first_ms : f.first_ms === null ? r.first_ms : Math.min(f.first_ms, r.first_ms)
    f.last_ms = r.last_ms === null ? f.last_ms : f.last_ms === null ? r.last_ms : Math.max(f.last_ms, r.last_ms)
    f.held &&= r.held
    if (!f.pids.includes(r.pid)) f.pids.push(r.pid)
    if (r.write_bytes > 0) f.writers.push(r.pid)
    if (r.read_bytes > 0) f.readers.push(r.pid)
  })
  return [...by.values()]
}

/** "gzip → wc": a pipe's writers and readers by name, two at most each ("" if it moved nothing) */
export function pipeEnds(f: Pick<FileByPath, 'writers' | 'readers'>, comm: (pid: number) => string): string {
  const names = (pids: readonly number[]): string => {
    const n = [...new Set(pids.map((p) => formatProcessName(p, comm(p))))]
    return n.length ? `${n.slice(0, 2).join(', ')}${n.length > 2 ? ' and others' : ''}` : '?'
  }
  return f.writers.length || f.readers.length ? `${names(f.writers)} → ${names(f.readers)}` : ''
}

/**
 * One process's socket with one peer (syscope record --detail). A connected socket has one row;
 * an unconnected datagram socket one per address it sent to or received from; a listening
 * socket one, without a remote. Calls and bytes are exact, from the syscalls on its fds.
 */
export interface NetworkSummaryRow {
  pid: number
  proto: 'tcp' | 'udp' | 'unix' | 'other'
  /** ipv4, ipv6, unix, netlink, packet, other */
  family: string
  /** stream, dgram, seqpacket, raw, other */
  sock_type: string
  /** `127.0.0.1:8080`, `[::1]:8080`, a socket path, `@abstract`; null: none (unbound, unnamed) */
  local: string | null
  remote: string | null
  /** out: it connected, or sent first; in: accepted, or received first; listen */
  direction: 'out' | 'in' | 'listen' | null
  /** TCP: the last state seen (established, close, ...); null for other protocols */
  state: string | null
  /** connect() calls that started an attempt, and of them those that failed (also after EINPROGRESS) */
  connects: number
  connect_errors: number
  /** the last failed connect's errno (EINPROGRESS: closed before it completed) */
  errno: string | null
  /** TCP: the error the connection ended with (ECONNRESET: reset by the peer; ETIMEDOUT) */
  close_error: string | null
  /** a listening socket: connections accepted */
  accepts: number
  sends: number
  bytes_sent: number
  recvs: number
  bytes_received: number
  /** session ms: first seen (socket(), accept()), TCP established (null: not seen), its last fd
   * closed or TCP closed (null: still open, or closed by the process's exit) */
  opened_ms: number | null
  established_ms: number | null
  closed_ms: number | null
  /** the socket as the files section names it */
  socket: string
  /** it was open in the process when syscope attached to it: its ends and state from
   * /proc/PID/net then (for TCP, `direction` in when a listener holds its local port, else out) */
  held: boolean
}

/** What a session's files and sockets did in a time range (null: not watched). */
export interface DetailRows {
  sessionId: string
  from_ms: number
  to_ms: number
  /** null: files were not watched (recorded without --detail) */
  files: FileSummaryRow[] | null
  /** null: the network was not watched (without --detail, or a recording from before it was) */
  network: NetworkSummaryRow[] | null
  /** the busiest files and peers of the range over time */
  rates: DetailRates
}

/** the files, and the peers, a range's rate charts show at most */
export const RATE_SERIES = 6
/** the buckets a range is cut into, at most (none shorter than the session's tick) */
export const RATE_BUCKETS = 150

/** One process's file, or one socket's peer, over a range: its bytes per second, bucket by
 * bucket, on the timeline's axis. */
export interface RateSeries {
  pid: number
  /** its process's name ('' where never read) */
  comm: string
  /** the file's path, or the peer's address (the socket's own when it has no peer) */
  label: string
  /** its bytes in the range: read and written, or sent and received */
  bytes: number
  /** bytes per second of each bucket, the first from from_ms, bucket_ms apart (the last may be
   * shorter: it ends at to_ms) */
  rates: number[]
}

/** The range's busiest files and peers (by bytes, at most RATE_SERIES each; null: not watched). */
export interface DetailRates {
  /** the range charted: the one asked for, ending with the session */
  from_ms: number
  to_ms: number
  /** the process whose files and peers these are (null: every process's) */
  pid: number | null
  bucket_ms: number
  files: RateSeries[] | null
  peers: RateSeries[] | null
}

/** One file of two recordings, by path over all their processes (a compare's Files table). */
export interface FileChange {
  path: string
  /** new: only in B; gone: only in A */
  status: 'new' | 'gone' | 'both'
  a_bytes: number
  b_bytes: number
  a_open_errors: number
  b_open_errors: number
}

/** One remote address of two recordings, over all their sockets (a compare's Peers table). */
export interface PeerChange {
  proto: string
  remote: string
  /** a peer that came in: the local address it came to (NetworkPeerSummary.local) */
  local: string | null
  status: 'new' | 'gone' | 'both'
  a_bytes: number
  b_bytes: number
  a_connect_errors: number
  b_connect_errors: number
}
