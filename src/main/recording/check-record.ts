// The shape of a recording's header and records, checked as they are read: a record of the
// right kind with a field of the wrong type would otherwise reach the store and fail there, as
// a raw TypeError that aborts the whole load. A record that fails is skipped and counted.
import type { SessionEvent } from '../../shared/contract'
import {
  FILE_COLUMNS,
  FILE_KINDS,
  NAME_OPS,
  NET_DIRECTIONS,
  NET_PROTOS,
  PEER_COLUMNS,
  RECORDING_FORMAT,
  SOCKET_COLUMNS,
  type FileKind,
  type NetDirection,
  type NetProto,
  type RecordLine,
  type RecordingHeader
} from '../types/recording-format'
import { MAX_SYSCALL_NR } from '../types/limits'
import { HIST_BUCKETS } from '../../shared/histogram'
import { isDiskRow } from '../helper/protocol'

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
export const isFinite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
export const isNumOrNull = (v: unknown): boolean => v === null || isFinite(v)
export const isPid = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0
export const isString = (v: unknown): v is string => typeof v === 'string'
export const isStringOrNull = (v: unknown): boolean => v === null || isString(v)
export const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString)

/** milliseconds: what Date can show (±8.64e15), and never before 1970 for a recording's start */
const MAX_DATE_MS = 8.64e15

/** n figures, none negative */
const isCounts = (v: unknown, n: number): boolean => Array.isArray(v) && v.length === n && v.every((x) => isFinite(x) && x >= 0)

const USAGE_NUMBERS = ['user_seconds', 'system_seconds', 'minor_faults', 'major_faults', 'vol_ctxsw', 'invol_ctxsw']

function isExitUsage(u: unknown): boolean {
  return (
    isObject(u) &&
    USAGE_NUMBERS.every((f) => isFinite(u[f])) &&
    isNumOrNull(u.max_rss_bytes) &&
    (u.max_rss_at_most_bytes === undefined || isFinite(u.max_rss_at_most_bytes))
  )
}

export function isEvent(ev: unknown): ev is SessionEvent {
  if (!isObject(ev) || !isFinite(ev.t_ms)) return false
  switch (ev.kind) {
    case 'fork':
      return isPid(ev.pid) && isPid(ev.ppid)
    case 'exec':
      return isPid(ev.pid) && isString(ev.comm) && isString(ev.filename) && (ev.cmdline === undefined || isStringArray(ev.cmdline))
    case 'exit':
      return (
        isPid(ev.pid) &&
        isNumOrNull(ev.code) &&
        isNumOrNull(ev.signal) &&
        (ev.io === undefined || (Array.isArray(ev.io) && ev.io.every(isNumOrNull))) &&
        (ev.cpu_seconds === undefined || isFinite(ev.cpu_seconds)) &&
        (ev.usage === undefined || isExitUsage(ev.usage))
      )
    case 'notice':
      return (ev.level === 'info' || ev.level === 'warning' || ev.level === 'error') && isString(ev.message)
    default:
      return false
  }
}

function isSyscallDelta(d: unknown): boolean {
  return (
    Array.isArray(d) && d.length === 4 && Number.isInteger(d[0]) && d[0] >= 0 && d[0] < MAX_SYSCALL_NR && isFinite(d[1]) && isFinite(d[2]) && isFinite(d[3])
  )
}

const isNr = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) < MAX_SYSCALL_NR

/** [nr, min_ns, max_ns, [bucket, count, ...]] with buckets within the histogram */
function isLatency(d: unknown): boolean {
  if (!Array.isArray(d) || d.length !== 4 || !isNr(d[0]) || !isFinite(d[1]) || !isFinite(d[2]) || !Array.isArray(d[3])) return false
  const pairs = d[3] as unknown[]
  return (
    pairs.length % 2 === 0 && pairs.every((x, i) => (i % 2 ? isFinite(x) && x >= 0 : Number.isInteger(x) && (x as number) >= 0 && (x as number) < HIST_BUCKETS))
  )
}

