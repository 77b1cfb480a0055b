// The JSON summary of a session (`syscope record --json`, `syscope summary --json`, export).
// `ebpf.syscalls` keeps the field names users know from denet (total, by_category,
// top_syscalls {name, count}, analysis), extended with per_syscall and per_process.
import type { CategoryId } from '../../shared/contract'
import { CATEGORY_IDS } from '../../shared/syscalls/index'
import type { SessionStore } from '../session/store'
import type { TreeField } from '../session/session-ticks'
import type { ProcessColumn } from '../recording/format'
import { lossWarnings } from './losses'

export interface SyscallSummaryEntry {
  name: string
  nr: number
  count: number
  errors: number
  time_ns: number
}

export interface ProcessSummary {
  pid: number
  ppid: number
  comm: string
  cmdline: string[]
  exit_code: number | null
  exit_signal: number | null
  peak_cpu_pct: number | null
  mean_cpu_pct: number | null
  cpu_seconds: number | null
  peak_rss_bytes: number | null
  peak_pss_bytes: number | null
  /** I/O during the session, its own (not its reaped children's): block (read_bytes,
   * write_bytes) and logical, page cache and pipes included (rchar_bytes, wchar_bytes) */
  read_bytes: number | null
  write_bytes: number | null
  rchar_bytes: number | null
  wchar_bytes: number | null
  peak_threads: number | null
  peak_fds: number | null
  syscalls: number
  syscall_errors: number
  syscall_time_ns: number
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
    mode: string | null
    problem: string | null
    fix: string | null
    syscalls: {
      total: number
      errors: number
      time_ns: number
      by_category: Record<CategoryId, number>
      errors_by_category: Record<CategoryId, number>
      time_ns_by_category: Record<CategoryId, number>
      top_syscalls: { name: string; count: number }[]
      analysis: {
        syscall_rate_per_sec: number
        io_intensity: number
        memory_intensity: number
        cpu_intensity: number
        network_intensity: number
        error_rate: number
        mean_time_ns_per_call: number
      }
      per_syscall: SyscallSummaryEntry[]
      per_process: { pid: number; comm: string; count: number; errors: number; time_ns: number }[]
    }
  }
  proc: {
    tree: {
      peak_cpu_pct: number | null
      mean_cpu_pct: number | null
      cpu_seconds: number | null
      peak_rss_bytes: number | null
      peak_pss_bytes: number | null
      /** the whole tree's I/O during the session, exited processes included */
      read_bytes: number | null
      write_bytes: number | null
      rchar_bytes: number | null
      wchar_bytes: number | null
      peak_threads: number | null
      peak_fds: number | null
      peak_processes: number
    }
    processes: ProcessSummary[]
  }
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits

function emptyByCategory(): Record<CategoryId, number> {
  return Object.fromEntries(CATEGORY_IDS.map((c) => [c, 0])) as Record<CategoryId, number>
}

// The store's columns say NaN where a value could not be read.
const known = (v: number): boolean => v === v

/** max/mean over values that could be read; null when none could. */
function peak(values: Float64Array): number | null {
  let m: number | null = null
  for (const v of values) if (known(v) && (m === null || v > m)) m = v
  return m
}

function mean(values: Float64Array): number | null {
  let s = 0
  let n = 0
  for (const v of values) {
    if (known(v)) {
      s += v
      n++
    }
  }
  return n ? s / n : null
}

function lastKnown(values: Float64Array): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (known(values[i]!)) return values[i]!
  return null
}

/**
 * How much a cumulative figure grew during the session: its last value, less its first when the
 * process (or tree) was already running before the session (attached to), whose counters then
 * hold what it did before.
 */
function during(values: Float64Array, before: boolean, atExit?: number | null): number | null {
  const sampled = lastKnown(values)
  const last = atExit === undefined || atExit === null ? sampled : Math.max(atExit, sampled ?? 0)
  if (last === null || !before) return last
  const first = values.find(known)
  return first === undefined ? last : Math.max(0, last - first)
}

