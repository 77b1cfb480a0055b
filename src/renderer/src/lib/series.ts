// A session's time series in the renderer, bounded: the snapshot, then live ticks appended.
// Past its capacity a series is halved by LTTB (keeping the shape of every metric it draws),
// so a one-hour 10 Hz session of 50 processes holds a few MB however long it runs: recent
// data at full resolution, older data thinned.
import type { CategoryId, ProcessPoint, ProcessSeries, SessionSnapshot, TickBatch, TreePoint } from '@shared/contract'
import { CATEGORY_IDS } from '@shared/syscalls/index'
import { lttbUnion } from '@shared/decimate'

export const TREE_CAPACITY = 8000
export const PROCESS_CAPACITY = 3000
/** processes with a CPU series; past this, the idlest that is gone is forgotten */
export const MAX_PROCESS_SERIES = 300
/**
 * Processes thinned per append at most. Processes that started together reach their capacity
 * on the same tick: thinning fifty at once was one frame of 10-50 ms every few hundred. The
 * others wait for a later append, up to PROCESS_OVERFLOW times their capacity.
 */
export const PROCESS_THINNING_PER_APPEND = 4
export const PROCESS_OVERFLOW = 1.5

type Col = (number | null)[]

export interface TreeColumns {
  t: number[]
  cpu: Col
  rss: Col
  pss: Col
  read: Col
  write: Col
  threads: Col
  fds: Col
  processes: number[]
  errors: number[]
  /** syscalls per second, all categories */
  total: number[]
  cats: Record<CategoryId, number[]>
  gap: boolean[]
}

export interface ProcessColumns {
  pid: number
  t: number[]
  /** user + system CPU %; null when unavailable */
  cpu: Col
  rss: Col
  /** sum of cpu over every sample ever seen (ranks the busiest) */
  cpuSum: number
  lastT: number
}

const emptyTree = (): TreeColumns => ({
  t: [],
  cpu: [],
  rss: [],
  pss: [],
  read: [],
  write: [],
  threads: [],
  fds: [],
  processes: [],
  errors: [],
  total: [],
  cats: Object.fromEntries(CATEGORY_IDS.map((c) => [c, []])) as unknown as Record<CategoryId, number[]>,
  gap: []
})

function pick<T>(xs: T[], idx: number[]): T[] {
  return idx.map((i) => xs[i]!)
}

export function processCpu(p: Pick<ProcessPoint, 'cpu_user_pct' | 'cpu_system_pct'>): number | null {
  if (p.cpu_user_pct === null && p.cpu_system_pct === null) return null
  return (p.cpu_user_pct ?? 0) + (p.cpu_system_pct ?? 0)
}

export type PeakKey = 'cpu' | 'rss' | 'pss' | 'read' | 'write' | 'threads' | 'fds' | 'processes' | 'errors' | 'total'
const PEAK_KEYS: readonly PeakKey[] = ['cpu', 'rss', 'pss', 'read', 'write', 'threads', 'fds', 'processes', 'errors', 'total']
const noPeaks = (): Record<PeakKey, number | null> => Object.fromEntries(PEAK_KEYS.map((k) => [k, null])) as Record<PeakKey, number | null>

export class SessionBuffer {
  tree: TreeColumns = emptyTree()
  /** the highest value of each tree metric ever appended (thinning never lowers it) */
  peaks: Record<PeakKey, number | null> = noPeaks()
  readonly procs = new Map<number, ProcessColumns>()
  /** intervals (ms) without syscall data, merged, in time order */
  gaps: [number, number][] = []
  readonly names = new Map<number, string>()

  constructor(
    readonly treeCapacity = TREE_CAPACITY,
    readonly processCapacity = PROCESS_CAPACITY,
    readonly maxProcessSeries = MAX_PROCESS_SERIES
  ) {}

  get length(): number {
    return this.tree.t.length
  }

  /** time of the last tree sample (ms since the start), 0 when empty */
  get tEnd(): number {
    return this.tree.t[this.tree.t.length - 1] ?? 0
  }

  clear(): void {
    this.tree = emptyTree()
    this.peaks = noPeaks()
    this.procs.clear()
    this.gaps = []
  }

  /** Replace everything with a snapshot. */
  load(snap: Pick<SessionSnapshot, 'tree' | 'processes' | 'processInfo'>): void {
    this.clear()
    for (const p of snap.processInfo) this.names.set(p.pid, p.comm)
    for (const p of snap.processes) if (p.comm) this.names.set(p.pid, p.comm)
    this.appendTree(snap.tree)
    for (const p of snap.processes) {
      for (let i = 0; i < p.t_ms.length; i++) this.addProcessPoint(p.pid, p.t_ms[i]!, p.cpu_pct[i] ?? null, p.rss_bytes[i] ?? null)
      this.compactProcess(p.pid)
    }
    this.evictProcesses(this.tEnd)
  }

  nameOf(pid: number): string {
    return this.names.get(pid) ?? `pid ${pid}`
  }