const SLOW_NUMBERS = ['t_ms', 'pid', 'tid', 'nr', 'dur_ns', 'ret', 'arg0']
const isSlowCall = (c: unknown): boolean =>
  isObject(c) &&
  SLOW_NUMBERS.every((f) => isFinite(c[f])) &&
  isStringOrNull(c.file) &&
  isStringOrNull(c.target) &&
  (c.kind === undefined || FILE_KINDS.includes(c.kind as FileKind)) &&
  (c.leaf === undefined || isString(c.leaf)) &&
  (c.fds === undefined || (Number.isInteger(c.fds) && (c.fds as number) > 0))

const isThreadTime = (r: unknown): boolean =>
  isObject(r) &&
  isPid(r.tid) &&
  // a figure may go back (a correction: docs/threads.md), so any finite number
  ['cpu', 'rq', 'pre'].every((f) => isFinite(r[f])) &&
  (r.sys === undefined || isFinite(r.sys)) &&
  (r.comm === undefined || isString(r.comm)) &&
  (r.first_ns === undefined || isFinite(r.first_ns)) &&
  (r.end_ns === undefined || isFinite(r.end_ns)) &&
  Array.isArray(r.by) &&
  r.by.every((b) => Array.isArray(b) && b.length === 3 && Number.isInteger(b[0]) && isFinite(b[1]) && isFinite(b[2]))

/** `v` as a record, or null when it is not one syscope writes (a wrong kind, a field of the wrong type). */
export function checkRecord(v: unknown): RecordLine | null {
  if (!isObject(v)) return null
  switch (v.k) {
    case 's':
      // the tree's and rows' figures are read as numbers or unavailable, whatever they are
      return isFinite(v.t) && (v.tree === undefined || isObject(v.tree)) && Array.isArray(v.p) && v.p.every((row) => Array.isArray(row))
        ? (v as RecordLine)
        : null
    case 'c':
      return isFinite(v.t) && isPid(v.pid) && Array.isArray(v.sys) && v.sys.every(isSyscallDelta) ? (v as RecordLine) : null
    case 'p':
      return isPid(v.pid) && isPid(v.ppid) && isString(v.comm) && isStringArray(v.cmdline) && isNumOrNull(v.start_ms) && isNumOrNull(v.uid)
        ? (v as RecordLine)
        : null
    case 'e':
      return isEvent(v.ev) ? (v as RecordLine) : null
    case 'o':
      return isFinite(v.t) && (v.s === 'stdout' || v.s === 'stderr') && isString(v.d) ? (v as RecordLine) : null
    case 'end':
      return isFinite(v.t) && isNumOrNull(v.exit_code) && isStringOrNull(v.exit_signal) && isStringOrNull(v.message) ? (v as RecordLine) : null
    case 'fn':
      return isString(v.file) && isStringArray(v.parts) && typeof v.whole === 'boolean' ? (v as RecordLine) : null
    case 'f':
      return isFinite(v.t) &&
        isPid(v.pid) &&
        isString(v.file) &&
        FILE_KINDS.includes(v.kind as FileKind) &&
        isCounts(v.v, FILE_COLUMNS.length) &&
        (v.held === undefined || v.held === true)
        ? (v as RecordLine)
        : null
    case 'l':
      return isFinite(v.t) && isPid(v.pid) && Array.isArray(v.sys) && v.sys.every(isLatency) ? (v as RecordLine) : null
    case 'x':
      return isFinite(v.t) && isPid(v.pid) && Array.isArray(v.e) && v.e.every((r) => isCounts(r, 3) && isNr((r as number[])[0])) ? (v as RecordLine) : null
    case 'sl':
      return isFinite(v.t) && Array.isArray(v.calls) && v.calls.every(isSlowCall) ? (v as RecordLine) : null
    case 'th':
      return isFinite(v.t) && isPid(v.pid) && Array.isArray(v.th) && v.th.every(isThreadTime) ? (v as RecordLine) : null
    case 'dk':
      return isFinite(v.t) &&
        isString(v.dev) &&
        isString(v.device) &&
        isFinite(v.interval_ms) &&
        [v.ios, v.busy_ms, v.queue_ms].every((x) => x === null || isFinite(x)) &&
        Array.isArray(v.rows) &&
        v.rows.every(isDiskRow)
        ? (v as RecordLine)
        : null
    case 'fo':
      return isFinite(v.t) && isPid(v.pid) && isStringOrNull(v.base) && isString(v.name) && isFinite(v.errno) && isFinite(v.count) ? (v as RecordLine) : null
    case 'nm':
      return isFinite(v.t) &&
        isPid(v.pid) &&
        NAME_OPS.includes(v.op as (typeof NAME_OPS)[number]) &&
        isStringOrNull(v.base) &&
        isString(v.name) &&
        isFinite(v.count) &&
        isFinite(v.errors) &&
        isNumOrNull(v.errno)
        ? (v as RecordLine)
        : null
    case 'sk':
      return isFinite(v.t) &&
        isPid(v.pid) &&
        isString(v.file) &&
        NET_PROTOS.includes(v.proto as NetProto) &&
        isString(v.family) &&
        isString(v.sock_type) &&
        (v.direction === null || NET_DIRECTIONS.includes(v.direction as NetDirection)) &&
        isStringOrNull(v.state) &&
        isStringOrNull(v.local) &&
        isStringOrNull(v.remote) &&
        isNumOrNull(v.opened) &&
        isNumOrNull(v.established) &&
        isNumOrNull(v.closed) &&
        isNumOrNull(v.errno) &&
        isNumOrNull(v.close_errno) &&
        (v.held === undefined || v.held === true) &&
        isCounts(v.v, SOCKET_COLUMNS.length)
        ? (v as RecordLine)
        : null
    case 'pr':
      return isFinite(v.t) &&
        isPid(v.pid) &&
        isString(v.file) &&
        isString(v.peer) &&
        isStringOrNull(v.remote) &&
        isFinite(v.first) &&
        isFinite(v.last) &&
        isCounts(v.v, PEER_COLUMNS.length)
        ? (v as RecordLine)
        : null
    default:
      return null
  }
}

