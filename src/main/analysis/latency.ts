// Syscall latency in a summary or a time range, from what the store kept of the helper's latency
// monitor: each syscall's durations as a log2 histogram with the quantiles read from it (the
// timed mode), its failures by errno (both modes), and the session's slowest calls with what
// they waited on.
import type { SessionStore } from '../store/store'
import type { SlowCallRecord } from '../types/recording-format'
import { HIST_BUCKETS, bucketLower, bucketUpper, histQuantile, histRows } from '../../shared/histogram'
import { syscallName } from '../../shared/syscalls/index'
import { errnoName } from './errno'
import { filePath, type TimeRange } from './files'
import type { LatencyFields, LatencyRow, LatencyRows, SlowCallSummary } from '../../shared/latency'
import { formatCounted } from '../../shared/format'

/** The durations of a syscall's calls: a log2 histogram and its extremes (null: none known). */
export interface Durations {
  hist: number[]
  min: number | null
  max: number | null
}

/** The map of one process's rows: one for every process, or one each (byPid). */
type Into<T> = (pid: number) => Map<number, T>

/** A map per pid, made as a pid first comes. */
function perPid<T>(): { out: Map<number, Map<number, T>>; into: Into<T> } {
  const out = new Map<number, Map<number, T>>()
  const into: Into<T> = (pid) => {
    let m = out.get(pid)
    if (!m) out.set(pid, (m = new Map()))
    return m
  }
  return { out, into }
}

/**
 * Durations by syscall number, each process's rows added into the map `into` gives for it, in one
 * pass over the store. Over the whole session min and max are the kernel's exact ones; inside a
 * range they are what its histogram bounds them to (the outermost non-empty buckets, within the
 * session's extremes), and the histogram is exact to within a second of the range's ends (the
 * store keeps a histogram's changes a second apart).
 */
function collectDurations(store: SessionStore, into: Into<Durations>, range?: TimeRange, pid: number | null = null): void {
  for (const [key, l] of store.latency) {
    if (pid !== null && l.pid !== pid) continue
    let hist = l.hist
    let min: number | null = l.min || null
    let max: number | null = l.max || null
    if (range) {
      const c = store.changes.get(`l ${key}`)?.within(range.fromMs, range.toMs)
      if (!c || !c.delta.some((v) => v > 0)) continue
      hist = c.delta
      const first = hist.findIndex((v) => v > 0)
      const last = hist.length - 1 - [...hist].reverse().findIndex((v) => v > 0)
      min = Math.max(bucketLower(first), min ?? 0)
      max = Math.min(bucketUpper(last), max ?? Infinity)
    }
    const out = into(l.pid)
    const d = out.get(l.nr)
    if (!d) {
      out.set(l.nr, { hist: [...hist], min, max })
      continue
    }
    for (let k = 0; k < HIST_BUCKETS; k++) d.hist[k] = (d.hist[k] ?? 0) + (hist[k] ?? 0)
    if (min !== null) d.min = d.min === null ? min : Math.min(d.min, min)
    if (max !== null) d.max = d.max === null ? max : Math.max(d.max, max)
  }
}

/** Every process's durations together (or one process's: pid), by syscall number, over the
 * session or a range. */
export function durationsByNr(store: SessionStore, range?: TimeRange, pid: number | null = null): Map<number, Durations> {
  const out = new Map<number, Durations>()
  collectDurations(store, () => out, range, pid)
  return out
}

/** Each process's durations by syscall number over the whole session. */
export function durationsByPid(store: SessionStore): Map<number, Map<number, Durations>> {
  const { out, into } = perPid<Durations>()
  collectDurations(store, into)
  return out
}

export const NO_LATENCY: LatencyFields = { hist: null, min_ns: null, max_ns: null, p50_ns: null, p90_ns: null, p99_ns: null }

export function latencyFields(d: Durations | undefined): LatencyFields {
  if (!d) return NO_LATENCY
  const q = (p: number): number | null => histQuantile(d.hist, p, d.min, d.max)
  return {
    hist: histRows(d.hist) as { le_ns: number | null; count: number }[],
    min_ns: d.min,
    max_ns: d.max === Infinity ? null : d.max,
    p50_ns: q(0.5),
    p90_ns: q(0.9),
    p99_ns: q(0.99)
  }
}

/** Failed calls by syscall number and errno name, each process's added into the map `into` gives
 * for it, in one pass over the store; the most frequent first, as strace -c and a reader expect. */
function collectErrnos(store: SessionStore, into: Into<Record<string, number>>, range?: TimeRange, pid: number | null = null): void {
  const touched = new Set<Map<number, Record<string, number>>>()
  for (const [key, e] of store.errnos) {
    if (pid !== null && e.pid !== pid) continue
    let n = e.count
    if (range) n = store.changes.get(`x ${key}`)?.within(range.fromMs, range.toMs)?.delta[0] ?? 0
    if (!n) continue
    const out = into(e.pid)
    touched.add(out)
    let r = out.get(e.nr)
    if (!r) out.set(e.nr, (r = {}))
    const name = errnoName(e.errno)
    r[name] = (r[name] ?? 0) + n
  }
  for (const out of touched)
    for (const [nr, r] of out) out.set(nr, Object.fromEntries(Object.entries(r).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))))
}

/** Every process's failed calls together (or one process's: pid), by syscall number and errno,
 * over the session or a range. */
export function errnosByNr(store: SessionStore, range?: TimeRange, pid: number | null = null): Map<number, Record<string, number>> {
  const out = new Map<number, Record<string, number>>()
  collectErrnos(store, () => out, range, pid)
  return out
}

