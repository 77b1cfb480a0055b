// What the sampler makes of a process's /proc files. null = could not be read (permission, or
// not provided by this kernel): unavailable, never 0.

export interface ProcessSample {
  pid: number
  ppid: number
  comm: string
  state: string
  cpu_user_pct: number | null
  cpu_system_pct: number | null
  /** cumulative user+system CPU since the process started */
  cpu_seconds: number | null
  rss_bytes: number | null
  pss_bytes: number | null
  swap_bytes: number | null
  hwm_bytes: number | null
  threads: number | null
  fds: number | null
  /** logical I/O (rchar/wchar: everything read()/written, pipes and page cache included) */
  rchar_bytes: number | null
  wchar_bytes: number | null
  read_bytes_per_s: number | null
  write_bytes_per_s: number | null
  /** block-level I/O the process caused (read_bytes/write_bytes of /proc/<pid>/io) */
  read_bytes: number | null
  write_bytes: number | null
  /** the main thread's context switches: /proc/<pid>/status counts no other thread's */
  vol_ctxsw: number | null
  invol_ctxsw: number | null
  minflt: number | null
  majflt: number | null
}

export interface ProcessDescription {
  pid: number
  ppid: number
  comm: string
  cmdline: string[]
  uid: number | null
  start_ms: number | null
}