export function buildSummary(store: SessionStore, state: 'running' | 'ended'): Summary {
  if (store.digestOnly) {
    // written when the session ended; only where the file now is may differ
    const d = store.digest!.summary
    // the digest's warnings (losses included) came into store.warnings as it was read
    return { ...d, session: { ...d.session, end_message: store.ended?.message ?? null, closed: store.ended !== null, recording: store.recordingPath, warnings: [...new Set(store.warnings)] } }
  }
  const duration = store.durationMs()
  const whole = store.breakdown(0, Number.MAX_SAFE_INTEGER)
  const byCat = emptyByCategory()
  const errByCat = emptyByCategory()
  const nsByCat = emptyByCategory()
  for (const c of whole.by_category) {
    byCat[c.category] = c.calls
    errByCat[c.category] = c.errors
    nsByCat[c.category] = c.time_ns
  }
  const total = whole.total_calls
  const share = (n: number): number => (total ? round(n / total, 4) : 0)

  // per-process /proc figures from every row of each process (an hour of 50 processes is
  // 1.8 M rows; this runs when a session ends)
  // attached to: the processes seen at the first tick were running before; their I/O counters
  // start with what they did then
  const attached = store.header.kind === 'attach'
  const before = new Set(attached && store.tickCount > 0 ? store.processPoints(0).map((p) => p.pid) : [])
  const byPid = new Map<number, ProcessFigures>()
  for (const pid of store.processPids()) byPid.set(pid, processFigures(store, pid, before.has(pid), store.processes.get(pid)))
  const perPidSys = new Map<number, { count: number; errors: number; time_ns: number }>()
  for (const [pid, m] of store.perProcessSyscalls) {
    const s = { count: 0, errors: 0, time_ns: 0 }
    for (const [c, e, ns] of m.values()) {
      s.count += c
      s.errors += e
      s.time_ns += ns
    }
    perPidSys.set(pid, s)
  }
  const pids = new Set<number>([...store.processes.keys(), ...byPid.keys(), ...perPidSys.keys()])
  const processes: ProcessSummary[] = [...pids]
    .sort((a, b) => a - b)
    .map((pid) => {
      const info = store.processes.get(pid)
      // never sampled (it lived less than a tick): what the helper read as it exited, if anything
      const a = byPid.get(pid) ?? (info?.exitIo || info?.exitCpuSeconds !== undefined ? processFigures(store, pid, false, info) : NO_FIGURES)
      const sys = perPidSys.get(pid) ?? { count: 0, errors: 0, time_ns: 0 }
      return {
        pid,
        ppid: info?.ppid ?? 0,
        comm: info?.comm ?? '',
        cmdline: info?.cmdline ?? [],
        exit_code: info?.exitCode ?? null,
        exit_signal: info?.exitSignal ?? null,
        peak_cpu_pct: nullableRound(a.cpuPeak),
        mean_cpu_pct: nullableRound(a.cpuN ? a.cpuSum / a.cpuN : null),
        cpu_seconds: nullableRound(a.cpuSeconds, 3),
        peak_rss_bytes: a.rssPeak,
        peak_pss_bytes: a.pssPeak,
        read_bytes: a.readBytes,
        write_bytes: a.writeBytes,
        rchar_bytes: a.rcharBytes,
        wchar_bytes: a.wcharBytes,
        peak_threads: a.threadsPeak,
        peak_fds: a.fdsPeak,
        syscalls: sys.count,
        syscall_errors: sys.errors,
        syscall_time_ns: sys.time_ns
      }
    })

  const tree = (field: TreeField): Float64Array => store.treeColumn(field)
  let peakProcesses = 0
  // a count that could not be read counts as none
  for (const n of tree('processes')) peakProcesses = Math.max(peakProcesses, known(n) ? n : 0)
  const seconds = Math.max(1e-3, duration / 1000)
  const ebpf = store.header.ebpf
  return {
    syscope: { format: 'syscope-summary', version: 1 },
    session: {
      title: store.header.title,
      kind: store.header.kind,
      argv: store.header.argv,
      root_pid: store.header.root_pid,
      started_at: new Date(store.header.created_ms).toISOString(),
      duration_ms: Math.round(duration),
      interval_ms: store.header.interval_ms,
      samples: store.tickCount,
      exit_code: store.ended?.exit_code ?? null,
      exit_signal: store.ended?.exit_signal ?? null,
      end_message: store.ended?.message ?? null,
      closed: store.ended !== null,
      recording: store.recordingPath,
      warnings: [...new Set([...store.warnings, ...lossWarnings(store)]), ...(state === 'running' ? ['the session is still running'] : [])]
    },
    ebpf: {
      available: ebpf.ready,
      mode: ebpf.mode,
      problem: ebpf.problem,
      fix: ebpf.fix,
      syscalls: {
        total,
        errors: whole.total_errors,
        time_ns: whole.total_time_ns,
        by_category: byCat,
        errors_by_category: errByCat,
        time_ns_by_category: nsByCat,
        top_syscalls: whole.syscalls.slice(0, 10).map((s) => ({ name: s.name, count: s.calls })),
        analysis: {
          syscall_rate_per_sec: round(total / seconds),
          io_intensity: share(byCat.file_io),
          memory_intensity: share(byCat.memory),
          // scheduling and time syscalls: a loop that yields, sleeps or polls clocks
          cpu_intensity: share(byCat.time + byCat.process),
          network_intensity: share(byCat.network),
          error_rate: share(whole.total_errors),
          mean_time_ns_per_call: total ? Math.round(whole.total_time_ns / total) : 0
        },
        per_syscall: whole.syscalls.map((s) => ({ name: s.name, nr: s.nr, count: s.calls, errors: s.errors, time_ns: s.time_ns })),
        per_process: [...perPidSys.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([pid, s]) => ({ pid, comm: store.processes.get(pid)?.comm ?? '', ...s }))
      }
    },
    proc: {
      tree: {
        peak_cpu_pct: nullableRound(peak(tree('cpu_pct'))),
        mean_cpu_pct: nullableRound(mean(tree('cpu_pct'))),
        cpu_seconds: nullableRound(during(tree('cpu_seconds'), attached), 3),
        peak_rss_bytes: peak(tree('rss_bytes')),
        peak_pss_bytes: peak(tree('pss_bytes')),
        read_bytes: during(tree('read_bytes'), attached),
        write_bytes: during(tree('write_bytes'), attached),
        rchar_bytes: during(tree('rchar_bytes'), attached),
        wchar_bytes: during(tree('wchar_bytes'), attached),
        peak_threads: peak(tree('threads')),
        peak_fds: peak(tree('fds')),
        peak_processes: peakProcesses
      },
      processes
    }
  }
}

