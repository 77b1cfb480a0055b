// The recording file: gzip of newline-delimited JSON. Line 1 is the header; every later line is
// one record. The gzip stream is sync-flushed after every tick, so a killed app leaves a file
// that decodes up to its last complete tick (at most one interval is lost). When the session
// ends, a digest follows the ticks as two more gzip members (digest.ts; format version 2).
import type { CategoryId, EbpfStatus, SessionEvent, TreeFigures } from '../../shared/contract'

export const RECORDING_FORMAT = 'syscope-recording'
// 3: files (`fn`, `f`, `fo` records, header.detail); a version 2 file has none, and says so
// 4: network (`sk`, `pr` records) and calls on names (`nm`: stat, unlink, rename, mkdir); a
// version 3 file has none, and says so
// 5: latency (`l`), failed calls by errno (`x`), the slowest calls (`sl`), every thread's wall
// time (`th`), disk requests (`dk`), header.ebpf.timing/threads/disk; a version 4 file has none
// of them, and says so
export const RECORDING_VERSION = 5
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
  /** files were watched (the helper's --detail), and from version 4 on, the network too; absent:
   * a recording from before they could be */
  detail?: boolean
}

/** what a file is, from its inode */
export type FileKind = 'file' | 'dir' | 'pipe' | 'socket' | 'device' | 'anon' | 'other'
export const FILE_KINDS: readonly FileKind[] = ['file', 'dir', 'pipe', 'socket', 'device', 'anon', 'other']
/** The inode number of a file as the kernel side names it: `DEV:INO`, or `DEV:INO:N` for the Nth
 * file or name met after the first at that number (a deleted file's number reused, a rename). */
export const inodeOf = (file: string): string => file.split(':')[1] ?? ''

/** Order of the figures in an `f` record, all cumulative since the process was tracked. */
export const FILE_COLUMNS = ['opens', 'reads', 'read_bytes', 'writes', 'write_bytes', 'io_errors', 'time_ns'] as const

/** what a call on a name did (an `nm` record's op) */
export const NAME_OPS = ['stat', 'unlink', 'rename_from', 'rename_to', 'mkdir', 'other'] as const

/** what a socket is and which way it went (the helper's `socket` message) */
export type NetProto = 'tcp' | 'udp' | 'unix' | 'other'
export const NET_PROTOS: readonly NetProto[] = ['tcp', 'udp', 'unix', 'other']
export type NetDirection = 'out' | 'in' | 'listen'
export const NET_DIRECTIONS: readonly NetDirection[] = ['out', 'in', 'listen']
/** Order of the figures in an `sk` record, cumulative since the socket was first seen. */
export const SOCKET_COLUMNS = ['connects', 'connect_errors', 'accepts'] as const
/** Order of the figures in a `pr` record, cumulative since the first call with that peer. */
export const PEER_COLUMNS = ['sends', 'bytes_sent', 'recvs', 'bytes_received'] as const

/** A socket as an `sk` record holds it; times in the session's ms, null when not seen. */
export interface SocketRecord {
  pid: number
  /** device:inode, as the process's `f` records name the same socket */
  file: string
  proto: NetProto
  family: string
  sock_type: string
  direction: NetDirection | null
  /** TCP: the last state seen */
  state: string | null
  local: string | null
  remote: string | null
  opened: number | null
  established: number | null
  closed: number | null
  /** SOCKET_COLUMNS */
  v: number[]
  /** the last failed connect's */
  errno: number | null
  /** TCP: the error an established connection ended with */
  close_errno: number | null
  /** a socket the process had open when it was attached to (read from /proc/PID/net then) */
  held?: true
}

/** A socket's traffic with one remote address, as a `pr` record holds it. */
export interface PeerRecord {
  pid: number
  file: string
  /** which of the socket's peers (an id the helper gives) */
  peer: string
  remote: string | null
  /** session ms of the first and the last call with it */
  first: number
  last: number
  /** PEER_COLUMNS */
  v: number[]
}

