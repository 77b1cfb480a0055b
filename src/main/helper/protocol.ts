// The helper's protocol on the TypeScript side, in one place (docs/protocol.md): the requests it
// accepts (HelperRequest, written by requestLine), the messages it sends (HelperMessage), parsed
// and checked — a line that is not a message we know becomes a protocol error value, never an
// exception — and the reader that cuts its byte stream into lines (messageLines). A new message
// of a new monitor gets its interface and its check here.

import type { Loss } from '../../shared/contract'
import { HIST_BUCKETS } from '../../shared/histogram'
import type { SlowCallRecord } from '../types/recording-format'
import { LINE_TOO_LONG, LineSplitter } from '../line-splitter'

export const PROTOCOL_VERSION = 1
export const MESSAGE_MAX = 65536

/**
 * The requests the helper accepts after `hello`, one line each: `VERB ID ARGS...`; it answers
 * each with `ok` or `error` carrying the same ID.
 */
export type HelperRequest =
  /** track pid now; descendants: also every process it forks from now on */
  | { verb: 'track'; pid: number; descendants: boolean }
  /** arm pid: counting starts at its next exec (and follows its descendants) */
  | { verb: 'launch'; pid: number }
  /** stop tracking pid; its final counts are sent */
  | { verb: 'untrack'; pid: number }
  /** the tick period, 10..60000 ms */
  | { verb: 'interval'; ms: number }
  /** a final tick, then the helper detaches everything and exits */
  | { verb: 'shutdown' }

/** The first line of a session: the protocol version the app speaks. */
export const helloLine = (): string => `hello ${PROTOCOL_VERSION}\n`

/** The line that sends request r with id. */
export function requestLine(id: number, r: HelperRequest): string {
  const args: number[] = []
  switch (r.verb) {
    case 'track':
      args.push(r.pid, r.descendants ? 1 : 0)
      break
    case 'launch':
      args.push(r.pid, 1)
      break
    case 'untrack':
      args.push(r.pid)
      break
    case 'interval':
      args.push(r.ms)
      break
    case 'shutdown':
      break
  }
  return `${[r.verb, id, ...args].join(' ')}\n`
}

export interface HelloMessage {
  type: 'hello'
  version: number
  helper: string
  build: string
  mode: 'tp_btf' | 'raw_tp' | 'tracepoint'
  kernel: string
  arch: string
  uid: number
  caps: string
  max_procs: number
  /** it sends `ran` messages each tick (not in tracepoint mode, nor from an older helper) */
  runs?: boolean
  /** it sends `file`, `file_name`, `open_failed`, `socket` and `peer` (started with --detail) */
  detail?: boolean
  /** --detail was asked for, but this kernel refused its programs: why (counting runs without it) */
  detail_error?: string
  /** its sockets carry TCP's state changes (established_ns; a connect's failure after EINPROGRESS): not in tracepoint mode */
  tcp_states?: boolean
  /** timed: counts with durations, `latency` and `slow` messages; counts: calls and failures (by errno) only, no clock (--counts-only). Absent: an older helper, timed */
  timing?: 'timed' | 'counts'
  /** the slowest calls it keeps (0: none) */
  slowest?: number
  /** it sends `threads` (every thread's wall time): not in tracepoint mode, nor from an older helper */
  threads?: boolean
  /** it sends `disk`: block requests timed per device (tp_btf and raw_tp; absent: an older helper, off) */
  disk?: boolean
  /** whose context names a request's submitter: submit (block_io_start, the caller of submit_bio) or issue (block_rq_issue, on kernels before 6.5) */
  disk_submitter?: 'submit' | 'issue'
}
export interface OkMessage {
  type: 'ok'
  id: number
  pid?: number
}
export interface ErrorMessage {
  type: 'error'
  id?: number
  code: string
  message: string
}
export interface CountsMessage {
  type: 'counts'
  seq: number
  pid: number
  final: boolean
  /** [nr, calls, errors, time_ns] deltas */
  sys: [number, number, number, number][]
}
export interface TickMessage {
  type: 'tick'
  seq: number
  t_ns: number
  /** the loss counters, cumulative, by kind (LOSS_KINDS; an older helper names fewer) */
  drops: Loss
}
/** tracked processes that may have run since the last tick: a thread of theirs was switched onto or off a CPU, or is on one */
export interface RanMessage {
  type: 'ran'
  seq: number
  pids: number[]
}
export interface ForkMessage {
  type: 'fork'
  t_ns: number
  pid: number
  ppid: number
  /** the name the child started with: the forking thread's (absent from an older helper) */
  comm?: string
}
export interface ExecMessage {
  type: 'exec'
  t_ns: number
  pid: number
  comm: string
  filename: string
  /** counting starts at this exec (an armed launcher): what the process had used before it */
  before?: ProcessFigures
}
/** A process's own figures as the kernel keeps them (see ExitMessage) */
export interface ProcessFigures {
  io?: [number, number, number | null, number | null]
  cpu_ns?: [number, number, number]
  maxrss_bytes?: number
  faults?: [number, number]
  ctxsw?: [number, number]
}
export interface ExitMessage extends ProcessFigures {
  type: 'exit'
  t_ns: number
  pid: number
  code: number
  signal: number
  // io: its final /proc/<pid>/io, [rchar, wchar, read_bytes, write_bytes] (null: not kept by
  // this kernel); cpu_ns: its own CPU time, [user, system, run time] (the first two
  // tick-sampled, the third exact); maxrss_bytes: the mm's high-water mark (the one before an
  // exec too, as wait4 gives it); faults: [minor, major]; ctxsw: [voluntary, involuntary]
}
export interface UntrackedMessage {
  type: 'untracked'
  t_ns: number
  pid: number
  reason: string
}