/** Each process's failed calls by syscall number and errno over the whole session. */
export function errnosByPid(store: SessionStore): Map<number, Map<number, Record<string, number>>> {
  const { out, into } = perPid<Record<string, number>>()
  collectErrnos(store, into)
  return out
}

/**
 * What a slow call was called on: the fd's peer or path (from --detail's tables, else as
 * /proc/PID/fd showed it just after the call), a futex's address, the child a wait reaped or a
 * fork made (a vfork waits for it to exec or exit), the process a signal went to. A poll or
 * select waited on several fds: the one named is the first that was ready, else the first.
 */
function targetOf(store: SessionStore, c: SlowCallRecord, name: string): string | null {
  const target = fdTargetOf(store, c, name)
  const others = (c.fds ?? 0) - 1
  return target !== null && others > 0 ? `${target} and ${formatCounted(others, 'more fd')}` : target
}

function fdTargetOf(store: SessionStore, c: SlowCallRecord, name: string): string | null {
  if (c.file) {
    const sock = store.sockets.get(`${c.pid} ${c.file}`)
    if (sock?.remote) return `${sock.proto} ${sock.remote}`
    const use = store.fileUses.get(`${c.pid} ${c.file}`)
    const path = use ? filePath(use.kind, c.file, store.fileNames.get(c.file)) : null
    // else as /proc showed it, else as the kernel side saw it (a pipe exactly; a file by its own
    // name: "…/doc")
    const leaf = c.leaf === '/' ? { parts: [], whole: true } : c.leaf ? { parts: [c.leaf], whole: false } : undefined
    const seen = c.kind ? filePath(c.kind, c.file, leaf) : null
    return path ?? c.target ?? seen ?? `fd ${c.arg0}`
  }
  if (c.target) return c.target
  const who = (pid: number): string => {
    const comm = store.processes.get(pid)?.comm
    return comm ? `pid ${pid} (${comm})` : `pid ${pid}`
  }
  switch (name) {
    case 'futex':
    case 'futex_wait':
      return `futex 0x${c.arg0.toString(16)}`
    case 'wait4':
      return c.ret > 0 ? `child ${who(c.ret)}` : c.arg0 > 0 && c.arg0 < 2 ** 31 ? `child ${who(c.arg0)}` : null
    case 'fork':
    case 'vfork':
    case 'clone':
    case 'clone3':
      // a new process is one of the session's; a new thread (or a child not tracked) is a tid
      if (c.ret <= 0) return null
      return store.processes.has(c.ret) ? `child ${who(c.ret)}` : `tid ${c.ret}`
    case 'kill':
    case 'tgkill':
    case 'pidfd_send_signal':
      return c.arg0 > 0 && c.arg0 < 2 ** 31 ? who(c.arg0) : null
    default:
      return null
  }
}

/** The session's slowest calls, longest first; with a range, those that returned inside it. */
export function slowestCalls(store: SessionStore, range?: TimeRange): SlowCallSummary[] {
  const arch = store.arch
  return store.slowest
    .filter((c) => !range || (c.t_ms >= range.fromMs && c.t_ms <= range.toMs))
    .map((c) => {
      const name = syscallName(arch, c.nr)
      return {
        t_ms: c.t_ms,
        pid: c.pid,
        tid: c.tid,
        comm: store.processes.get(c.pid)?.comm ?? '',
        syscall: name,
        duration_ns: c.dur_ns,
        ret: c.ret,
        errno: c.ret < 0 && c.ret >= -4095 ? errnoName(-c.ret) : null,
        target: targetOf(store, c, name)
      }
    })
}

/** One process's calls, failures and ns in them by syscall in a range: what its counts grew by
 * (their changes are kept 5 s apart: exact to 5 s at the range's ends), most calls first. */
function processCounts(store: SessionStore, pid: number, range: TimeRange): { nr: number; name: string; calls: number; errors: number; time_ns: number }[] {
  const out: { nr: number; name: string; calls: number; errors: number; time_ns: number }[] = []
  for (const nr of store.perProcessSyscalls.get(pid)?.keys() ?? []) {
    const d = store.changes.get(`n ${pid} ${nr}`)?.within(range.fromMs, range.toMs)?.delta
    if (d && d[0]! > 0) out.push({ nr, name: syscallName(store.arch, nr), calls: d[0]!, errors: d[1]!, time_ns: d[2]! })
  }
  return out.sort((a, b) => b.calls - a.calls || a.nr - b.nr)
}

/** The latency pane's figures for a range: each syscall's calls, durations and errnos (every
 * process's, or one process's: pid), and the slowest calls that returned in it (of the
 * session's slowest, that process's). */
export function latencyRows(store: SessionStore, range: TimeRange, pid: number | null = null): LatencyRows {
  const ebpf = store.header.ebpf
  const mode = ebpf.ready ? (ebpf.timing ?? 'timed') : null
  const kept = store.header.version >= 5
  const counts = pid === null ? store.breakdown(range.fromMs, range.toMs).syscalls : processCounts(store, pid, range)
  const d = mode === 'timed' ? durationsByNr(store, range, pid) : new Map<number, Durations>()
  const e = errnosByNr(store, range, pid)
  const syscalls: LatencyRow[] = counts.map((s) => ({
    name: s.name,
    nr: s.nr,
    count: s.calls,
    errors: s.errors,
    time_ns: mode === 'timed' ? s.time_ns : null,
    ...latencyFields(d.get(s.nr)),
    errnos: kept ? (e.get(s.nr) ?? {}) : null
  }))
  return {
    sessionId: store.id,
    from_ms: range.fromMs,
    to_ms: range.toMs,
    pid,
    mode,
    syscalls,
    slowest: mode === 'timed' && kept ? slowestCalls(store, range).filter((c) => pid === null || c.pid === pid) : null
  }
}