  /** Tree points after the last one held (a tick already in the snapshot is skipped). */
  appendTree(points: readonly TreePoint[]): void {
    const c = this.tree
    for (const p of points) {
      const prev = c.t[c.t.length - 1]
      if (prev !== undefined && p.t_ms <= prev) continue
      if (p.syscall_gap) this.addGap(prev ?? p.t_ms, p.t_ms)
      c.t.push(p.t_ms)
      c.cpu.push(p.cpu_pct)
      c.rss.push(p.rss_bytes)
      c.pss.push(p.pss_bytes)
      c.read.push(p.read_bytes_per_s)
      c.write.push(p.write_bytes_per_s)
      c.threads.push(p.threads)
      c.fds.push(p.fds)
      c.processes.push(p.processes)
      c.errors.push(p.errors_per_s)
      c.gap.push(p.syscall_gap)
      let total = 0
      for (const id of CATEGORY_IDS) {
        const v = p.syscalls_per_s[id] ?? 0
        c.cats[id].push(v)
        total += v
      }
      c.total.push(total)
      const pk = this.peaks
      const last = c.t.length - 1
      for (const k of PEAK_KEYS) {
        const v = c[k][last]!
        if (v !== null && (pk[k] === null || v > pk[k])) pk[k] = v
      }
    }
    if (c.t.length > this.treeCapacity) this.compactTree()
  }

  appendProcesses(ticks: TickBatch['processes']): void {
    const touched = new Set<number>()
    let last = 0
    for (const tick of ticks) {
      last = Math.max(last, tick.t_ms)
      for (const pt of tick.points) {
        if (this.addProcessPoint(pt.pid, tick.t_ms, processCpu(pt), pt.rss_bytes)) touched.add(pt.pid)
      }
    }
    let thinning = PROCESS_THINNING_PER_APPEND
    for (const pid of touched) {
      const n = this.procs.get(pid)!.t.length
      if (n <= this.processCapacity || (thinning <= 0 && n <= this.processCapacity * PROCESS_OVERFLOW)) continue
      thinning--
      this.compactProcess(pid)
    }
    if (this.procs.size > this.maxProcessSeries) this.evictProcesses(last)
  }

  /** Per-process lines of a snapshot taken later (after the end): only their newer points. */
  appendSeries(series: readonly ProcessSeries[]): void {
    let last = 0
    for (const p of series) {
      let added = false
      for (let i = 0; i < p.t_ms.length; i++) added = this.addProcessPoint(p.pid, p.t_ms[i]!, p.cpu_pct[i] ?? null, p.rss_bytes[i] ?? null) || added
      if (added) this.compactProcess(p.pid)
      last = Math.max(last, p.t_ms[p.t_ms.length - 1] ?? 0)
    }
    if (this.procs.size > this.maxProcessSeries) this.evictProcesses(last)
  }

  private addProcessPoint(pid: number, t: number, cpu: number | null, rss: number | null): boolean {
    let s = this.procs.get(pid)
    if (!s) this.procs.set(pid, (s = { pid, t: [], cpu: [], rss: [], cpuSum: 0, lastT: -1 }))
    if (t <= s.lastT) return false
    s.t.push(t)
    s.cpu.push(cpu)
    s.rss.push(rss)
    s.cpuSum += cpu ?? 0
    s.lastT = t
    return true
  }

  private addGap(from: number, to: number): void {
    const last = this.gaps[this.gaps.length - 1]
    if (last && from <= last[1]) last[1] = Math.max(last[1], to)
    else this.gaps.push([from, to])
  }

  private compactTree(): void {
    const c = this.tree
    const n = c.t.length
    const idx = lttbUnion(c.t, [c.cpu, c.rss, c.read, c.write, c.total, c.errors, c.threads], Math.floor(this.treeCapacity / 2))
    // where syscall data starts or stops missing stays exact
    const keep = new Set(idx)
    for (let i = 1; i < n; i++) if (c.gap[i] !== c.gap[i - 1]) keep.add(i - 1).add(i)
    const all = [...keep].sort((a, b) => a - b)
    this.tree = {
      t: pick(c.t, all),
      cpu: pick(c.cpu, all),
      rss: pick(c.rss, all),
      pss: pick(c.pss, all),
      read: pick(c.read, all),
      write: pick(c.write, all),
      threads: pick(c.threads, all),
      fds: pick(c.fds, all),
      processes: pick(c.processes, all),
      errors: pick(c.errors, all),
      total: pick(c.total, all),
      cats: Object.fromEntries(CATEGORY_IDS.map((id) => [id, pick(c.cats[id], all)])) as unknown as Record<CategoryId, number[]>,
      gap: pick(c.gap, all)
    }
  }

  private compactProcess(pid: number): void {
    const s = this.procs.get(pid)
    if (!s || s.t.length <= this.processCapacity) return
    const idx = lttbUnion(s.t, [s.cpu, s.rss], Math.floor(this.processCapacity / 2))
    s.t = pick(s.t, idx)
    s.cpu = pick(s.cpu, idx)
    s.rss = pick(s.rss, idx)
  }

  /** Keep at most maxProcessSeries: forget the idlest processes not seen in the latest tick. */
  private evictProcesses(latest: number): void {
    const excess = this.procs.size - this.maxProcessSeries
    if (excess <= 0) return
    const gone = [...this.procs.values()].filter((s) => s.lastT < latest).sort((a, b) => a.cpuSum - b.cpuSum)
    const victims = gone.length >= excess ? gone : [...this.procs.values()].sort((a, b) => a.cpuSum - b.cpuSum)
    for (const s of victims.slice(0, excess)) this.procs.delete(s.pid)
  }
}

/** First index with t[i] >= v (t ascending). */
export function lowerBound(t: readonly number[], v: number): number {
  let lo = 0
  let hi = t.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (t[mid]! < v) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Indices [start, end) covering [from, to], widened by one sample each side so lines reach the edges. */
export function windowOf(t: readonly number[], from: number, to: number): [number, number] {
  const start = Math.max(0, lowerBound(t, from) - 1)
  const end = Math.min(t.length, lowerBound(t, to) + 1)
  return [start, Math.max(start, end)]
}