/** a process's use of one file (device and inode: `file`), cumulative since it was tracked */
export interface FileMessage {
  type: 'file'
  seq: number
  pid: number
  file: string
  kind: 'file' | 'dir' | 'pipe' | 'socket' | 'device' | 'anon' | 'other'
  opens: number
  reads: number
  read_bytes: number
  writes: number
  write_bytes: number
  io_errors: number
  time_ns: number
  /** the process is gone: these are its last figures for the file */
  final: boolean
  /** it was open in the process when it was attached to (sent then, with no figures yet) */
  held?: boolean
}
/** the path of a file, as components from the leaf up (a pseudo file's one name: "[eventfd]") */
export interface FileNameMessage {
  type: 'file_name'
  file: string
  parts: string[]
  /** false: deeper or longer than the kernel side walks; the top components are missing */
  whole: boolean
}
/** a name a process failed to open, as it gave it, and the directory it was relative to */
export interface OpenFailedMessage {
  type: 'open_failed'
  seq: number
  pid: number
  name: string
  base: string | null
  errno: number
  count: number
}

/** a process's calls on a name that return no file: stat, unlink, rename, mkdir (a failed open is open_failed) */
export interface NameOpMessage {
  type: 'name_op'
  seq: number
  pid: number
  op: NameOp
  name: string
  base: string | null
  count: number
  errors: number
  errno: number | null
}
export type NameOp = 'stat' | 'unlink' | 'rename_from' | 'rename_to' | 'mkdir' | 'other'

/** a process's socket (device and inode: `file`, as its `file` messages name it), cumulative since it was first seen */
export interface SocketMessage {
  type: 'socket'
  seq: number
  pid: number
  file: string
  proto: 'tcp' | 'udp' | 'unix' | 'other'
  family: 'ipv4' | 'ipv6' | 'unix' | 'netlink' | 'packet' | 'other'
  sock_type: 'stream' | 'dgram' | 'seqpacket' | 'raw' | 'other'
  /** out: it connected (or sent first); in: accepted (or received first); listen */
  direction: 'out' | 'in' | 'listen' | null
  /** TCP: the last state seen (the kernel's names, lower case) */
  state: string | null
  /** `127.0.0.1:8080`, `[::1]:8080`, a socket path, `@abstract`; null when none is known */
  local: string | null
  /** the peer it connected to (or tried to), or was accepted from */
  remote: string | null
  /** kernel monotonic clock, as t_ns */
  opened_ns: number | null
  established_ns: number | null
  closed_ns: number | null
  connects: number
  connect_errors: number
  /** the last failed connect's errno (115 EINPROGRESS: closed before it completed) */
  errno: number | null
  /** TCP: the error an established connection ended with (104 ECONNRESET: reset by the peer) */
  close_errno: number | null
  accepts: number
  final: boolean
}
/** a socket's traffic with one remote address (`peer`: its id within the socket) */
export interface PeerMessage {
  type: 'peer'
  seq: number
  pid: number
  file: string
  peer: string
  remote: string | null
  sends: number
  bytes_sent: number
  recvs: number
  bytes_received: number
  first_ns: number
  last_ns: number
  final: boolean
}

