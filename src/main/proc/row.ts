// One process's row in a sample table: both readers fill a Float64Array with ROW_SIZE values per
// process, so a tick makes no object or string per process before the sampler's own output.
// native/src/procread.h (enum proc_field) mirrors this; the addon exports its names and
// native.ts refuses an addon whose layout differs.
//
// A value is >= 0, -1 when it could not be read (unavailable: null), or NaN when it was not
// asked for this tick (the sampler carries the last value).

export const ROW_FIELDS = [
  'ok', // 1 read; 0 gone (exited, reaped, or never this process); 2 not read (no fds left)
  'state', // char code of stat's state letter
  'comm_changed', // 1 when stat's comm differs from the last read (exec, prctl)
  'ppid',
  'starttime', // clock ticks after boot
  'utime', // clock ticks, whole process
  'stime',
  'threads',
  'minflt',
  'majflt',
  'rss', // bytes (stat)
  'hwm', // bytes (status VmHWM)
  'swap', // bytes (status VmSwap)
  'vcsw', // status: the main thread's context switches
  'ivcsw',
  'rchar', // io
  'wchar',
  'read_bytes',
  'write_bytes',
  'pss', // bytes (smaps_rollup)
  'pss_ms', // how long reading smaps_rollup took (ms): it grows with the process's memory
  'fds',
  'cutime', // clock ticks of reaped children (and theirs): the tree keeps them when they go
  'cstime',
  'idle' // not run since the last read (READ_SKIP_IDLE): 1 stat's and io's last values given again, 2 read all the same; 0 may have run
] as const

export const ROW_SIZE = ROW_FIELDS.length

export const F_OK = 0
export const F_STATE = 1
export const F_COMM_CHANGED = 2
export const F_PPID = 3
export const F_STARTTIME = 4
export const F_UTIME = 5
export const F_STIME = 6
export const F_THREADS = 7
export const F_MINFLT = 8
export const F_MAJFLT = 9
export const F_RSS = 10
export const F_HWM = 11
export const F_SWAP = 12
export const F_VCSW = 13
export const F_IVCSW = 14
export const F_RCHAR = 15
export const F_WCHAR = 16
export const F_READ_BYTES = 17
export const F_WRITE_BYTES = 18
export const F_PSS = 19
export const F_PSS_MS = 20
export const F_FDS = 21
export const F_CUTIME = 22
export const F_CSTIME = 23
export const F_IDLE = 24

/** What to read besides stat (always read): bit values shared with the N-API reader. */
export const READ_STATUS = 0x1
export const READ_IO = 0x2
export const READ_SMAPS = 0x4
export const READ_FDS = 0x8
export const READ_ALL = 0xf
/**
 * Give a single-threaded process's last stat and io values again, without reading them, when its
 * schedstat shows it has not run since (procread.h says why that is exact).
 */
export const READ_SKIP_IDLE = 0x10
/**
 * Leave status and the fd count unread (NaN) when they cannot have changed since they were last
 * read together: single-threaded, not run since (every sample's READ_SKIP_IDLE look said so), and
 * the same RSS in the stat read now (procread.h says why that is enough, and what it misses).
 */
export const READ_SKIP_UNCHANGED = 0x20

/** A /proc reader: per-process handles held open between ticks, one call per tick for all. */
export interface ProcReader {
  /** a handle on pid's /proc files, or null when it is gone; throws on other errors (EACCES) */
  open(pid: number): number | null
  /** row i of rows (ROW_SIZE values) is process handles[i], read as what[i] (READ_* bits) asks */
  sample(handles: Int32Array, what: Uint8Array, count: number, rows: Float64Array): void
  /** the comm that the handle's last read of stat gave */
  comm(handle: number): string | null
  close(handle: number): void
  /** every pid /proc lists */
  pids(): ArrayLike<number>
  /** pid's parent, or -1 when it is gone */
  parentOf(pid: number): number
}
