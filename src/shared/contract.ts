// The one typed contract between the renderer and the main process. Electron's preload exposes
// exactly these methods on `window.syscope`; `syscope serve` exposes the same ones to a browser
// over a localhost bridge. Main validates every argument it receives (see src/main/api/validate.ts).
import type { DetailRows, FileChange, PeerChange } from './detail'
import type { LatencyRows } from './latency'
import type { WallTime, WallTimeRows } from './wall-time'
import type { DiskRows } from './disk'

export type { DetailRows, FileChange, FileSummaryRow, NetworkSummaryRow, PeerChange } from './detail'
export type { LatencyRow, LatencyRows, SlowCallSummary } from './latency'
export type { ThreadLane, ThreadLaneStep, WallTime, WallTimeRows } from './wall-time'
export type { DiskFigures, DiskRows, DiskSummaryRow } from './disk'

/** Channel names, `domain:verb`. Requests are invoke/handle; events are main → renderer pushes. */
export const Channels = {
  ebpfStatus: 'ebpf:status',
  sessionLaunch: 'session:launch',
  sessionAttach: 'session:attach',
  sessionStop: 'session:stop',
  sessionDetach: 'session:detach',
  sessionList: 'session:list',
  sessionSnapshot: 'session:snapshot',
  sessionBreakdown: 'session:breakdown',
  sessionDetail: 'session:detail',
  sessionLatency: 'session:latency',
  sessionWallTime: 'session:wallTime',
  sessionDisk: 'session:disk',
  processList: 'process:list',
  recordingList: 'recording:list',
  recordingOpen: 'recording:open',
  recordingExport: 'recording:export',
  recordingCompare: 'recording:compare',
  dialogPickFile: 'dialog:pickFile',
  setupDiagnose: 'setup:diagnose',
  setupPlan: 'setup:plan',
  setupApply: 'setup:apply',
  setupUndo: 'setup:undo'
} as const

/** Which channel carries each request method of `SyscopeApi`. */
export const ApiMethods = {
  ebpfStatus: Channels.ebpfStatus,
  launch: Channels.sessionLaunch,
  attach: Channels.sessionAttach,
  stop: Channels.sessionStop,
  detach: Channels.sessionDetach,
  listSessions: Channels.sessionList,
  snapshot: Channels.sessionSnapshot,
  breakdown: Channels.sessionBreakdown,
  detail: Channels.sessionDetail,
  latency: Channels.sessionLatency,
  wallTime: Channels.sessionWallTime,
  disk: Channels.sessionDisk,
  listProcesses: Channels.processList,
  listRecordings: Channels.recordingList,
  openRecording: Channels.recordingOpen,
  exportRecording: Channels.recordingExport,
  compare: Channels.recordingCompare,
  pickFile: Channels.dialogPickFile,
  setupDiagnose: Channels.setupDiagnose,
  setupPlan: Channels.setupPlan,
  setupApply: Channels.setupApply,
  setupUndo: Channels.setupUndo
} as const

export type ApiMethod = keyof typeof ApiMethods

/** Every reply crosses the boundary in this envelope, so errors keep their code and text. */
export type ApiReply<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } }

export const Events = {
  sessionTicks: 'session:ticks',
  sessionEvent: 'session:event',
  sessionOutput: 'session:output',
  sessionEnded: 'session:ended'
} as const

export type CategoryId = 'file_io' | 'memory' | 'process' | 'network' | 'time' | 'ipc' | 'security' | 'signal' | 'system' | 'other'

/** Why syscall data is (or is not) there, in words a user can act on. */
export interface EbpfStatus {
  ready: boolean
  /** attach mode in use or that would be used: tp_btf, raw_tp, tracepoint */
  mode: string | null
  helperPath: string | null
  helperReason: string | null
  /** when not ready: what is missing, and the exact fix */
  problem: string | null
  fix: string | null
  /** timed: durations, latency histograms and the slowest calls; counts: calls and failures by
   * errno only (the counts-only mode). Absent: a recording from before the choice, timed */
  timing?: 'timed' | 'counts'
  /** the slowest calls kept (timed mode) */
  slowest?: number
  /** every thread's wall time was recorded (`th` records); absent or false: it is unavailable
   * (tracepoint mode, an older helper or recording) */
  threads?: boolean
  /** block requests were timed per device (disk.bpf.c; not in tracepoint mode). Absent: a
   * recording from before disk latency, not known */
  disk?: boolean
  /** where a request's submitter was taken: submit (the caller of submit_bio) or issue */
  diskSubmitter?: 'submit' | 'issue'
}

