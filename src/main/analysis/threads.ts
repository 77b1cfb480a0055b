// Every thread's wall time, explained: for each thread, process and the tree, the time on a CPU,
// waiting for one, and blocked, by what it was blocked in. A process's and the tree's figures are
// sums over their threads (thread-seconds), so the parts add up to wall_ns; elapsed_ns is the
// real span, from the first thread seen to the last one's end.
import type { SessionStore } from '../store/store'
import type { ThreadTotals } from '../store/thread-times'
import type { ThreadSummary, WallTime } from '../types/summary'
import { syscallName, type Arch } from '../../shared/syscalls/index'

/** the kernel's names for time blocked outside a syscall (bpf/syscope.h TT_*) */
const WHY_NAMES: Record<number, string> = { [-1]: 'page_fault', [-2]: 'other', [-3]: 'other' }

function whyName(arch: Arch, nr: number): string {
  return nr >= 0 ? syscallName(arch, nr) : (WHY_NAMES[nr] ?? 'other')
}

/** Threads' figures summed, with the span from the first seen to the last end. */
function wallTime(arch: Arch, threads: readonly ThreadTotals[]): WallTime | null {
  if (threads.length === 0) return null
  let cpu = 0
  let rq = 0
  let pre = 0
  let first = Infinity
  let last = -Infinity
  const by = new Map<string, [number, number]>()
  for (const t of threads) {
    cpu += t.cpu
    rq += t.rq
    pre += t.pre
    if (t.firstNs !== null) first = Math.min(first, t.firstNs)
    last = Math.max(last, t.endNs ?? t.lastNs)
    for (const [nr, [s, d]] of t.by) {
      const name = whyName(arch, nr)
      const b = by.get(name)
      if (b) {
        b[0] += s
        b[1] += d
      } else by.set(name, [s, d])
    }
  }
  const blockedBy = [...by]
    .map(([syscall, [s, d]]) => ({ syscall, ns: s + d, uninterruptible_ns: d }))
    .filter((b) => b.ns > 0)
    .sort((a, b) => b.ns - a.ns || a.syscall.localeCompare(b.syscall))
  const blocked = blockedBy.reduce((n, b) => n + b.ns, 0)
  return {
    wall_ns: cpu + rq + pre + blocked,
    elapsed_ns: Number.isFinite(first) && last >= first ? last - first : null,
    on_cpu_ns: cpu,
    runqueue_ns: rq + pre,
    runqueue_preempted_ns: pre,
    blocked_ns: blocked,
    blocked_uninterruptible_ns: blockedBy.reduce((n, b) => n + b.uninterruptible_ns, 0),
    blocked_by: blockedBy
  }
}

/** The wall-time figures of a summary: null throughout when the recording has none. */
export function buildThreadTimes(store: SessionStore): {
  process: (pid: number) => { time: WallTime | null; threads: ThreadSummary[] | null }
  tree: WallTime | null
} {
  if (!store.header.ebpf?.threads) return { process: () => ({ time: null, threads: null }), tree: null }
  const arch = store.arch
  const all: ThreadTotals[] = []
  for (const per of store.threadTimes.byPid.values()) all.push(...per.values())
  return {
    process: (pid) => {
      const per = [...(store.threadTimes.byPid.get(pid)?.values() ?? [])].sort((a, b) => a.tid - b.tid)
      return {
        time: wallTime(arch, per),
        threads: per.map((t) => ({ tid: t.tid, comm: t.comm, time: wallTime(arch, [t]) as WallTime }))
      }
    },
    tree: wallTime(arch, all)
  }
}
