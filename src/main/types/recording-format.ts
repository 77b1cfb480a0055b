// The recording file: gzip of newline-delimited JSON. Line 1 is the header; every later line is
// one record. The gzip stream is sync-flushed after every tick, so a killed app leaves a file
// that decodes up to its last complete tick (at most one interval is lost). When the session
// ends, a digest follows the ticks as two more gzip members (digest.ts; format version 2).
import type { CategoryId, EbpfStatus, SessionEvent, TreeFigures } from '../../shared/contract'

export const RECORDING_FORMAT = 'syscope-recording'
export const RECORDING_VERSION = 2
export const RECORDING_EXTENSION = '.syscope'

/** Order of the per-process values in a sample record (`s.p` rows start with the pid). */
export const PROCESS_COLUMNS = [
  'cpu_user_pct',
  'cpu_system_pct',
  'rss_bytes',
  'pss_bytes',
  'read_bytes_per_s',
  'write_bytes_per_s',
  'threads',
  'fds',
  'swap_bytes',
  // cumulative since tracking began, for per-process totals in summaries
  'cpu_seconds',
  'read_bytes',
  'write_bytes',
  'rchar_bytes',
  'wchar_bytes',
  'hwm_bytes',
  'vol_ctxsw',
  'invol_ctxsw',
  'minflt',
  'majflt'
] as const

export type ProcessColumn = (typeof PROCESS_COLUMNS)[number]

/** Where each column sits in a sample row (`[pid, ...PROCESS_COLUMNS]`). */
export const ROW_INDEX = Object.fromEntries(PROCESS_COLUMNS.map((c, i) => [c, i + 1])) as Record<ProcessColumn, number>

export interface RecordingHeader {
  format: typeof RECORDING_FORMAT
  version: number
  created_ms: number
  title: string
  kind: 'launch' | 'attach'
  argv: string[] | null
  cwd: string | null
  root_pid: number
  interval_ms: number
  arch: 'x86_64' | 'aarch64'
  kernel: string
  ebpf: EbpfStatus
  process_columns: string[]
}

/** Tree totals of one tick (the syscall side is derived from `c` records when loading). */
export interface TreeRecord extends TreeFigures {
  /** cumulative figures of the whole tree, exited processes included (block I/O: read_bytes,
   * write_bytes; logical I/O, page cache and pipes included: rchar_bytes, wchar_bytes) */
  cpu_seconds: number | null
  read_bytes: number | null
  write_bytes: number | null
  /** absent from recordings made before they were kept: read as unavailable */
  rchar_bytes?: number | null
  wchar_bytes?: number | null
}

export type RecordLine =
  /** one tick: /proc sample of every live process, tree totals, and whether syscalls were missing */
  | { k: 's'; t: number; tree: TreeRecord; p: (number | null)[][]; gap: boolean }
  /** syscall deltas of one process in the tick that ends at t: [nr, calls, errors, time_ns] */
  | { k: 'c'; t: number; pid: number; sys: [number, number, number, number][] }
  /** a process seen for the first time */
  | { k: 'p'; pid: number; ppid: number; comm: string; cmdline: string[]; start_ms: number | null; uid: number | null }
  | { k: 'e'; ev: SessionEvent }
  | { k: 'o'; t: number; s: 'stdout' | 'stderr'; d: string }
  | { k: 'end'; t: number; exit_code: number | null; exit_signal: string | null; message: string | null }

export type { CategoryId }