export interface LaunchRequest {
  argv: string[]
  cwd?: string
  env?: Record<string, string>
  intervalMs?: number
  ebpf?: boolean
  /** run the helper as root through pkexec for this session only (asks for authentication) */
  asRoot?: boolean
  /** files: which files each process used, and how much (needs eBPF) */
  detail?: boolean
  /** calls and failures by errno only, at the least cost: no durations, latency or slowest calls (not with detail) */
  countsOnly?: boolean
  /** the slowest calls kept, 1..1000 (default 100) */
  slowest?: number
}

export interface AttachRequest {
  pid: number
  intervalMs?: number
  ebpf?: boolean
  asRoot?: boolean
  detail?: boolean
  countsOnly?: boolean
  slowest?: number
}

export interface SessionInfo {
  id: string
  kind: 'launch' | 'attach' | 'recording'
  /** how it was recorded: a command launched, or processes attached to (a recording's too) */
  recordedKind: 'launch' | 'attach'
  title: string
  argv: string[] | null
  rootPid: number
  startedAtMs: number
  intervalMs: number
  recordingPath: string | null
  arch: 'x86_64' | 'aarch64'
  ebpf: EbpfStatus
  state: 'running' | 'ended'
}

/** One process at one tick. null = could not be read (unavailable), never 0. */
export interface ProcessPoint {
  pid: number
  cpu_user_pct: number | null
  cpu_system_pct: number | null
  rss_bytes: number | null
  pss_bytes: number | null
  read_bytes_per_s: number | null
  write_bytes_per_s: number | null
  threads: number | null
  fds: number | null
}

/** Whole-tree figures at one tick. */
/** The process tree's figures at one tick, as the sampler sums them (null: unavailable): the
 * recording's tree totals (TreeRecord) and the views' TreePoint both carry them. */
export interface TreeFigures {
  cpu_pct: number | null
  rss_bytes: number | null
  pss_bytes: number | null
  read_bytes_per_s: number | null
  write_bytes_per_s: number | null
  threads: number | null
  fds: number | null
  processes: number
}

export interface TreePoint extends TreeFigures {
  t_ms: number
  /** syscalls per second in this interval, by category */
  syscalls_per_s: Partial<Record<CategoryId, number>>
  /** syscall errors per second in this interval */
  errors_per_s: number
  /** true when syscall data is missing for this interval (helper gone or not running) */
  syscall_gap: boolean
}

export interface TickBatch {
  sessionId: string
  tree: TreePoint[]
  processes: { t_ms: number; points: ProcessPoint[] }[]
}

export interface ProcessInfo {
  pid: number
  ppid: number
  comm: string
  cmdline: string[]
  startedAtMs: number | null
  exitedAtMs: number | null
  exitCode: number | null
  exitSignal: number | null
}

/** A process's own resource usage at its exit (getrusage / `/usr/bin/time -v`), exact. */
export interface ExitUsage {
  /** its run time split as the kernel splits it (tick-sampled user/system, scaled to the exact total) */
  user_seconds: number
  system_seconds: number
  /** the high-water mark of its RSS, the memory it had before an exec included (as ru_maxrss);
   * null for a launched command that never rose above its launcher's (not known then) */
  max_rss_bytes: number | null
  /** when max_rss_bytes is null: it was at most this (the launcher's) */
  max_rss_at_most_bytes?: number
  minor_faults: number
  major_faults: number
  vol_ctxsw: number
  invol_ctxsw: number
}

export type SessionEvent =
  | { kind: 'fork'; t_ms: number; pid: number; ppid: number }
  /** cmdline: its command line after the exec, read as the helper told of it (absent: it was
   * gone by then, or a recording from before it was kept) */
  | { kind: 'exec'; t_ms: number; pid: number; comm: string; filename: string; cmdline?: string[] }
  | {
      kind: 'exit'
      t_ms: number
      pid: number
      code: number | null
      signal: number | null
      /** with eBPF: its own I/O as it exited, [rchar, wchar, read_bytes, write_bytes] (null: unavailable) */
      io?: (number | null)[]
      /** with eBPF: its own CPU time to its end, seconds (its reaped children's not included) */
      cpu_seconds?: number
      /** with eBPF: what the kernel kept for it, as wait4 gives it to its parent */
      usage?: ExitUsage
    }
  | {
      kind: 'notice'
      t_ms: number
      level: 'info' | 'warning' | 'error'
      message: string
      /** what the helper lost since its last tick, by kind (LOSS_KINDS); a kind absent lost nothing */
      loss?: Loss
    }

