// The JSON summary of a session (`syscope record --json`, `syscope summary --json`, export).
// `ebpf.syscalls` keeps the field names users know from denet (total, by_category,
// top_syscalls {name, count}, analysis), extended with per_syscall and per_process.
import type { CategoryId, ExitUsage, SessionEvent } from '../../shared/contract'
import type { ProcessSummary, Summary } from '../types/summary'
import { CATEGORY_IDS } from '../../shared/syscalls/index'
import type { SessionStore } from '../store/store'
import { lastKnown, type TreeField } from '../store/session-ticks'
import type { ProcessColumn } from '../types/recording-format'
import { buildFiles } from './files'
import { buildNetwork, rollUpPeers } from './network'
import { diskSummary } from './disk'
import { NO_LATENCY, durationsByNr, durationsByPid, errnosByNr, errnosByPid, latencyFields, slowestCalls, type Durations } from './latency'
import { syscallName } from '../../shared/syscalls/index'
import { buildThreadTimes } from './threads'
import type { SyscallSummaryEntry } from '../types/summary'
import { filledIn, lossWarnings } from '../store/losses'

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
    return {
      ...d,
      ebpf: upgradeEbpf(d.ebpf),
      // a digest from before files (or the network) were kept has none: not watched
      files: d.files ?? null,
      network: d.network ?? null,
      // rolled up afresh: a digest from before inbound peers were rolled up by host has them per port
      network_peers: rollUpPeers(d.network ?? null),
      // a digest from before disk latency has none: not known
      disk: d.disk ?? null,
      session: {
        ...d.session,
        end_message: store.ended?.message ?? null,
        closed: store.ended !== null,
        recording: store.recordingPath,
        warnings: [...new Set(store.warnings)]
      }
    }
  }
  const duration = store.durationMs()
  const network = buildNetwork(store)
  const timed = store.timed
  const ns = (v: number): number | null => (timed ? v : null)
  /** one syscall's row: its counts, durations and errnos */
  const syscallRow = (
    nr: number,
    calls: number,
    errors: number,
    timeNs: number,
    d: Map<number, Durations>,
    e: Map<number, Record<string, number>>
  ): SyscallSummaryEntry => ({
    name: syscallName(store.arch, nr),
    nr,
    count: calls,
    errors,
    time_ns: ns(timeNs),
    mean_ns: timed && calls ? Math.round(timeNs / calls) : null,
    ...(timed ? latencyFields(d.get(nr)) : NO_LATENCY),
    // a recording from before errnos were kept (version 4 and older) does not know them
    errnos: store.header.version >= 5 ? (e.get(nr) ?? {}) : null
  })
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
  const allDurations = durationsByNr(store)
  const allErrnos = errnosByNr(store)
  // each process's, in one pass each (not one pass per process)
  const pidDurations = durationsByPid(store)
  const pidErrnos = errnosByPid(store)
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
  const threadTimes = buildThreadTimes(store)
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
        cpu_seconds: nullableRound(a.cpuSeconds, 6),
        peak_pss_bytes: a.pssPeak,
        read_bytes: a.readBytes,
        write_bytes: a.writeBytes,
        rchar_bytes: a.rcharBytes,
        wchar_bytes: a.wcharBytes,
        peak_threads: a.threadsPeak,
        // the kernel's high-water mark, where it has it, is above any sample of it
        peak_rss_bytes: maxOf(a.rssPeak, info?.exitUsage?.max_rss_bytes ?? null),
        peak_fds: a.fdsPeak,
        usage: info?.exitUsage ?? null,
        syscalls: sys.count,
        syscall_errors: sys.errors,
        syscall_time_ns: ns(sys.time_ns),
        ...threadTimes.process(pid)
      }
    })

  const tree = (field: TreeField): Float64Array => store.treeColumn(field)
  // a count that could not be read counts as none; processes that lived between two samples
  // count from their fork and exit events
  let sampledProcesses = 0
  for (const n of tree('processes')) sampledProcesses = Math.max(sampledProcesses, known(n) ? n : 0)
  // a process the session knows of was alive at some time, seen by a sample or not
  const peakProcesses = Math.max(concurrentPeak(store.events), sampledProcesses, processes.length > 0 ? 1 : 0)
  const seconds = Math.max(1e-3, duration / 1000)
  const usage = treeUsage(processes)
  // no sample saw any of the tree, and the kernel gave no exit figures (a 20 ms command without
  // eBPF): the samples' zeros are not figures (it read "CPU mean 0.0 %, read 0 B, 0 processes")
  const sampledNone = sampledProcesses === 0 && processes.length > 0 && usage === null
  const unlessMissed = (v: number | null): number | null => (sampledNone && !v ? null : v)
  // Samples see nothing of a process that lived between two of them: where the kernel's exit
  // figures cover the whole tree they are the exact ones, and sampled peaks that missed the
  // work are not known (a 50 ms command showed "CPU peak 0.0 %, peak RSS 0 B, 0 threads").
  const sampledCpu = unlessMissed(during(tree('cpu_seconds'), attached))
  const exactCpu = usage ? usage.user_seconds + usage.system_seconds : null
  const missed = sampledNone || (exactCpu !== null && exactCpu > 0 && (sampledCpu ?? 0) < exactCpu / 2)
  const cpuTime = exactCpu ?? sampledCpu
  const sampledCpuPeak = peak(tree('cpu_pct'))
  // rates of 0 % beside CPU time spent: the one sample that saw the run had no interval before it
  const ratesMissed = (cpuTime ?? 0) > 0 && !sampledCpuPeak
  // the CPU time over the duration, where the samples' rates do not stand for the whole run
  const cpuMean =
    exactCpu === null && !sampledNone && !ratesMissed ? mean(tree('cpu_pct')) : cpuTime !== null && duration > 0 ? (cpuTime / (duration / 1000)) * 100 : null
  // a peak below the exact mean is samples that missed the work (the last tick of a short run)
  const cpuPeak =
    missed || ratesMissed || (exactCpu !== null && cpuMean !== null && sampledCpuPeak !== null && sampledCpuPeak < cpuMean) ? null : sampledCpuPeak
  const sampledPeak = (field: TreeField): number | null => {
    const v = peak(tree(field))
    return missed || (v === 0 && peakProcesses > 0) ? null : v
  }
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
      mode: ebpf.ready ? (ebpf.timing ?? 'timed') : null,
      attach: ebpf.mode,
      filled_in: filledIn(store),
      problem: ebpf.problem,
      fix: ebpf.fix,
      // from a recording made before they were kept (version 4 and older): not known
      slowest_calls: timed && store.header.version >= 5 ? slowestCalls(store) : null,
      syscalls: {
        total,
        errors: whole.total_errors,
        time_ns: ns(whole.total_time_ns),
        by_category: byCat,
        errors_by_category: errByCat,
        time_ns_by_category: timed ? nsByCat : null,
        top_syscalls: whole.syscalls.slice(0, 10).map((s) => ({ name: s.name, count: s.calls })),
        analysis: {
          syscall_rate_per_sec: round(total / seconds),
          io_intensity: share(byCat.file_io),
          memory_intensity: share(byCat.memory),
          // scheduling and time syscalls: a loop that yields, sleeps or polls clocks
          cpu_intensity: share(byCat.time + byCat.process),
          network_intensity: share(byCat.network),
          error_rate: share(whole.total_errors),
          mean_time_ns_per_call: timed ? (total ? Math.round(whole.total_time_ns / total) : 0) : null
        },
        per_syscall: whole.syscalls.map((s) => syscallRow(s.nr, s.calls, s.errors, s.time_ns, allDurations, allErrnos)),
        per_process: [...perPidSys.entries()]
          .sort((a, b) => a[0] - b[0])
          .map(([pid, s]) => {
            const d = pidDurations.get(pid) ?? new Map<number, Durations>()
            const e = pidErrnos.get(pid) ?? new Map<number, Record<string, number>>()
            const per = [...(store.perProcessSyscalls.get(pid) ?? new Map<number, [number, number, number]>())]
              // the histograms by process would make a run of thousands of processes tens of
              // MB of JSON: per process, the figures read from them (the API has them whole)
              .map(([nr, [c, er, t]]) => ({ ...syscallRow(nr, c, er, t, d, e), hist: null }))
              .sort((a, b) => b.count - a.count || a.nr - b.nr)
            return { pid, comm: store.processes.get(pid)?.comm ?? '', count: s.count, errors: s.errors, time_ns: ns(s.time_ns), per_syscall: per }
          })
      }
    },
    proc: {
      tree: {
        peak_cpu_pct: nullableRound(cpuPeak),
        mean_cpu_pct: nullableRound(cpuMean),
        cpu_seconds: nullableRound(cpuTime, 6),
        peak_rss_bytes: maxOf(sampledPeak('rss_bytes'), usage?.max_rss_bytes ?? null),
        peak_pss_bytes: sampledPeak('pss_bytes'),
        read_bytes: unlessMissed(during(tree('read_bytes'), attached)),
        write_bytes: unlessMissed(during(tree('write_bytes'), attached)),
        rchar_bytes: unlessMissed(during(tree('rchar_bytes'), attached)),
        wchar_bytes: unlessMissed(during(tree('wchar_bytes'), attached)),
        peak_threads: sampledPeak('threads'),
        peak_fds: sampledPeak('fds'),
        peak_processes: peakProcesses,
        time: threadTimes.tree,
        usage
      },
      processes
    },
    files: buildFiles(store),
    network,
    network_peers: rollUpPeers(network),
    disk: diskSummary(store)
  }
}

