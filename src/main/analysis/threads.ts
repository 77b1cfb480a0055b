// Every thread's wall time, explained: for each thread, process and the tree, the time on a CPU,
// waiting for one, and blocked, by what it was blocked in. A process's and the tree's figures are
// sums over their threads (thread-seconds), so the parts add up to wall_ns; elapsed_ns is the
// real span, from the first thread seen to the last one's end. Over the session (the summary) or
// a time range (the wall-time pane, with the top threads' lanes).
import type { SessionStore } from '../store/store'
import { TT_CPU, TT_DISK, TT_PRE, TT_RQ, TT_SLEEP, TT_SYS, type ThreadTotals } from '../store/thread-times'
import type { ThreadSummary, WallTime } from '../types/summary'
import {
  LANE_STEPS,
  WALL_TIME_LANES,
  blockedLabel,
  groupByName,
  type BlockedBy,
  type BlockedOn,
  type ThreadLane,
  type ThreadLaneStep,
  type WallTimeRows
} from '../../shared/wall-time'
import { syscallName, type Arch } from '../../shared/syscalls/index'
import type { TimeRange } from './files'
import { notRecorded } from './not-recorded'

/** the kernel's names for time blocked outside a syscall (bpf/syscope.h TT_*) */
const WHY_NAMES: Record<number, string> = { [-1]: 'page_fault', [-2]: 'other', [-3]: 'other' }
/** above TT_ON_SHIFT in a reason: what a read or write was blocked on (enum file_kind + 1) */
const TT_ON_SHIFT = 16
const ON_KINDS: readonly (BlockedOn | null)[] = [null, null, 'file', 'dir', 'pipe', 'socket', 'device', 'anon']

/** a reason the kernel side gives: the syscall (or page_fault, other) and what it was blocked on */
function whyOf(arch: Arch, why: number): Pick<BlockedBy, 'syscall' | 'on'> {
  if (why < 0) return { syscall: WHY_NAMES[why] ?? 'other' }
  const on = ON_KINDS[why >>> TT_ON_SHIFT] ?? null
  const syscall = syscallName(arch, why & ((1 << TT_ON_SHIFT) - 1))
  return on ? { syscall, on } : { syscall }
}

const whyKey = (b: Pick<BlockedBy, 'syscall' | 'on'>): string => `${b.syscall} ${b.on ?? ''}`

/** One thread's figures over the session or a range: what wallTime() sums. */
interface Parts {
  cpu: number
  rq: number
  pre: number
  /** of cpu, inside a syscall (null: not known) */
  sys: number | null
  /** blocked, by why nr: [interruptible, uninterruptible] */
  by: Map<number, [number, number]>
  /** ns of the span it was seen in (null: not known) */
  firstNs: number | null
  lastNs: number
}

const partsOf = (t: ThreadTotals): Parts => ({ cpu: t.cpu, rq: t.rq, pre: t.pre, sys: t.sys, by: t.by, firstNs: t.firstNs, lastNs: t.endNs ?? t.lastNs })

/** Threads' figures summed, with the span from the first seen to the last end. */
function wallTime(arch: Arch, threads: readonly Parts[]): WallTime | null {
  if (threads.length === 0) return null
  let cpu = 0
  let rq = 0
  let pre = 0
  // known only where every thread's is
  let sys: number | null = 0
  let first = Infinity
  let last = -Infinity
  const by = new Map<string, [Pick<BlockedBy, 'syscall' | 'on'>, number, number]>()
  for (const t of threads) {
    cpu += t.cpu
    rq += t.rq
    pre += t.pre
    sys = sys === null || t.sys === null ? null : sys + t.sys
    if (t.firstNs !== null) first = Math.min(first, t.firstNs)
    last = Math.max(last, t.lastNs)
    for (const [nr, [s, d]] of t.by) {
      const why = whyOf(arch, nr)
      const b = by.get(whyKey(why))
      if (b) {
        b[1] += s
        b[2] += d
      } else by.set(whyKey(why), [why, s, d])
    }
  }
  const blockedBy: BlockedBy[] = [...by.values()]
    .map(([why, s, d]) => ({ ...why, ns: s + d, uninterruptible_ns: d }))
    .filter((b) => b.ns > 0)
    .sort((a, b) => b.ns - a.ns || whyKey(a).localeCompare(whyKey(b)))
  const blocked = blockedBy.reduce((n, b) => n + b.ns, 0)
  return {
    wall_ns: cpu + rq + pre + blocked,
    elapsed_ns: Number.isFinite(first) && last >= first ? last - first : null,
    on_cpu_ns: cpu,
    on_cpu_system_ns: sys,
    on_cpu_user_ns: sys === null ? null : cpu - sys,
    runqueue_ns: rq + pre,
    runqueue_preempted_ns: pre,
    blocked_ns: blocked,
    blocked_uninterruptible_ns: blockedBy.reduce((n, b) => n + b.uninterruptible_ns, 0),
    blocked_by: blockedBy
  }
}

