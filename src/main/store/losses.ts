// What a session lost, in words, with its size: processes, events and syscall numbers the helper
// could not keep (its tables were full), what the kernel did not show it (filled in from the
// kernel's own figures), and the part of the run the helper was gone for (its
// totals cover only the rest). The summary (text and JSON) and the app's views all show these.
import { LOSS_KINDS, type Loss, type LossKind, type SessionEvent } from '../../shared/contract'
import type { FilledIn } from '../types/summary'

/** What the warnings are read from: the session's notices and its ticks (the store is one). */
export interface LossSource {
  readonly events: readonly SessionEvent[]
  readonly header: { readonly ebpf: { readonly ready: boolean } }
  readonly tickCount: number
  tickTime(i: number): number
  syscallGapAt(i: number): boolean
}

type Notice = Extract<SessionEvent, { kind: 'notice' }>

const HELPER_STOPPED = 'the syscall helper stopped: '

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/** What each kind of loss is, as a count of things lost (the live notice) and as a warning of
 * what the summary misses (`when` says when it happened). */
const LOSS_TEXT: Record<LossKind, { lost: (n: number) => string; warning: (n: number, when: string) => string }> = {
  procs: {
    lost: (n) => `${n} process(es) (their syscalls are not counted)`,
    warning: (n, when) =>
      `${n} process(es) were not traced (the helper's process table was full, ${when}; --max-procs raises it): their syscalls are missing from the totals`
  },
  events: { lost: (n) => `${n} event(s)`, warning: (n, when) => `${n} fork/exec/exit event(s) were lost (the helper's event buffer was full, ${when})` },
  nr: {
    lost: (n) => `${n} syscall(s) with numbers it cannot count`,
    warning: (n, when) => `${n} syscall(s) with numbers the helper cannot count were left out (${when})`
  },
  files: {
    lost: (n) => `${n} file use(s), name(s) or failed open(s)`,
    warning: (n, when) =>
      `${n} file use(s), name(s) or failed open(s) were not kept (the helper's files tables were full, ${when}): the files section misses them`
  },
  net: {
    lost: (n) => `${n} socket(s) or peer(s)`,
    warning: (n, when) => `${n} socket(s) or peer(s) were not kept (the helper's network tables were full, ${when}): the network section misses them`
  },
  latency: {
    lost: (n) => `${n} syscall latency histogram(s)`,
    warning: (n, when) =>
      `${n} (process, syscall) latency histogram(s) were not kept (the helper's histogram rows ran out, ${when}): their calls are counted, but not in the histograms`
  },
  errnos: {
    lost: (n) => `${n} failed call(s) by errno`,
    warning: (n, when) => `${n} failed call(s) were not counted by errno (the helper's errno table was full, ${when}): the errno breakdowns miss them`
  },
  threads: {
    lost: (n) => `${n} thread(s) whose time is not accounted`,
    warning: (n, when) => `${n} thread(s) had their time not accounted (the helper's thread table was full, ${when}): the wall-time breakdowns miss them`
  },
  disk: {
    lost: (n) => `${n} disk request(s) not timed`,
    warning: (n, when) =>
      `${n} disk request(s) were not timed (the kernel's table of requests in flight, or of figures per device and process, was full, ${when}): the disk section misses them`
  },
  switches: {
    lost: (n) => `${n} switch(es) of a thread onto or off a CPU (filled in from the thread's CPU clock)`,
    warning: (n, when) =>
      `${n} switch(es) of a thread onto or off a CPU were not shown by the kernel's tracepoint (${when}): the thread's own CPU clock gave its time on a CPU around each, so the wall-time parts still add up, but the rest of that span is counted where the thread was before it (preempted when it was thought on a CPU)`
  },
  late_threads: {
    lost: (n) => `${n} thread(s) first seen after they began (filled in from the kernel's figures)`,
    warning: (n, when) =>
      `${n} thread(s) were first seen after they began (${when}): their time before that is the kernel's figures (time on a CPU, waiting for one), the rest counted as blocked, reason not known`
  }
}