/** One process's /proc figures over its rows: peaks, CPU mean, last cumulative values. */
interface ProcessFigures {
  cpuPeak: number | null
  cpuSum: number
  cpuN: number
  cpuSeconds: number | null
  rssPeak: number | null
  pssPeak: number | null
  readBytes: number | null
  writeBytes: number | null
  rcharBytes: number | null
  wcharBytes: number | null
  threadsPeak: number | null
  fdsPeak: number | null
}

const NO_FIGURES: ProcessFigures = { cpuPeak: null, cpuSum: 0, cpuN: 0, cpuSeconds: null, rssPeak: null, pssPeak: null, readBytes: null, writeBytes: null, rcharBytes: null, wcharBytes: null, threadsPeak: null, fdsPeak: null }

function processFigures(store: SessionStore, pid: number, before: boolean, atExit: { exitIo?: (number | null)[]; exitCpuSeconds?: number } | undefined): ProcessFigures {
  const exitIo = atExit?.exitIo
  const column = (c: ProcessColumn): Float64Array => store.processColumn(pid, c)
  const user = column('cpu_user_pct')
  const system = column('cpu_system_pct')
  let cpuPeak: number | null = null
  let cpuSum = 0
  let cpuN = 0
  for (let i = 0; i < user.length; i++) {
    const u = user[i]!
    const k = system[i]!
    // a CPU figure needs both halves
    if (known(u) && known(k)) {
      if (cpuPeak === null || u + k > cpuPeak) cpuPeak = u + k
      cpuSum += u + k
      cpuN++
    }
  }
  return {
    cpuPeak,
    cpuSum,
    cpuN,
    // during the session; to its end when the helper read it at exit
    cpuSeconds: during(column('cpu_seconds'), before, atExit?.exitCpuSeconds),
    rssPeak: peak(column('rss_bytes')),
    pssPeak: peak(column('pss_bytes')),
    // its I/O to the end when the helper read it at exit, else as last sampled
    readBytes: during(column('read_bytes'), before, exitIo?.[2]),
    writeBytes: during(column('write_bytes'), before, exitIo?.[3]),
    rcharBytes: during(column('rchar_bytes'), before, exitIo?.[0]),
    wcharBytes: during(column('wchar_bytes'), before, exitIo?.[1]),
    threadsPeak: peak(column('threads')),
    fdsPeak: peak(column('fds'))
  }
}

function nullableRound(x: number | null, digits = 2): number | null {
  return x === null ? null : round(x, digits)
}

/** The timeline as CSV: one row per tick, tree totals and syscall rates per category. */
export function buildTimelineCsv(store: SessionStore): string {
  const head = ['t_ms', 'cpu_pct', 'rss_bytes', 'pss_bytes', 'read_bytes_per_s', 'write_bytes_per_s', 'threads', 'fds', 'processes', 'syscalls_per_s', ...CATEGORY_IDS.map((c) => `${c}_per_s`), 'errors_per_s', 'syscall_gap']
  const out = [head.join(',')]
  for (let i = 0; i < store.tickCount; i++) {
    const p = store.treePoint(i)
    const cats = CATEGORY_IDS.map((c) => p.syscalls_per_s[c] ?? 0)
    const cell = (v: number | null): string => (v === null ? '' : String(round(v, 3)))
    out.push(
      [p.t_ms, cell(p.cpu_pct), cell(p.rss_bytes), cell(p.pss_bytes), cell(p.read_bytes_per_s), cell(p.write_bytes_per_s), cell(p.threads), cell(p.fds), p.processes, cell(cats.reduce((a, b) => a + b, 0)), ...cats.map(cell), cell(p.errors_per_s), p.syscall_gap ? 1 : 0].join(',')
    )
  }
  return out.join('\n') + '\n'
}