/** a process's name: as sampled, else its main thread's */
const commOf = (store: SessionStore, pid: number): string => store.processes.get(pid)?.comm ?? store.threadTimes.byPid.get(pid)?.get(pid)?.comm ?? ''

/** the syscalls that wait for a child: whom they waited for is the process's children */
const WAITS_FOR_CHILD = new Set(['wait4', 'waitid', 'waitpid'])
/** processes named per blocked_by row of the tree */
const WHO_PER_ROW = 3
/** children named per process of a wait row (a make has thousands) */
const CHILDREN_PER_PROCESS = 5
/** names of processes per row (a make -j's compilers are one) */
const NAMES_PER_ROW = 10

/**
 * The tree's blocked_by rows, each with the processes blocked in it (most first) and, for the
 * wait family, each one's children in the session, longest-lived first: "sh waiting for xargs,
 * wc; xargs waiting for gzip".
 */
function attribute(store: SessionStore, tree: WallTime | null, perProcess: Map<number, WallTime>): void {
  // one process: naming it on every row says nothing
  if (!tree || perProcess.size < 2) return
  const children = new Map<number, { pid: number; comm: string; ppid: number }[]>()
  for (const p of store.processes.values()) {
    const list = children.get(p.ppid)
    const c = { pid: p.pid, comm: p.comm, ppid: p.ppid }
    if (list) list.push(c)
    else children.set(p.ppid, [c])
  }
  // the children that lived longest first: those are what the waits were for (make's clang
  // of 9.8 s, not the mkdir it ran first)
  const lived = (pid: number): number => perProcess.get(pid)?.elapsed_ns ?? 0
  for (const kids of children.values()) kids.sort((a, b) => lived(b.pid) - lived(a.pid) || a.pid - b.pid)
  for (const row of tree.blocked_by) {
    const who: { pid: number; comm: string; ns: number }[] = []
    for (const [pid, w] of perProcess) {
      const b = w.blocked_by.find((x) => x.syscall === row.syscall && x.on === row.on)
      if (b) who.push({ pid, comm: commOf(store, pid), ns: b.ns })
    }
    who.sort((a, b) => b.ns - a.ns || a.pid - b.pid)
    row.processes = who.slice(0, WHO_PER_ROW)
    const waits = WAITS_FOR_CHILD.has(row.syscall)
    if (waits) row.waiting_for = row.processes.flatMap((p) => (children.get(p.pid) ?? []).slice(0, CHILDREN_PER_PROCESS))
    // and all of them by name: "cc ×12 waiting for cc1, as", each name's children's names
    // longest-lived first
    row.processes_total = who.length
    row.process_names = groupByName(who, waits ? (pid) => children.get(pid) ?? [] : null, CHILDREN_PER_PROCESS).slice(0, NAMES_PER_ROW)
  }
}

/** The wall-time figures of a summary: null throughout when the recording has none. */
export function buildThreadTimes(store: SessionStore): {
  process: (pid: number) => { time: WallTime | null; threads: ThreadSummary[] | null }
  tree: WallTime | null
} {
  if (!store.header.ebpf?.threads) return { process: () => ({ time: null, threads: null }), tree: null }
  const arch = store.arch
  const all: Parts[] = []
  const perProcess = new Map<number, WallTime>()
  for (const [pid, per] of store.threadTimes.byPid) {
    const mine = [...per.values()].map(partsOf)
    all.push(...mine)
    const w = wallTime(arch, mine)
    if (w) perProcess.set(pid, w)
  }
  const tree = wallTime(arch, all)
  attribute(store, tree, perProcess)
  return {
    process: (pid) => {
      const per = [...(store.threadTimes.byPid.get(pid)?.values() ?? [])].sort((a, b) => a.tid - b.tid)
      return {
        time: perProcess.get(pid) ?? null,
        threads: per.map((t) => ({ tid: t.tid, comm: t.comm, time: wallTime(arch, [partsOf(t)]) as WallTime }))
      }
    },
    tree
  }
}

const ZERO6 = [0, 0, 0, 0, 0, 0]
const ZERO2 = [0, 0]

/** What grew in (fromMs, toMs] of a thread's change log (zeros where it had not begun). */
function grew(log: { valueAt(ms: number): number[] | null }, fromMs: number, toMs: number, zero: number[]): number[] {
  const a = log.valueAt(fromMs) ?? zero
  const b = log.valueAt(toMs) ?? zero
  return b.map((v, i) => v - a[i]!)
}

