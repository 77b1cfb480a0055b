// Syscall latency as the JSON summary and the renderer's latency pane show it: each syscall's
// durations (a log2 histogram, its exact extremes, quantiles read from it) and failures by
// errno, and the slowest calls with what they waited on (SyscopeApi.latency).

/** What a syscall's durations show (nulls where none are known: the counts-only mode, a
 * recording from before they were kept). */
export interface LatencyFields {
  hist: { le_ns: number | null; count: number }[] | null
  min_ns: number | null
  max_ns: number | null
  p50_ns: number | null
  p90_ns: number | null
  p99_ns: number | null
}

/** One of the slowest calls: `target` what it waited on, where known. */
export interface SlowCallSummary {
  t_ms: number
  pid: number
  tid: number
  comm: string
  syscall: string
  duration_ns: number
  ret: number
  errno: string | null
  target: string | null
}

/** One syscall's calls in a range, every process's together. */
export interface LatencyRow extends LatencyFields {
  name: string
  nr: number
  count: number
  errors: number
  time_ns: number | null
  /** failures by errno name, most first; null: not kept (a recording from before errnos) */
  errnos: Record<string, number> | null
}

/** The latency pane's figures for [from_ms, to_ms]. */
export interface LatencyRows {
  sessionId: string
  from_ms: number
  to_ms: number
  /** one process's figures; null: every process's */
  pid: number | null
  /** timed: durations known; counts: calls and errors only (--counts-only); null: no eBPF */
  mode: 'timed' | 'counts' | null
  syscalls: LatencyRow[]
  /** the slowest calls that returned in the range, longest first (null: not kept) */
  slowest: SlowCallSummary[] | null
}
