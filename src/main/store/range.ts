// What a time range of a session adds up to: syscalls by number, per-process calls and errors,
// per-process CPU mean/peak and RSS peak. Ranges are built tick by tick from a full store, or
// merged from the per-bucket sums a recording's digest keeps — the same sums either way, so a
// range answered from the digest equals the one answered from every tick it covers.
import type { Breakdown, CategoryId, ProcessInfo, ProcessRow, SyscallRow } from '../../shared/contract'
import { syscallCategory, syscallName } from '../../shared/syscalls/index'

/** [calls, errors, time_ns] */
export type Counts = [number, number, number]

export interface RangeSums {
  sys: Map<number, Counts>
  /** pid → [calls, errors] */
  perPid: Map<number, [number, number]>
  /** pid → [sum of CPU %, samples, peak CPU %, CPU seconds (each sample's % over its own interval)] */
  cpu: Map<number, [number, number, number, number]>
  rssPeak: Map<number, number>
  /** pid → [bytes read, bytes written] (logical I/O: each sample's rate over its own interval) */
  io: Map<number, [number, number]>
}

export function emptySums(): RangeSums {
  return { sys: new Map(), perPid: new Map(), cpu: new Map(), rssPeak: new Map(), io: new Map() }
}

export function addIo(s: RangeSums, pid: number, reads: number, writes: number): void {
  addPair(s.io, pid, reads, writes)
}

export function addCounts(m: Map<number, Counts>, nr: number, c: number, e: number, ns: number): void {
  const v = m.get(nr)
  if (v) {
    v[0] += c
    v[1] += e
    v[2] += ns
  } else m.set(nr, [c, e, ns])
}

export function addProcessCounts(s: RangeSums, pid: number, c: number, e: number): void {
  addPair(s.perPid, pid, c, e)
}

function addPair(m: Map<number, [number, number]>, key: number, a: number, b: number): void {
  const v = m.get(key)
  if (v) {
    v[0] += a
    v[1] += b
  } else m.set(key, [a, b])
}

export function addCpu(s: RangeSums, pid: number, sum: number, n: number, peak: number, seconds: number): void {
  const v = s.cpu.get(pid)
  if (v) {
    v[0] += sum
    v[1] += n
    if (peak > v[2]) v[2] = peak
    v[3] += seconds
  } else s.cpu.set(pid, [sum, n, peak, seconds])
}

export function addRss(s: RangeSums, pid: number, rss: number): void {
  const v = s.rssPeak.get(pid)
  if (v === undefined || rss > v) s.rssPeak.set(pid, rss)
}

/** syscall numbers below this are summed in arrays, not a Map (x86_64 and aarch64 have < 500) */
const DENSE_NRS = 1024

/**
 * Sums by syscall number, kept in the order the ticks first name them: a breakdown lists equal
 * counts in that order, as it did when each tick kept a Map.
 */
export class SyscallSums {
  private readonly counts = new Float64Array(DENSE_NRS * 3)
  private readonly seen = new Uint8Array(DENSE_NRS)
  private readonly order: number[] = []
  private readonly others = new Map<number, Counts>()

  add(nr: number, calls: number, errors: number, ns: number): void {
    if (!(nr >= 0 && nr < DENSE_NRS && Number.isInteger(nr))) {
      if (!this.others.has(nr)) this.order.push(nr)
      addCounts(this.others, nr, calls, errors, ns)
      return
    }
    const at = nr * 3
    if (this.seen[nr]) {
      this.counts[at]! += calls
      this.counts[at + 1]! += errors
      this.counts[at + 2]! += ns
    } else {
      this.seen[nr] = 1
      this.order.push(nr)
      this.counts[at] = calls
      this.counts[at + 1] = errors
      this.counts[at + 2] = ns
    }
  }

  into(m: Map<number, Counts>): void {
    for (const nr of this.order) {
      const other = this.others.get(nr)
      if (other) addCounts(m, nr, ...other)
      else addCounts(m, nr, this.counts[nr * 3]!, this.counts[nr * 3 + 1]!, this.counts[nr * 3 + 2]!)
    }
  }
}

/** The sums as plain arrays, for a recording's digest. */
export interface PackedSums {
  /** [nr, calls, errors, time_ns] */
  sys: [number, number, number, number][]
  /** [pid, calls, errors, cpu % sum, cpu samples, cpu % peak, rss peak (-1: none), bytes read,
   * bytes written (both -1: none), cpu seconds] */
  pid: [number, number, number, number, number, number, number, number, number, number][]
}

export function packSums(s: RangeSums): PackedSums {
  const pids = new Set<number>([...s.perPid.keys(), ...s.cpu.keys(), ...s.rssPeak.keys(), ...s.io.keys()])
  return {
    sys: [...s.sys].map(([nr, [c, e, ns]]) => [nr, c, e, ns]),
    pid: [...pids].map((pid) => {
      const [c, e] = s.perPid.get(pid) ?? [0, 0]
      const [sum, n, peak, seconds] = s.cpu.get(pid) ?? [0, 0, 0, 0]
      const [reads, writes] = s.io.get(pid) ?? [-1, -1]
      return [pid, c, e, sum, n, peak, s.rssPeak.get(pid) ?? -1, reads, writes, seconds]
    })
  }
}