/** Not lost for want of room: the kernel did not show them, and the helper filled them in from
 * the kernel's own figures. Routine on a loaded VM (a switch in a hundred), so not a warning:
 * the summary counts them (ebpf.filled_in) and the live notice is for information. */
const FILLED_IN = ['switches', 'late_threads'] as const satisfies readonly LossKind[]
const isFilledIn = (k: LossKind): boolean => (FILLED_IN as readonly LossKind[]).includes(k)

/** A tick's notice is a warning when it lost something for want of room; only filled in, it is
 * for information. */
export const lossLevel = (loss: Loss): 'warning' | 'info' => (LOSS_KINDS.some((k) => loss[k] && !isFilledIn(k)) ? 'warning' : 'info')

/** The live notice for what the helper lost in one tick; null when it lost nothing. */
export function lossNotice(loss: Loss): string | null {
  const said = (kinds: readonly LossKind[]): string => kinds.map((k) => LOSS_TEXT[k].lost(loss[k]!)).join(', ')
  const full = LOSS_KINDS.filter((k) => loss[k] && !isFilledIn(k))
  const filled = FILLED_IN.filter((k) => loss[k])
  const parts = [
    ...(full.length ? [`the helper lost ${said(full)}: its tables were full`] : []),
    ...(filled.length ? [`the kernel did not show the helper ${said(filled)}`] : [])
  ]
  return parts.length ? parts.join('; ') : null
}

/**
 * The session's notices of `kinds`, summed by kind, and each kind's count in words with when
 * (the first and the last notice that had any of them).
 */
function sumNotices(store: LossSource, kinds: readonly LossKind[]): { n: Record<LossKind, number>; said: string[] } {
  const n = Object.fromEntries(LOSS_KINDS.map((k) => [k, 0])) as Record<LossKind, number>
  let first: number | null = null
  let last = 0
  for (const ev of store.events) {
    if (ev.kind !== 'notice' || !ev.loss) continue
    const here = kinds.filter((k) => ev.loss![k])
    if (!here.length) continue
    for (const k of here) n[k] += ev.loss[k]!
    first ??= ev.t_ms
    last = ev.t_ms
  }
  if (first === null) return { n, said: [] }
  const when = first === last ? `at ${secs(first)}` : `between ${secs(first)} and ${secs(last)}`
  return { n, said: kinds.filter((k) => n[k]).map((k) => LOSS_TEXT[k].warning(n[k], when)) }
}

export function lossWarnings(store: LossSource): string[] {
  const out = sumNotices(
    store,
    LOSS_KINDS.filter((k) => !isFilledIn(k))
  ).said
  const gap = helperGap(store)
  if (gap) out.push(gap)
  return out
}

/** What the helper filled in over the session, by kind (0: none), and each in words; null
 * without eBPF. */
export function filledIn(store: LossSource): FilledIn | null {
  if (!store.header.ebpf.ready) return null
  const { n, said } = sumNotices(store, FILLED_IN)
  return { switches: n.switches, late_threads: n.late_threads, notes: said }
}

/**
 * With eBPF on, ticks marked `gap` had no helper: name how much of the run its totals cover.
 * (A session that never had the helper says so in its eBPF status instead.)
 */
function helperGap(store: LossSource): string | null {
  if (!store.header.ebpf.ready || store.tickCount === 0) return null
  let covered = 0
  let missing = 0
  let gapFrom: number | null = null
  let prev = 0
  for (let i = 0; i < store.tickCount; i++) {
    const t = store.tickTime(i)
    if (store.syscallGapAt(i)) {
      missing += t - prev
      gapFrom ??= prev
    } else covered += t - prev
    prev = t
  }
  if (gapFrom === null) return null
  const total = covered + missing
  const share = total > 0 ? Math.round((covered / total) * 100) : 0
  const why = store.events.find((e): e is Notice => e.kind === 'notice' && e.message.startsWith(HELPER_STOPPED))
  const reason = why ? why.message.slice(HELPER_STOPPED.length).split('. ')[0] : 'it stopped'
  return `syscall totals cover only ${share} % of the run (${secs(covered)} of ${secs(total)}): the syscall helper was gone from ${secs(gapFrom)} on (${reason})`
}
