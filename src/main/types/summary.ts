// The shape of the JSON summary of a session (`syscope record --json`, `syscope summary --json`,
// export, and the digest a recording keeps): analysis/summary.ts builds it, the recording stores
// it and the CLI prints it, so it lives below all three.
import type { CategoryId, ExitUsage } from '../../shared/contract'
import type { FileSummaryRow, NetworkSummaryRow } from '../../shared/detail'

import type { LatencyFields, SlowCallSummary } from '../../shared/latency'
import type { WallTime } from '../../shared/wall-time'
import type { DiskFigures, DiskSummaryRow } from '../../shared/disk'

// the renderer shows these rows too (SyscopeApi.detail, latency, wallTime, disk), so they live in src/shared
export type { FileSummaryRow, NetworkSummaryRow, LatencyFields, SlowCallSummary, WallTime, DiskFigures, DiskSummaryRow }

/**
 * One syscall's calls. time_ns and the durations (timed mode; null in the counts-only mode):
 * hist lists the non-empty log2 buckets (le_ns their upper bound, null for the last, unbounded
 * one: src/shared/histogram.ts), min and max are exact, the quantiles read from the histogram
 * (exact to within their bucket). errnos: the failures by errno name, most first (both modes);
 * a failure with no errno (a negative return that is not one, as fcntl's F_GETOWN may give) is in
 * errors but not in errnos.
 */
export interface SyscallSummaryEntry extends LatencyFields {
  name: string
  nr: number
  count: number
  errors: number
  time_ns: number | null
  mean_ns: number | null
  /** null: a recording from before errnos were kept */
  errnos: Record<string, number> | null
}

/**
 * What the /proc samples say of a process, or of the whole tree, over the session (null: not
 * known). I/O is block (read_bytes, write_bytes) and logical, page cache and pipes included
 * (rchar_bytes, wchar_bytes): a process's own (not its reaped children's), the tree's with its
 * exited processes.
 */
export interface SampledFigures {
  peak_cpu_pct: number | null
  mean_cpu_pct: number | null
  cpu_seconds: number | null
  peak_rss_bytes: number | null
  peak_pss_bytes: number | null
  read_bytes: number | null
  write_bytes: number | null
  rchar_bytes: number | null
  wchar_bytes: number | null
  peak_threads: number | null
  peak_fds: number | null
}

export interface ThreadSummary {
  tid: number
  comm: string
  time: WallTime
}

export interface ProcessSummary extends SampledFigures {
  pid: number
  ppid: number
  comm: string
  cmdline: string[]
  exit_code: number | null
  exit_signal: number | null
  /** what the kernel kept for it at its exit (getrusage, as `/usr/bin/time -v` shows it); null
   * while it runs, without eBPF, or from a recording made before these were kept */
  usage: ExitUsage | null
  syscalls: number
  syscall_errors: number
  /** null in the counts-only mode */
  syscall_time_ns: number | null
  /** every thread's wall time: null without eBPF, in tracepoint mode, from a recording without it,
   * or for a process none of whose threads the kernel side saw */
  time?: WallTime | null
  /** its threads, each with its wall time (null where time is not recorded) */
  threads?: ThreadSummary[] | null
}

/** Traffic with one peer, over every process and socket of the session. */
export interface NetworkPeerSummary {
  /** the address gone out to; for a peer that came in over IP, its host alone ("127.0.0.1",
   * "[::1]"): the port it came from is an ephemeral one; for a Unix client that bound no name,
   * "(unnamed)" */
  remote: string
  proto: 'tcp' | 'udp' | 'unix' | 'other'
  /** out: connected or sent to first; in: accepted, or received from first (IP, and Unix to a name of ours) */
  direction: 'out' | 'in'
  /** in: the local address it came to ("127.0.0.1:8080"); null for out */
  local: string | null
  /** sockets that talked to it or tried to */
  sockets: number
  connects: number
  connect_errors: number
  bytes_sent: number
  bytes_received: number
  pids: number[]
}

export interface Summary {
  syscope: { format: string; version: number }
  session: {
    title: string
    kind: string
    argv: string[] | null
    root_pid: number
    started_at: string
    duration_ms: number
    interval_ms: number
    samples: number
    exit_code: number | null
    exit_signal: string | null
    /** how it ended, in words ("detached", "stopped: ..."); null when it ended as the command exited */
    end_message: string | null
    /** false: the recording was never closed (syscope or the machine stopped while recording) */
    closed: boolean
    recording: string | null
    warnings: string[]
  }
  ebpf: {
    available: boolean
    /** timed (durations, latency, slowest calls) or counts (calls and failures by errno only:
     * --counts-only); null without eBPF */
    mode: 'timed' | 'counts' | null
    /** how the helper attached: tp_btf, raw_tp or tracepoint */
    attach: string | null
    /** what the kernel did not show the helper and it filled in from the kernel's own figures
     * (docs/threads.md); null without eBPF, or from a recording summed before it was counted */
    filled_in: FilledIn | null
    problem: string | null
    fix: string | null
    /** the session's slowest calls, longest first (timed mode; null in the counts-only mode or
     * from a recording made before they were kept) */
    slowest_calls: SlowCallSummary[] | null
    syscalls: {
      total: number
      errors: number
      /** time in syscalls: the wall time from each call's entry to its return, time blocked
       * inside it included (so it can exceed the run's wall time); likewise every time_ns below.
       * null in the counts-only mode, as every time and duration below */
      time_ns: number | null
      by_category: Record<CategoryId, number>
      errors_by_category: Record<CategoryId, number>
      time_ns_by_category: Record<CategoryId, number> | null
      top_syscalls: { name: string; count: number }[]
      analysis: {
        syscall_rate_per_sec: number
        io_intensity: number
        memory_intensity: number
        cpu_intensity: number
        network_intensity: number
        error_rate: number
        mean_time_ns_per_call: number | null
      }
      per_syscall: SyscallSummaryEntry[]
      /** each process's calls, and by syscall as per_syscall (without `hist`, null here: a run
       * of thousands of processes would make tens of MB of it; min, max and quantiles are there) */
      per_process: { pid: number; comm: string; count: number; errors: number; time_ns: number | null; per_syscall: SyscallSummaryEntry[] }[]
    }
  }
  proc: {
    tree: SampledFigures & {
      peak_processes: number
      /** every thread of the tree's wall time, summed (see WallTime); null where not recorded */
      time?: WallTime | null
      /** the sums (max RSS: the largest) of every process's exit usage, when the kernel gave it
       * for every process of the tree (a launched command that ended, with eBPF); else null */
      usage: ExitUsage | null
    }
    processes: ProcessSummary[]
  }
  /** every file each process used (null: files were not watched: record without --detail) */
  files: FileSummaryRow[] | null
  /** every socket each process used, per peer (null: not watched: record without --detail, or a
   * recording from before the network was) */
  network: NetworkSummaryRow[] | null
  /** the network rows by remote address, most bytes first */
  network_peers: NetworkPeerSummary[] | null
  /** block devices' request latency, sizes and queue depth (null: not known: no eBPF, the
   * tracepoint mode, or a recording from before disk latency) */
  disk: DiskSummaryRow[] | null
}

/** Switches of a thread onto or off a CPU the scheduler's tracepoint did not show (its time on
 * a CPU then came from its CPU clock), threads first seen after they began (their past from the
 * kernel's figures), and each in words. */
export interface FilledIn {
  switches: number
  late_threads: number
  notes: string[]
}