/** What is wrong with a header that says it is a syscope recording of a version this reads, or null. */
export function headerProblem(h: Record<string, unknown>): string | null {
  const field = (name: string, want: string): string => `its header's "${name}" is ${JSON.stringify(h[name]) ?? 'missing'}, not ${want}`
  if (!(isFinite(h.created_ms) && h.created_ms >= 0 && h.created_ms <= MAX_DATE_MS)) return field('created_ms', 'a time in ms since 1970')
  if (!(isFinite(h.interval_ms) && h.interval_ms > 0 && h.interval_ms <= 3_600_000)) return field('interval_ms', 'an interval in ms (0 to 1 hour)')
  if (h.arch !== 'x86_64' && h.arch !== 'aarch64') return field('arch', '"x86_64" or "aarch64"')
  if (!isPid(h.root_pid)) return field('root_pid', 'a pid')
  if (!isString(h.title)) return field('title', 'a string')
  if (h.kind !== 'launch' && h.kind !== 'attach') return field('kind', '"launch" or "attach"')
  if (!(h.argv === null || isStringArray(h.argv))) return field('argv', 'a list of strings or null')
  if (!isStringOrNull(h.cwd)) return field('cwd', 'a string or null')
  if (!isString(h.kernel)) return field('kernel', 'a string')
  const e = h.ebpf
  if (!(
    isObject(e) &&
    typeof e.ready === 'boolean' &&
    ['mode', 'helperPath', 'helperReason', 'problem', 'fix'].every((f) => e[f] === undefined || isStringOrNull(e[f]))
  )) {
    return field('ebpf', 'the eBPF status ({"ready":…})')
  }
  if (!isStringArray(h.process_columns)) return field('process_columns', 'a list of strings')
  if (!(h.detail === undefined || typeof h.detail === 'boolean')) return field('detail', 'true or false')
  return null
}

export function isHeaderOfFormat(v: unknown): v is Record<string, unknown> & { format: typeof RECORDING_FORMAT } {
  return isObject(v) && v.format === RECORDING_FORMAT
}

export type { RecordingHeader }