/** One of the session's slowest calls, as an `sl` record holds it. */
export interface SlowCallRecord {
  /** session ms when it returned */
  t_ms: number
  pid: number
  tid: number
  nr: number
  dur_ns: number
  ret: number
  /** its first argument: an fd, a futex's address, a pid...; for poll and select (fds set), the
   * fd named as what it waited on instead */
  arg0: number
  /** poll and select: how many fds it waited on (select: ready ones when it returned ready),
   * arg0 being one of them; absent for other calls (and in older recordings) */
  fds?: number
  /** its fd's file (device:inode), when its first argument was an open fd */
  file: string | null
  /** what that fd was, as /proc/PID/fd showed it: a path, socket:[ino], pipe:[ino] */
  target: string | null
  /** and as the kernel side saw it at the return: its kind and its own name (no directories),
   * for a call whose fd was closed before /proc could be read (absent in older recordings) */
  kind?: FileKind
  leaf?: string
}

/** One thread's wall time in a tick, as a `th` record holds it: ns on the kernel's clock. */
export interface ThreadTimeRecord {
  tid: number
  /** its name, when it changed (and in its first record) */
  comm?: string
  /** session ns when it was first seen (its first record) and when it exited (its last) */
  first_ns?: number
  end_ns?: number
  /** on a CPU, runnable after a wakeup, runnable after being preempted */
  cpu: number
  rq: number
  pre: number
  /** of cpu, inside a syscall (recordings of the timed mode; absent: not known) */
  sys?: number
  /** blocked: [nr, interruptible ns, uninterruptible ns]; nr a syscall, or below 0 THREAD_WHY */
  by: [number, number, number][]
}

/** A block device's requests and queue in one tick (deltas: a range's figures are the sum of
 * its ticks'), as a `dk` record holds it. */
export interface DiskRecord {
  /** "MAJ:MIN" */
  dev: string
  /** its DEVNAME */
  device: string
  interval_ms: number
  /** /proc/diskstats over the tick: requests completed, ms busy, weighted ms in queue (null:
   * not known) */
  ios: number | null
  busy_ms: number | null
  queue_ms: number | null
  /** [op, pid (0: no tracked process), requests, bytes, time_ns, latency [bucket, count, ...],
   * size [bucket, count, ...]] */
  rows: [string, number, number, number, number, number[], number[]][]
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
  /** a file's path (device:inode `file`), its components from the leaf up; whole: not cut short */
  | { k: 'fn'; file: string; parts: string[]; whole: boolean }
  /** a process's use of a file up to t, cumulative (FILE_COLUMNS) */
  | { k: 'f'; t: number; pid: number; file: string; kind: FileKind; v: number[]; held?: true }
  /** a name a process failed to open up to t: as given, relative to `base` (a file) when not absolute */
  | { k: 'fo'; t: number; pid: number; base: string | null; name: string; errno: number; count: number }
  /** a process's calls on a name that returned no file, up to t: stat, unlink, rename, mkdir (NAME_OPS) */
  | { k: 'nm'; t: number; pid: number; op: string; base: string | null; name: string; count: number; errors: number; errno: number | null }
  /** a process's socket up to t, cumulative */
  | ({ k: 'sk'; t: number } & SocketRecord)
  /** a socket's traffic with one peer up to t, cumulative */
  | ({ k: 'pr'; t: number } & PeerRecord)
  /** a process's call durations in the tick that ends at t: [nr, min_ns, max_ns, [bucket,
   * count, ...]], the extremes since it was tracked, the log2 buckets' (src/shared/histogram.ts)
   * counts new in this tick */
  | { k: 'l'; t: number; pid: number; sys: [number, number, number, number[]][] }
  /** a process's failed calls by syscall and errno up to t, cumulative: [nr, errno, count] */
  | { k: 'x'; t: number; pid: number; e: [number, number, number][] }
  /** calls that joined the session's slowest by t */
  | { k: 'sl'; t: number; calls: SlowCallRecord[] }
  /** a process's threads' wall time in the tick that ends at t (deltas), for the threads whose
   * time moved; absent from recordings without header.ebpf.threads */
  | { k: 'th'; t: number; pid: number; th: ThreadTimeRecord[] }
  /** a block device's requests and queue in the tick that ends at t */
  | ({ k: 'dk'; t: number } & DiskRecord)

export type { CategoryId }
