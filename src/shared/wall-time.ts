// Every thread's wall time, explained, as the JSON summary and the renderer's wall-time pane show
// it: on a CPU, waiting for one, blocked and in what (SyscopeApi.wallTime), and each of the top
// threads' states over the range as a lane.
import { formatProcessName } from './format'

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

/** " (tar waiting for gzip, uninterruptible)": who was blocked in it, and how (empty: nothing known) */
function blockedWho(b: BlockedBy): string {
  const parts: string[] = []
  const p = b.processes ?? []
  // a process whose name was never read (an older recording's short-lived fork): its pid
  const name = (x: { pid: number; comm: string }): string => formatProcessName(x.pid, x.comm)
  const names = (xs: { pid: number; comm: string }[], most: number): string => [...new Set(xs.map(name))].slice(0, most).join(', ')
  const kids = b.waiting_for ?? []
  if (p.length && kids.length && kids.every((k) => k.ppid !== undefined)) {
    // each waiting process with its own children: "sh waiting for xargs, wc; xargs waiting for
    // gzip"; processes of one name as one, with their children together: make -j's compilers
    // are "cc ×12 waiting for cc1, as", not the same words twelve times
    const groups = new Map<string, { ns: number; n: number; kids: typeof kids }>()
    for (const x of p) {
      const g = groups.get(name(x)) ?? { ns: 0, n: 0, kids: [] }
      groups.set(name(x), { ns: g.ns + x.ns, n: g.n + 1, kids: [...g.kids, ...kids.filter((k) => k.ppid === x.pid)] })
    }
    const most = [...groups].sort((a, b) => b[1].ns - a[1].ns).slice(0, 2)
    const each = most.map(([who, g]) => `${who}${g.n > 1 ? ` ×${g.n}` : ''}${g.kids.length ? ` waiting for ${names(g.kids, 3)}` : ''}`)
    // the processes apart from those named
    const rest = p.length - most.reduce((n, [, g]) => n + g.n, 0)
    parts.push(`${each.join('; ')}${rest > 0 ? `; and ${rest} more` : ''}`)
  } else if (p.length) {
    const waited = kids.length ? ` waiting for ${names(kids, 3)}` : ''
    parts.push(`${names(p, 2)}${p.length > 2 ? ' and others' : ''}${waited}`)
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