/** A thread's figures in (fromMs, toMs]; null when it had none there. */
function rangeParts(t: ThreadTotals, fromMs: number, toMs: number): Parts | null {
  const core = grew(t.log, fromMs, toMs, ZERO6)
  if (core.every((v) => v === 0)) return null
  const by = new Map<number, [number, number]>()
  for (const [nr, log] of t.whyLog) {
    const [s, d] = grew(log, fromMs, toMs, ZERO2) as [number, number]
    if (s || d) by.set(nr, [s, d])
  }
  // a range from the start holds a thread's time from its first sight, even one before the
  // session's first tick (a launched command's exec can come a moment before it)
  const fromNs = fromMs > 0 ? fromMs * 1e6 : -Infinity
  const toNs = toMs * 1e6
  const first = t.firstNs === null ? null : Math.max(t.firstNs, fromNs)
  return {
    cpu: core[TT_CPU]!,
    rq: core[TT_RQ]!,
    pre: core[TT_PRE]!,
    sys: t.sys === null ? null : core[TT_SYS]!,
    by,
    firstNs: first,
    lastNs: Math.min(t.endNs ?? t.lastNs, toNs)
  }
}

/** A thread's lane over [fromMs, toMs]: its log's steps, merged to at most LANE_STEPS. */
function laneSteps(arch: Arch, t: ThreadTotals, fromMs: number, toMs: number): ThreadLaneStep[] {
  const span = t.log.span
  if (!span) return []
  // the first step begins when it was first seen; the last is the change that holds the range's
  // end (drawn clipped), or the thread's last
  const start = fromMs
  const end = t.log.firstAtOrAfter(toMs) ?? span[1]
  if (end <= start) return []
  const seenMs = t.firstNs === null ? start : Math.max(start, t.firstNs / 1e6)
  const width = (end - start) / LANE_STEPS
  const steps: ThreadLaneStep[] = []
  for (let i = 0; i < LANE_STEPS; i++) {
    const t0 = start + i * width
    const t1 = i === LANE_STEPS - 1 ? end : start + (i + 1) * width
    const core = grew(t.log, t0, t1, ZERO6)
    if (core.every((v) => v === 0)) continue
    let most = 0
    let blockedIn: string | null = null
    if (core[TT_SLEEP]! + core[TT_DISK]! > 0) {
      for (const [nr, log] of t.whyLog) {
        const [s, d] = grew(log, t0, t1, ZERO2) as [number, number]
        if (s + d > most) {
          most = s + d
          blockedIn = blockedLabel(whyOf(arch, nr))
        }
      }
    }
    // what grew here grew since the last step's end (the buckets between had no change)
    const last = steps[steps.length - 1]
    steps.push({
      t0_ms: last ? last.t1_ms : Math.min(seenMs, t1),
      t1_ms: t1,
      cpu_ns: core[TT_CPU]!,
      runqueue_ns: core[TT_RQ]! + core[TT_PRE]!,
      sleep_ns: core[TT_SLEEP]!,
      disk_ns: core[TT_DISK]!,
      blocked_in: blockedIn
    })
  }
  return steps
}

/** how a thread ranks for a lane: time on a CPU, waiting for one, or uninterruptible */
const busy = (w: WallTime): number => w.on_cpu_ns + w.runqueue_ns + w.blocked_uninterruptible_ns

/** The wall-time pane's figures for a range: the tree, each process, and the top threads' lanes. */
export function wallTimeRows(store: SessionStore, range: TimeRange): WallTimeRows {
  const fromMs = Math.max(0, range.fromMs)
  // a thread's last figures may come a tick after the session's last sample: the figures are
  // read to the range's end as asked, the range shown ends with the session
  const toMs = range.toMs
  const rows: WallTimeRows = {
    sessionId: store.id,
    from_ms: fromMs,
    to_ms: Math.min(toMs, store.durationMs()),
    unavailable: null,
    tree: null,
    processes: [],
    lanes: [],
    thread_count: 0
  }
  const ebpf = store.header.ebpf
  if (!ebpf?.ready || !ebpf.threads) {
    rows.unavailable = notRecorded(ebpf, 'wall time')
    return rows
  }
  const arch = store.arch
  const all: Parts[] = []
  const threads: { pid: number; t: ThreadTotals; time: WallTime }[] = []
  for (const [pid, per] of store.threadTimes.byPid) {
    const mine: Parts[] = []
    for (const t of per.values()) {
      const p = rangeParts(t, fromMs, toMs)
      if (!p) continue
      mine.push(p)
      threads.push({ pid, t, time: wallTime(arch, [p])! })
    }
    if (!mine.length) continue
    all.push(...mine)
    rows.processes.push({ pid, comm: commOf(store, pid), threads: mine.length, time: wallTime(arch, mine)! })
  }
  rows.tree = wallTime(arch, all)
  attribute(store, rows.tree, new Map(rows.processes.map((p) => [p.pid, p.time])))
  rows.processes.sort((a, b) => b.time.wall_ns - a.time.wall_ns || a.pid - b.pid)
  rows.thread_count = threads.length
  rows.lanes = threads
    .sort((a, b) => busy(b.time) - busy(a.time) || b.time.wall_ns - a.time.wall_ns || a.t.tid - b.t.tid)
    .slice(0, WALL_TIME_LANES)
    .map(({ pid, t, time }): ThreadLane => ({ pid, tid: t.tid, comm: t.comm, time, steps: laneSteps(arch, t, fromMs, toMs) }))
  return rows
}