/** a process's call durations by syscall since its last `latency` (timed mode) */
export interface LatencyMessage {
  type: 'latency'
  seq: number
  pid: number
  final: boolean
  /** [nr, min_ns, max_ns, [bucket, count, bucket, count, ...]]: the extremes since it was tracked, the log2 buckets' (src/shared/histogram.ts) new counts */
  sys: [number, number, number, number[]][]
}
/** a process's failed calls of one syscall with one errno, cumulative since it was tracked */
export interface ErrnosMessage {
  type: 'errnos'
  seq: number
  pid: number
  /** [nr, errno, count] */
  e: [number, number, number][]
}
/** one of the session's slowest calls, as the helper saw it: as the recording keeps it
 * (SlowCallRecord), with when it returned on the kernel's clock, and no target (the app looks) */
export type SlowCall = Omit<SlowCallRecord, 't_ms' | 'target'> & { t_ns: number }
/** one thread's wall time since its last entry, ns (docs/protocol.md) */
export interface ThreadTimeEntry {
  tid: number
  /** its name, when it changed (and in its first entry) */
  comm?: string
  /** when it was first seen (kernel monotonic ns): in its first entry only */
  first_ns?: number
  /** when it exited (kernel monotonic ns): its last entry */
  end_ns?: number
  cpu: number
  /** runnable after a wakeup (or its creation) */
  rq: number
  /** runnable after being preempted */
  pre: number
  /** of cpu, inside a syscall (the timed mode only) */
  sys?: number
  /** blocked: [nr, interruptible ns, uninterruptible ns]; nr a syscall, or THREAD_WHY_* below 0 */
  by: [number, number, number][]
}
/** a process's threads whose time moved since their last `threads` */
export interface ThreadsMessage {
  type: 'threads'
  seq: number
  pid: number
  final: boolean
  t: ThreadTimeEntry[]
}
/** calls that joined the session's slowest since the last `slow` (timed mode) */
export interface SlowMessage {
  type: 'slow'
  calls: SlowCall[]
}

/** one (op, submitter)'s requests completed in the tick: [op, pid (0: no tracked process), requests, bytes, time_ns, latency [bucket, count, ...] (ns), size [bucket, count, ...] (bytes)] */
export type DiskRow = [string, number, number, number, number, number[], number[]]
/** a block device's requests and queue in one tick (a device with many submitters may take several messages, the queue figures in the first) */
export interface DiskMessage {
  type: 'disk'
  seq: number
  /** "MAJ:MIN" */
  dev: string
  /** its DEVNAME (/sys/dev/block/MAJ:MIN/uevent) */
  device: string
  interval_ns: number
  /** /proc/diskstats over the tick: requests completed, ms busy, weighted ms in queue (null: not read at both ends) */
  ios: number | null
  busy_ms: number | null
  queue_ms: number | null
  rows: DiskRow[]
}

export type HelperMessage =
  | HelloMessage
  | OkMessage
  | ErrorMessage
  | CountsMessage
  | TickMessage
  | RanMessage
  | ForkMessage
  | ExecMessage
  | ExitMessage
  | UntrackedMessage
  | FileMessage
  | FileNameMessage
  | OpenFailedMessage
  | NameOpMessage
  | SocketMessage
  | PeerMessage
  | LatencyMessage
  | ErrnosMessage
  | SlowMessage
  | ThreadsMessage
  | DiskMessage

