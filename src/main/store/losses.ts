// What a session lost, in words, with its size: processes, events and syscall numbers the helper
// could not keep (its tables were full), and the part of the run the helper was gone for (its
// totals cover only the rest). The summary (text and JSON) and the app's views all show these.
import type { SessionEvent } from '../../shared/contract'

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

export function lossWarnings(store: LossSource): string[] {
  const out: string[] = []
  const lost = { procs: 0, events: 0, nr: 0, files: 0, net: 0 }
  let first: number | null = null
  let last = 0
  for (const ev of store.events) {
    if (ev.kind !== 'notice' || !ev.loss) continue
    lost.procs += ev.loss.procs
    lost.events += ev.loss.events
    lost.nr += ev.loss.nr
    lost.files += ev.loss.files ?? 0
    lost.net += ev.loss.net ?? 0
    first ??= ev.t_ms
    last = ev.t_ms
  }
  if (first !== null) {
    const when = first === last ? `at ${secs(first)}` : `between ${secs(first)} and ${secs(last)}`
    if (lost.procs)
      out.push(
        `${lost.procs} process(es) were not traced (the helper's process table was full, ${when}; --max-procs raises it): their syscalls are missing from the totals`
      )
    if (lost.events) out.push(`${lost.events} fork/exec/exit event(s) were lost (the helper's event buffer was full, ${when})`)
    if (lost.nr) out.push(`${lost.nr} syscall(s) with numbers the helper cannot count were left out (${when})`)
    if (lost.files)
      out.push(
        `${lost.files} file use(s), name(s) or failed open(s) were not kept (the helper's files tables were full, ${when}): the files section misses them`
      )
    if (lost.net) out.push(`${lost.net} socket(s) or peer(s) were not kept (the helper's network tables were full, ${when}): the network section misses them`)
  }
  const gap = helperGap(store)
  if (gap) out.push(gap)
  return out
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