/**
 * What the helper can lose when its kernel tables are full, as its tick's `drops` names them
 * (helper/messages.c's drop_names): processes not tracked, fork/exec/exit events, syscalls whose
 * number it cannot count, file uses, sockets, latency histograms, errno counts, thread times, disk
 * requests; and what the kernel did not show it and it filled in from the kernel's own figures:
 * switches of a thread onto or off a CPU, threads first seen after they began.
 * src/main/store/losses.ts says what each one means.
 */
export const LOSS_KINDS = ['procs', 'events', 'nr', 'files', 'net', 'latency', 'errnos', 'threads', 'disk', 'switches', 'late_threads'] as const
export type LossKind = (typeof LOSS_KINDS)[number]
export type Loss = Partial<Record<LossKind, number>>

export interface SessionEventMessage {
  sessionId: string
  event: SessionEvent
}

export interface OutputChunk {
  sessionId: string
  stream: 'stdout' | 'stderr'
  t_ms: number
  text: string
}

export interface SessionEnded {
  sessionId: string
  exitCode: number | null
  exitSignal: string | null
  message: string | null
}

export interface SyscallRow {
  nr: number
  name: string
  category: CategoryId
  calls: number
  errors: number
  time_ns: number
  calls_per_s: number
}

export interface ProcessRow {
  pid: number
  ppid: number
  comm: string
  cmdline: string[]
  cpu_pct_mean: number | null
  cpu_pct_peak: number | null
  /** CPU time in the range, seconds: its samples' CPU over their intervals, or, for a process
   * that lived and exited between two samples, what the helper read at its exit */
  cpu_seconds: number | null
  /** its own I/O in the range, logical (page cache and pipes included), bytes; as the CPU time */
  read_bytes: number | null
  write_bytes: number | null
  rss_peak_bytes: number | null
  syscalls: number
  syscall_errors: number
  exitedAtMs: number | null
}

/** Everything the breakdown panes show for a time range of a session or recording. */
export interface Breakdown {
  sessionId: string
  from_ms: number
  to_ms: number
  total_calls: number
  total_errors: number
  total_time_ns: number
  by_category: { category: CategoryId; calls: number; errors: number; time_ns: number }[]
  syscalls: SyscallRow[]
  processes: ProcessRow[]
}

/**
 * One process's line: times and the values the views draw, as parallel arrays (an hour of 50
 * processes is 25,000 points; as objects of every field they were most of a snapshot).
 */
export interface ProcessSeries {
  pid: number
  comm: string
  t_ms: number[]
  /** user + system, 100 % = one core */
  cpu_pct: (number | null)[]
  rss_bytes: (number | null)[]
}

/** What a view needs to draw a whole session or recording at once (decimated for display). */
export interface SessionSnapshot {
  info: SessionInfo
  tree: TreePoint[]
  /** per-process series, decimated to at most `maxPoints` per process */
  processes: ProcessSeries[]
  processInfo: ProcessInfo[]
  events: SessionEvent[]
  output: OutputChunk[]
  warnings: string[]
}

export interface ProcessListEntry {
  pid: number
  ppid: number
  user: string
  uid: number
  comm: string
  cmdline: string
  cpu_pct: number | null
  rss_bytes: number | null
  startedAtMs: number | null
  /** null when the user may trace it; otherwise why not */
  cannotTrace: string | null
}

export interface RecordingEntry {
  path: string
  title: string
  startedAtMs: number
  durationMs: number
  sizeBytes: number
}

