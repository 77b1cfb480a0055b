// Disk latency as the JSON summary and the renderer's disk pane show it: per block device,
// requests, bytes, latency (issue to completion) and size histograms, by op and by the process
// that submitted them, and the queue depth (SyscopeApi.disk).

/** Block requests of one kind, or of one submitter: counts, bytes and their latency (issue to
 * completion) and size histograms. */
export interface DiskFigures {
  requests: number
  bytes: number
  /** the requests' summed latency */
  time_ns: number
  mean_ns: number | null
  p50_ns: number | null
  p90_ns: number | null
  p99_ns: number | null
  /** log2 histogram of latencies, non-empty buckets (src/shared/histogram.ts) */
  hist: { le_ns: number | null; count: number }[]
  /** log2 histogram of request sizes */
  size_hist: { le_bytes: number | null; count: number }[]
  reads: number
  read_bytes: number
  writes: number
  write_bytes: number
}

/** One block device: every request of the machine on it (any user sees /proc/diskstats), with
 * the tracked processes' share attributed. */
export interface DiskSummaryRow extends DiskFigures {
  /** its DEVNAME (/sys/dev/block/MAJ:MIN/uevent) */
  device: string
  /** "MAJ:MIN" */
  dev: string
  /** by op: read, write, flush, discard, other (those seen) */
  by_op: ({ op: string } & DiskFigures)[]
  /** the mean number of requests in flight, from /proc/diskstats' weighted time in queue
   * (field 11): over the session, and per tick in which it moved (other ticks: 0); null when
   * /proc/diskstats did not list it */
  queue_depth: { mean: number; max: number; busy_pct: number; samples: { t_ms: number; depth: number }[] } | null
  /** where a request's submitter was taken: submit (the caller of submit_bio, block_io_start) or
   * issue (block_rq_issue's context, kernels before 6.5) */
  attributed_at: 'submit' | 'issue' | null
  /** the tracked processes' requests, most first */
  processes: ({ pid: number; comm: string } & DiskFigures)[]
  /** requests no tracked process submitted: kernel threads (writeback, the flusher, kworkers,
   * jbd2, a loop device's worker) and untracked processes */
  unattributed: DiskFigures
}

/** The disk pane's figures for [from_ms, to_ms]. */
export interface DiskRows {
  sessionId: string
  from_ms: number
  to_ms: number
  /** why there are none: null when there are (not recorded: no eBPF, the tracepoint mode, a
   * recording from before disk latency was kept) */
  unavailable: string | null
  devices: DiskSummaryRow[]
}