const FILE_KINDS = new Set(['file', 'dir', 'pipe', 'socket', 'device', 'anon', 'other'])
const FILE_FIGURES = ['opens', 'reads', 'read_bytes', 'writes', 'write_bytes', 'io_errors', 'time_ns'] as const

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
/** absent, or two numbers */
const pair = (v: unknown): boolean => v === undefined || (Array.isArray(v) && v.length === 2 && v.every(isNum))
/** the optional fields of ProcessFigures, each absent or well formed */
function figures(m: Record<string, unknown>): boolean {
  const io = m.io
  const cpu = m.cpu_ns
  return (
    (io === undefined || (Array.isArray(io) && io.length === 4 && io.every((v, k) => isNum(v) || (k >= 2 && v === null)))) &&
    (cpu === undefined || (Array.isArray(cpu) && cpu.length === 3 && cpu.every(isNum))) &&
    (m.maxrss_bytes === undefined || isNum(m.maxrss_bytes)) &&
    pair(m.faults) &&
    pair(m.ctxsw)
  )
}
const isStr = (v: unknown): v is string => typeof v === 'string'
const strOrNull = (v: unknown): boolean => v === null || isStr(v)
const numOrNull = (v: unknown): boolean => v === null || isNum(v)
const SOCKET_FIGURES = ['connects', 'connect_errors', 'accepts'] as const
const PEER_FIGURES = ['sends', 'bytes_sent', 'recvs', 'bytes_received', 'first_ns', 'last_ns'] as const
const SLOW_FIGURES = ['t_ns', 'pid', 'tid', 'nr', 'dur_ns', 'ret', 'arg0'] as const

const DISK_OPS = new Set(['read', 'write', 'flush', 'discard', 'other'])
/** [bucket, count, ...] with buckets within the histogram */
export const isHistPairs = (v: unknown): boolean =>
  Array.isArray(v) && v.length % 2 === 0 && v.every((x, i) => isNum(x) && (i % 2 === 1 || (x >= 0 && x < HIST_BUCKETS && Number.isInteger(x))))
export const isDiskRow = (r: unknown): boolean =>
  Array.isArray(r) && r.length === 7 && DISK_OPS.has(r[0] as string) && [1, 2, 3, 4].every((i) => isNum(r[i])) && isHistPairs(r[5]) && isHistPairs(r[6])