export interface ComparisonSide {
  path: string
  title: string
  durationMs: number
  total_calls: number
  by_category: { category: CategoryId; calls: number; share: number }[]
  cpu_pct_peak: number | null
  cpu_pct_mean: number | null
  rss_peak_bytes: number | null
  cpu_seconds: number | null
  /** the tree's exit usage as the summary gives it (sums; max RSS the largest); null when the
   * kernel did not give it for every process (no eBPF, an attached session) */
  usage: ExitUsage | null
  /** whether syscalls were counted (eBPF); when not, its syscall figures are not known */
  syscalls_counted: boolean
  /** every process the recording saw, and the most alive at once */
  processes: number
  peak_processes: number
  /** the tree's wall time, explained (null: not recorded: no eBPF, or from before it was kept) */
  wall: WallTime | null
  /** whether calls were timed (the timed mode): when not, their times are not known */
  syscalls_timed: boolean
}

/** One syscall in both recordings: calls, and where both were timed, the time in them and their p99 */
export interface ComparedSyscall {
  name: string
  category: CategoryId
  a_calls: number
  b_calls: number
  delta: number
  ratio: number | null
  /** ns in calls (null: that side was not timed, or does not have the syscall's row) */
  a_time_ns: number | null
  b_time_ns: number | null
  a_p99_ns: number | null
  b_p99_ns: number | null
}

export interface Comparison {
  a: ComparisonSide
  b: ComparisonSide
  syscalls: ComparedSyscall[]
  /** files by path (null: one of them was recorded without --detail; main always sets it) */
  files?: FileChange[] | null
  /** remote addresses (null: one of them did not watch the network; main always sets it) */
  peers?: PeerChange[] | null
}

export interface SetupCheck {
  id: string
  label: string
  status: 'ok' | 'warn' | 'fail' | 'info'
  detail: string
  why: string
  change: string | null
}

export interface SetupDiagnosis {
  /** the installed helper counts syscalls for this user without root */
  ready: boolean
  /** syscalls can be counted in this session now (as root, or with a helper not installed yet) */
  worksNow: boolean
  /** this session runs as root */
  asRoot: boolean
  checks: SetupCheck[]
}

export interface SetupPlan {
  steps: { description: string; command: string[] }[]
}

export interface SetupResult {
  ok: boolean
  message: string
  diagnosis: SetupDiagnosis
}

export type ExportFormat = 'json' | 'csv'

/** The API the renderer sees as `window.syscope`. */
export interface SyscopeApi {
  ebpfStatus(): Promise<EbpfStatus>
  launch(req: LaunchRequest): Promise<SessionInfo>
  attach(req: AttachRequest): Promise<SessionInfo>
  stop(sessionId: string): Promise<void>
  detach(sessionId: string): Promise<void>
  listSessions(): Promise<SessionInfo[]>
  snapshot(sessionId: string, maxPoints: number): Promise<SessionSnapshot>
  breakdown(sessionId: string, fromMs: number, toMs: number): Promise<Breakdown>
  /** the files and sockets each process used in [fromMs, toMs] (syscope record --detail); the
   * rate charts' busiest files and peers are those of process `pid` (null: of every process) */
  detail(sessionId: string, fromMs: number, toMs: number, pid: number | null): Promise<DetailRows>
  /** each syscall's durations and errnos in [fromMs, toMs], and the slowest calls that returned in it */
  /** pid: one process's syscalls; null: every process's */
  latency(sessionId: string, fromMs: number, toMs: number, pid: number | null): Promise<LatencyRows>
  /** every thread's wall time in [fromMs, toMs], explained, and the top threads' state lanes */
  wallTime(sessionId: string, fromMs: number, toMs: number): Promise<WallTimeRows>
  /** each block device's requests, latency and sizes in [fromMs, toMs], by op and submitter */
  disk(sessionId: string, fromMs: number, toMs: number): Promise<DiskRows>
  listProcesses(): Promise<ProcessListEntry[]>
  listRecordings(): Promise<RecordingEntry[]>
  openRecording(path: string): Promise<SessionInfo>
  exportRecording(sessionId: string, format: ExportFormat): Promise<{ path: string }>
  compare(pathA: string, pathB: string): Promise<Comparison>
  pickFile(purpose: 'program' | 'recording'): Promise<string | null>
  setupDiagnose(): Promise<SetupDiagnosis>
  setupPlan(): Promise<SetupPlan>
  setupApply(): Promise<SetupResult>
  setupUndo(): Promise<SetupResult>
  onTicks(cb: (batch: TickBatch) => void): () => void
  onEvent(cb: (msg: SessionEventMessage) => void): () => void
  onOutput(cb: (chunk: OutputChunk) => void): () => void
  onEnded(cb: (msg: SessionEnded) => void): () => void
}