export function addPacked(s: RangeSums, p: PackedSums): void {
  for (const [nr, c, e, ns] of p.sys) addCounts(s.sys, nr, c, e, ns)
  for (const [pid, c, e, sum, n, peak, rss, reads, writes, seconds] of p.pid) {
    if (c || e) addProcessCounts(s, pid, c, e)
    if (n > 0) addCpu(s, pid, sum, n, peak, seconds)
    if (rss >= 0) addRss(s, pid, rss)
    if (reads >= 0) addIo(s, pid, reads, writes)
  }
}

/** A process's cumulative figures at its last sample (null: never read). */
export interface SampledTotals {
  cpu_seconds: number | null
  rchar: number | null
  wchar: number | null
}

/**
 * The sums of a range as the views show them: rates over [fromMs, toMs], categories, processes.
 * A process that exited in the range adds what its exit's figures hold after its last sample
 * (lastSampled; all of them when it is not given or nothing was sampled): a process of a few
 * hundred ms did most of its work after the one sample it had, or with none.
 */
export function toBreakdown(
  sessionId: string,
  arch: 'x86_64' | 'aarch64',
  processes: ReadonlyMap<number, ProcessInfo & { exitCpuSeconds?: number; exitIo?: (number | null)[] }>,
  s: RangeSums,
  fromMs: number,
  toMs: number,
  lastSampled?: (pid: number) => SampledTotals
): Breakdown {
  const seconds = Math.max(1e-3, (toMs - fromMs) / 1000)
  const syscalls: SyscallRow[] = []
  const byCat = new Map<CategoryId, { calls: number; errors: number; time_ns: number }>()
  let total = 0
  let totalErr = 0
  let totalNs = 0
  for (const [nr, [c, e, ns]] of s.sys) {
    const name = syscallName(arch, nr)
    const category = syscallCategory(name)
    syscalls.push({ nr, name, category, calls: c, errors: e, time_ns: ns, calls_per_s: c / seconds })
    const b = byCat.get(category) ?? { calls: 0, errors: 0, time_ns: 0 }
    b.calls += c
    b.errors += e
    b.time_ns += ns
    byCat.set(category, b)
    total += c
    totalErr += e
    totalNs += ns
  }
  syscalls.sort((a, b) => b.calls - a.calls || a.nr - b.nr)
  const rows: ProcessRow[] = []
  for (const pid of new Set<number>([...s.cpu.keys(), ...s.perPid.keys()])) {
    const info = processes.get(pid)
    const c = s.cpu.get(pid)
    const io = s.io.get(pid)
    const exited = exitedIn(info, fromMs, toMs)
    const last = exited && lastSampled ? lastSampled(pid) : null
    // from its last sample to its exit; null when its exit told nothing
    const after = (atExit: number | null | undefined, sampled: number | null | undefined): number | null =>
      atExit === undefined || atExit === null ? null : Math.max(0, atExit - (sampled ?? 0))
    const cpuAfter = after(exited?.exitCpuSeconds, last?.cpu_seconds)
    const readAfter = after(exited?.exitIo?.[0], last?.rchar)
    const writeAfter = after(exited?.exitIo?.[1], last?.wchar)
    const p = s.perPid.get(pid)
    rows.push({
      pid,
      ppid: info?.ppid ?? 0,
      comm: info?.comm ?? String(pid),
      cmdline: info?.cmdline ?? [],
      cpu_pct_mean: c ? c[0] / c[1] : null,
      cpu_pct_peak: c ? c[2] : null,
      cpu_seconds: c ? c[3] + (last ? (cpuAfter ?? 0) : 0) : cpuAfter,
      read_bytes: io ? io[0] + (last ? (readAfter ?? 0) : 0) : readAfter,
      write_bytes: io ? io[1] + (last ? (writeAfter ?? 0) : 0) : writeAfter,
      rss_peak_bytes: s.rssPeak.get(pid) ?? null,
      syscalls: p?.[0] ?? 0,
      syscall_errors: p?.[1] ?? 0,
      exitedAtMs: info?.exitedAtMs ?? null
    })
  }
  rows.sort((a, b) => a.pid - b.pid)
  return {
    sessionId,
    from_ms: fromMs,
    to_ms: toMs,
    total_calls: total,
    total_errors: totalErr,
    total_time_ns: totalNs,
    by_category: [...byCat.entries()].map(([category, v]) => ({ category, ...v })).sort((a, b) => b.calls - a.calls),
    syscalls,
    processes: rows
  }
}

/** A process that exited in the range: what the helper read at its exit stands for a process
 * with no sample in the range (it lived between two samples). */
function exitedIn<T extends ProcessInfo>(info: T | undefined, fromMs: number, toMs: number): T | null {
  if (!info || info.exitedAtMs === null) return null
  return info.exitedAtMs >= fromMs && info.exitedAtMs <= toMs ? info : null
}