/**
 * A digest written before the timed and counts-only modes (recording version 4 and older): its
 * `mode` was how the helper attached, its sessions were all timed, and it kept no latency,
 * errnos or slowest calls (not known: null, and empty errnos).
 */
function upgradeEbpf(e: Summary['ebpf']): Summary['ebpf'] {
  // a digest from before filled_in was counted: not known
  if (e.attach !== undefined) return { ...e, filled_in: e.filled_in ?? null }
  const old = e as Summary['ebpf'] & { mode: string | null }
  const row = <T extends object>(r: T): T & SyscallSummaryEntry => ({ ...NO_LATENCY, mean_ns: null, errnos: null, ...r }) as T & SyscallSummaryEntry
  return {
    ...e,
    mode: e.available ? 'timed' : null,
    attach: old.mode,
    filled_in: null,
    slowest_calls: null,
    syscalls: {
      ...e.syscalls,
      per_syscall: e.syscalls.per_syscall.map(row),
      per_process: e.syscalls.per_process.map((p) => ({ ...p, per_syscall: p.per_syscall ?? [] }))
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

const NO_FIGURES: ProcessFigures = {
  cpuPeak: null,
  cpuSum: 0,
  cpuN: 0,
  cpuSeconds: null,
  rssPeak: null,
  pssPeak: null,
  readBytes: null,
  writeBytes: null,
  rcharBytes: null,
  wcharBytes: null,
  threadsPeak: null,
  fdsPeak: null
}

function processFigures(
  store: SessionStore,
  pid: number,
  before: boolean,
  atExit: { exitIo?: (number | null)[]; exitCpuSeconds?: number } | undefined
): ProcessFigures {
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

/** The most processes alive at once by their fork and exit events (the root and processes
 * attached to were there from the start). */
function concurrentPeak(events: readonly SessionEvent[]): number {
  const born = new Map<number, number>()
  const died = new Map<number, number>()
  for (const ev of events) {
    if (ev.kind === 'fork') born.set(ev.pid, ev.t_ms)
    else if (ev.kind === 'exit') died.set(ev.pid, ev.t_ms)
  }
  const edges: [number, number][] = []
  for (const pid of new Set([...born.keys(), ...died.keys()])) {
    edges.push([born.get(pid) ?? -Infinity, 1])
    edges.push([died.get(pid) ?? Infinity, -1])
  }
  // at equal times an exit goes first: a process that exits as another is forked is not both
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let alive = 0
  let most = 0
  for (const [, d] of edges) most = Math.max(most, (alive += d))
  return most
}

/** Every process's exit usage added up (max RSS: the largest), or null if one has none. */
function treeUsage(processes: readonly ProcessSummary[]): ExitUsage | null {
  if (processes.length === 0 || processes.some((p) => p.usage === null)) return null
  const t: ExitUsage = { user_seconds: 0, system_seconds: 0, max_rss_bytes: 0, minor_faults: 0, major_faults: 0, vol_ctxsw: 0, invol_ctxsw: 0 }
  // a process whose max RSS is not known was at most its bound: the largest known is the tree's
  // only if it is above every such bound
  let bound = 0
  for (const { usage: u } of processes) {
    t.user_seconds += u!.user_seconds
    t.system_seconds += u!.system_seconds
    if (u!.max_rss_bytes === null) bound = Math.max(bound, u!.max_rss_at_most_bytes ?? Infinity)
    else t.max_rss_bytes = Math.max(t.max_rss_bytes!, u!.max_rss_bytes)
    t.minor_faults += u!.minor_faults
    t.major_faults += u!.major_faults
    t.vol_ctxsw += u!.vol_ctxsw
    t.invol_ctxsw += u!.invol_ctxsw
  }
  if (t.max_rss_bytes! < bound) {
    t.max_rss_bytes = null
    t.max_rss_at_most_bytes = bound
  }
  return t
}

/** the larger of two figures, either of which may not be known */
function maxOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b)
}

function nullableRound(x: number | null, digits = 2): number | null {
  return x === null ? null : round(x, digits)
}

/** The timeline as CSV: one row per tick, tree totals and syscall rates per category. */
export function buildTimelineCsv(store: SessionStore): string {
  const head = [
    't_ms',
    'cpu_pct',
    'rss_bytes',
    'pss_bytes',
    'read_bytes_per_s',
    'write_bytes_per_s',
    'threads',
    'fds',
    'processes',
    'syscalls_per_s',
    ...CATEGORY_IDS.map((c) => `${c}_per_s`),
    'errors_per_s',
    'syscall_gap'
  ]
  const out = [head.join(',')]
  for (let i = 0; i < store.tickCount; i++) {
    const p = store.treePoint(i)
    const cats = CATEGORY_IDS.map((c) => p.syscalls_per_s[c] ?? 0)
    const cell = (v: number | null): string => (v === null ? '' : String(round(v, 3)))
    out.push(
      [
        p.t_ms,
        cell(p.cpu_pct),
        cell(p.rss_bytes),
        cell(p.pss_bytes),
        cell(p.read_bytes_per_s),
        cell(p.write_bytes_per_s),
        cell(p.threads),
        cell(p.fds),
        p.processes,
        cell(cats.reduce((a, b) => a + b, 0)),
        ...cats.map(cell),
        cell(p.errors_per_s),
        p.syscall_gap ? 1 : 0
      ].join(',')
    )
  }
  return out.join('\n') + '\n'
}
