// Every thread's wall time, explained, as the JSON summary and the renderer's wall-time pane show
// it: on a CPU, waiting for one, blocked and in what (SyscopeApi.wallTime), and each of the top
// threads' states over the range as a lane.
import { formatCount, formatProcessName } from './format'

/**
 * Wall time, explained (ns on the kernel's clock): a thread's, or a process's or the tree's as the
 * sum over their threads (thread time), so that on_cpu_ns + runqueue_ns + blocked_ns = wall_ns.
 * Threads are accounted from their creation, or from when the kernel side first saw them (a
 * process attached to).
 */
export interface WallTime {
  wall_ns: number
  /** the real span: from the first thread seen to the last one's exit (or the last tick) */
  elapsed_ns: number | null
  on_cpu_ns: number
  /** of on_cpu_ns, inside a syscall (system) and not (user: the program's own code, and the
   * kernel's work for it outside a syscall: page faults, interrupts); null where not known: the
   * counts-only mode, which has no entry hook, and recordings from before */
  on_cpu_system_ns: number | null
  on_cpu_user_ns: number | null
  /** runnable, waiting for a CPU: after a wakeup or after being preempted */
  runqueue_ns: number
  /** of runqueue_ns, after being preempted (or yielding) while running */
  runqueue_preempted_ns: number
  blocked_ns: number
  /** of blocked_ns, uninterruptible (D state: disk, page faults) */
  blocked_uninterruptible_ns: number
  /** blocked_ns by what it was blocked in, longest first: a syscall's name, or page_fault
   * (uninterruptible outside a syscall) or other (interruptible outside a syscall; a syscall
   * the counts-only mode cannot name; reasons beyond the eight a thread keeps by name) */
  blocked_by: BlockedBy[]
}

/** Time blocked in one thing. Over the tree (or a range of it), who: the processes whose threads
 * were blocked there, most first (at most three), and for wait4/waitid the children each had
 * (whom they waited for; at most five each, longest-lived first) */
export interface BlockedBy {
  syscall: string
  /** a read or write (read, pread64, readv, write, ...): what its fd was (a FileSummaryRow kind:
   * pipe, socket, file, dir, device, anon), where the kernel side could tell (tp_btf); else
   * absent. The same syscall on two kinds is two rows. */
  on?: BlockedOn
  ns: number
  uninterruptible_ns: number
  processes?: { pid: number; comm: string; ns: number }[]
  /** ppid: which of `processes` it is a child of (absent in recordings from before) */
  waiting_for?: { pid: number; comm: string; ppid?: number }[]
  /** how many processes were blocked in it, and they by name (`comm`, "pid N" for a name never
   * read), most time first (at most ten), with how many had that name, their time, and for
   * wait4/waitid their children's names (at most five, longest-lived first): make -j's compilers
   * are one entry. Absent in recordings from before. */
  processes_total?: number
  process_names?: { comm: string; processes: number; ns: number; waiting_for?: string[] }[]
}

/** One step of a thread's lane: how [t0_ms, t1_ms] of it was spent, ns (as the ticks inside the
 * step accounted it: the order of the states inside a step is not known). */
export interface ThreadLaneStep {
  t0_ms: number
  t1_ms: number
  cpu_ns: number
  runqueue_ns: number
  /** blocked, interruptible and uninterruptible */
  sleep_ns: number
  disk_ns: number
  /** what it was blocked in for the most of this step (null: not blocked) */
  blocked_in: string | null
}

/** One of the top threads of the range, with its figures and its lane. */
export interface ThreadLane {
  pid: number
  tid: number
  comm: string
  time: WallTime
  steps: ThreadLaneStep[]
}

/** The wall-time pane's figures for [from_ms, to_ms]. */
export interface WallTimeRows {
  sessionId: string
  from_ms: number
  to_ms: number
  /** why there are none: null when there are (not recorded: no eBPF, the tracepoint mode, a
   * recording from before wall time was kept) */
  unavailable: string | null
  /** every thread of the tree inside the range, summed (null: none was seen in it) */
  tree: WallTime | null
  /** each process's, most wall time first */
  processes: { pid: number; comm: string; threads: number; time: WallTime }[]
  /** the threads with the most time on a CPU, waiting for one or uninterruptible (then the most
   * wall time), at most WALL_TIME_LANES; thread_count says how many there were in all */
  lanes: ThreadLane[]
  thread_count: number
}

/** the lanes the pane draws, at most */
export const WALL_TIME_LANES = 16
/** steps a lane has, at most (a long range's steps are merged to stay under it) */
export const LANE_STEPS = 600

/** what a read or write was blocked on */
export type BlockedOn = 'file' | 'dir' | 'pipe' | 'socket' | 'device' | 'anon'

const ON_TEXT: Record<BlockedOn, string> = {
  file: 'a file',
  dir: 'a directory',
  pipe: 'a pipe',
  socket: 'a socket',
  device: 'a device',
  anon: 'an anonymous inode'
}

/** "read on a pipe", "futex": what a thread was blocked in, as the sentence and the panes say it */
export function blockedLabel(b: Pick<BlockedBy, 'syscall' | 'on'>): string {
  return b.on ? `${b.syscall} on ${ON_TEXT[b.on]}` : b.syscall
}