export function parseMessage(line: string): HelperMessage | { type: 'invalid'; reason: string } {
  let m: Record<string, unknown>
  try {
    m = JSON.parse(line) as Record<string, unknown>
  } catch {
    return { type: 'invalid', reason: `not JSON: ${line.slice(0, 80)}` }
  }
  if (typeof m !== 'object' || m === null) return { type: 'invalid', reason: 'not an object' }
  const ok = (cond: boolean): HelperMessage | { type: 'invalid'; reason: string } =>
    cond ? (m as unknown as HelperMessage) : { type: 'invalid', reason: `malformed ${String(m.type)} message` }
  switch (m.type) {
    case 'hello':
      return ok(isNum(m.version) && isStr(m.mode) && isStr(m.build))
    case 'ok':
      return ok(isNum(m.id))
    case 'error':
      return ok(isStr(m.code) && isStr(m.message))
    case 'counts':
      return ok(isNum(m.pid) && Array.isArray(m.sys) && m.sys.every((r) => Array.isArray(r) && r.length === 4 && r.every(isNum)))
    case 'tick':
      return ok(isNum(m.seq) && typeof m.drops === 'object' && m.drops !== null && Object.values(m.drops).every(isNum))
    case 'ran':
      return ok(isNum(m.seq) && Array.isArray(m.pids) && m.pids.every(isNum))
    case 'fork':
      return ok(isNum(m.pid) && isNum(m.ppid) && (m.comm === undefined || isStr(m.comm)))
    case 'exec':
      return ok(
        isNum(m.pid) &&
          isStr(m.comm) &&
          isStr(m.filename) &&
          (m.before === undefined || (typeof m.before === 'object' && m.before !== null && figures(m.before as Record<string, unknown>)))
      )
    case 'exit':
      return ok(isNum(m.pid) && isNum(m.code) && isNum(m.signal) && figures(m))
    case 'untracked':
      return ok(isNum(m.pid) && isStr(m.reason))
    case 'file':
      return ok(isNum(m.seq) && isNum(m.pid) && isStr(m.file) && FILE_KINDS.has(m.kind as string) && FILE_FIGURES.every((f) => isNum(m[f])))
    case 'file_name':
      return ok(isStr(m.file) && Array.isArray(m.parts) && m.parts.every(isStr) && typeof m.whole === 'boolean')
    case 'open_failed':
      return ok(isNum(m.seq) && isNum(m.pid) && isStr(m.name) && (m.base === null || isStr(m.base)) && isNum(m.errno) && isNum(m.count))
    case 'name_op':
      return ok(isNum(m.seq) && isNum(m.pid) && isStr(m.op) && isStr(m.name) && strOrNull(m.base) && isNum(m.count) && isNum(m.errors) && numOrNull(m.errno))
    case 'socket':
      return ok(
        isNum(m.seq) &&
          isNum(m.pid) &&
          isStr(m.file) &&
          isStr(m.proto) &&
          isStr(m.family) &&
          isStr(m.sock_type) &&
          ['direction', 'state', 'local', 'remote'].every((f) => strOrNull(m[f])) &&
          ['opened_ns', 'established_ns', 'closed_ns', 'errno', 'close_errno'].every((f) => numOrNull(m[f])) &&
          SOCKET_FIGURES.every((f) => isNum(m[f]))
      )
    case 'peer':
      return ok(isNum(m.seq) && isNum(m.pid) && isStr(m.file) && isStr(m.peer) && strOrNull(m.remote) && PEER_FIGURES.every((f) => isNum(m[f])))
    case 'latency':
      return ok(
        isNum(m.pid) &&
          Array.isArray(m.sys) &&
          m.sys.every(
            (r) =>
              Array.isArray(r) &&
              r.length === 4 &&
              isNum(r[0]) &&
              isNum(r[1]) &&
              isNum(r[2]) &&
              Array.isArray(r[3]) &&
              r[3].length % 2 === 0 &&
              (r[3] as unknown[]).every((v, i) => isNum(v) && (i % 2 === 1 || (v >= 0 && v < HIST_BUCKETS && Number.isInteger(v))))
          )
      )
    case 'errnos':
      return ok(isNum(m.pid) && Array.isArray(m.e) && m.e.every((r) => Array.isArray(r) && r.length === 3 && r.every(isNum)))
    case 'threads':
      return ok(
        isNum(m.pid) &&
          Array.isArray(m.t) &&
          m.t.every(
            (e: Record<string, unknown>) =>
              typeof e === 'object' &&
              e !== null &&
              ['tid', 'cpu', 'rq', 'pre'].every((f) => isNum(e[f])) &&
              (e.sys === undefined || isNum(e.sys)) &&
              (e.comm === undefined || isStr(e.comm)) &&
              (e.first_ns === undefined || isNum(e.first_ns)) &&
              (e.end_ns === undefined || isNum(e.end_ns)) &&
              Array.isArray(e.by) &&
              e.by.every((r) => Array.isArray(r) && r.length === 3 && r.every(isNum))
          )
      )
    case 'slow':
      return ok(
        Array.isArray(m.calls) &&
          m.calls.every(
            (c: Record<string, unknown>) =>
              typeof c === 'object' &&
              c !== null &&
              SLOW_FIGURES.every((f) => isNum(c[f])) &&
              strOrNull(c.file) &&
              (c.kind === undefined || FILE_KINDS.has(c.kind as string)) &&
              (c.leaf === undefined || isStr(c.leaf)) &&
              (c.fds === undefined || (isNum(c.fds) && c.fds > 0))
          )
      )
    case 'disk':
      return ok(
        isStr(m.dev) &&
          isStr(m.device) &&
          isNum(m.interval_ns) &&
          numOrNull(m.ios) &&
          numOrNull(m.busy_ms) &&
          numOrNull(m.queue_ms) &&
          Array.isArray(m.rows) &&
          m.rows.every(isDiskRow)
      )
    default:
      return { type: 'invalid', reason: `unknown message type ${JSON.stringify(m.type)?.slice(0, 40)}` }
  }
}

/**
 * The reader of the helper's byte stream: calls onLine with each message line, and onOverflow
 * for each line over MESSAGE_MAX bytes (dropped, not decoded). Empty lines are skipped.
 */
export function messageLines(onLine: (line: string) => void, onOverflow: () => void): (chunk: Buffer) => void {
  const splitter = new LineSplitter(MESSAGE_MAX)
  return (chunk) => {
    for (const line of splitter.push(chunk)) {
      if (line === LINE_TOO_LONG) onOverflow()
      else onLine(line)
    }
  }
}