/**
 * Processes by name (`formatProcessName`: "pid N" for a name never read), most time first, with
 * how many had each name and their time; given their children (childrenOf, each process's in the
 * order to name them), the children's names too, at most kidsMost a name. The summary's
 * `process_names` and, for a recording from before them, the sentence's own grouping.
 */
export function groupByName(
  who: readonly { pid: number; comm: string; ns: number }[],
  childrenOf: ((pid: number) => readonly { pid: number; comm: string }[]) | null,
  kidsMost: number
): NonNullable<BlockedBy['process_names']> {
  const names = new Map<string, { comm: string; processes: number; ns: number; kids: Set<string> }>()
  for (const p of who) {
    const comm = formatProcessName(p.pid, p.comm)
    let g = names.get(comm)
    if (!g) names.set(comm, (g = { comm, processes: 0, ns: 0, kids: new Set() }))
    g.processes++
    g.ns += p.ns
    if (childrenOf) for (const k of childrenOf(p.pid)) if (g.kids.size < kidsMost) g.kids.add(formatProcessName(k.pid, k.comm))
  }
  return [...names.values()]
    .sort((a, b) => b.ns - a.ns || a.comm.localeCompare(b.comm))
    .map(({ kids, ...g }) => (childrenOf ? { ...g, waiting_for: [...kids] } : g))
}

/** The processes blocked in a row by name, as `process_names` has them; for a recording from
 * before it, from the three `processes` and their children that it kept. */
function namesOf(b: BlockedBy): NonNullable<BlockedBy['process_names']> {
  if (b.process_names) return b.process_names
  const p = b.processes ?? []
  const kids = b.waiting_for ?? []
  // who each child's parent was is known only in recordings that say ppid
  const perParent = kids.every((k) => k.ppid !== undefined)
  const out = groupByName(p, kids.length ? (pid) => kids.filter((k) => k.ppid === pid) : null, kids.length)
  // children with no parent said: all of them after the processes
  if (!perParent && out.length) {
    const names = out.map((g) => g.comm)
    return [
      {
        comm: names.slice(0, 2).join(', ') + (names.length > 2 ? ' and others' : ''),
        processes: 1,
        ns: b.ns,
        waiting_for: kids.map((k) => formatProcessName(k.pid, k.comm))
      }
    ]
  }
  return out
}

/** " (cc ×12 waiting for cc1, as; make waiting for cc, uninterruptible)": who was blocked in it,
 * and how (empty: nothing known) */
function blockedWho(b: BlockedBy): string {
  const parts: string[] = []
  const groups = namesOf(b)
  if (groups.length) {
    // the two names with the most time, each with whom it waited for
    const most = groups.slice(0, 2)
    const each = most.map((g) => {
      const kids = [...new Set(g.waiting_for ?? [])].slice(0, 3)
      return `${g.comm}${g.processes > 1 ? ` ×${formatCount(g.processes)}` : ''}${kids.length ? ` waiting for ${kids.join(', ')}` : ''}`
    })
    // the processes apart from those named
    const total = b.processes_total ?? groups.reduce((n, g) => n + g.processes, 0)
    const rest = total - most.reduce((n, g) => n + g.processes, 0)
    parts.push(`${each.join('; ')}${rest > 0 ? `; and ${formatCount(rest)} more` : ''}`)
  }
  if (b.uninterruptible_ns >= b.ns / 2) parts.push('uninterruptible')
  return parts.length ? ` (${parts.join(', ')})` : ''
}

/** "3.51 s of thread time over 2.10 s: 0.90 s on CPU, 0.10 s waiting for a CPU, 2.41 s blocked:
 * 1.90 s wait4, ..." (the CLI's summary and the wall-time pane say it alike) */
export function wallTimeSentence(w: WallTime): string {
  // seconds from 0.1 s, ms under it, so that a short run or part does not read "0.00 s"
  const sec = (ns: number): string =>
    ns === 0 ? '0 s' : ns >= 1e8 ? `${(ns / 1e9).toFixed(ns >= 1e10 ? 1 : 2)} s` : `${(ns / 1e6).toFixed(ns < 1e7 ? 1 : 0)} ms`
  const over = w.elapsed_ns !== null ? ` over ${sec(w.elapsed_ns)}` : ''
  // a part is named when it is at least 1 % of the blocked time (five at most); the rest is
  // "else" when it too reaches 1 %
  const named = w.blocked_by.filter((b) => b.ns * 100 >= w.blocked_ns).slice(0, 5)
  const top = named.map((b) => `${sec(b.ns)} ${blockedLabel(b)}${blockedWho(b)}`)
  const rest = w.blocked_ns - named.reduce((n, b) => n + b.ns, 0)
  if (rest * 100 >= w.blocked_ns && rest > 0) top.push(`${sec(rest)} else`)
  const blocked = `${sec(w.blocked_ns)} blocked${top.length ? ': ' + top.join(', ') : ''}`
  const split = w.on_cpu_system_ns !== null && w.on_cpu_user_ns !== null ? ` (${sec(w.on_cpu_user_ns)} user, ${sec(w.on_cpu_system_ns)} in syscalls)` : ''
  return `${sec(w.wall_ns)} of thread time${over}: ${sec(w.on_cpu_ns)} on CPU${split}, ${sec(w.runqueue_ns)} waiting for a CPU, ${blocked}`
}
