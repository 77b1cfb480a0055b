// What the views show for the selected range (the breakdown, the files and sockets): fetched
// again 250 ms after the range stops changing, every second while a live session is shown whole,
// and once more when it ends. An answer that arrives after a newer question was asked is dropped.
import { onScopeDispose, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue'
import type { Breakdown, DetailRows, DiskRows, LatencyRows, WallTimeRows } from '@shared/contract'
import { attempt } from '../lib/notify'

export const RANGE_DEBOUNCE_MS = 250
export const LIVE_REFRESH_MS = 1000
/** until the first figures show, a live session's are asked for this often */
export const LIVE_FIRST_MS = 200

export interface RangeFetch<T> {
  value: ShallowRef<T | null>
  /** the range the value shown was asked for (null: the whole run) */
  shownRange: ShallowRef<[number, number] | null>
  error: Ref<string | null>
  refresh: () => Promise<void>
}

/**
 * `ask` fetches the figures of [from, to] ms; `empty` says whether they show nothing yet. `data`
 * changes when new ticks arrived: until the first figures show, that is when a live session's
 * are asked for again (then once a second).
 */
export function useRangeFetch<T>(
  ask: (fromMs: number, toMs: number) => Promise<T>,
  failure: string,
  empty: (v: T) => boolean,
  range: Ref<[number, number] | null>,
  live: Ref<boolean>,
  data?: Ref<unknown>
): RangeFetch<T> {
  const value = shallowRef<T | null>(null)
  const shownRange = shallowRef<[number, number] | null>(null)
  const error = ref<string | null>(null)
  let asked = 0
  let askedAt = 0
  let debounce: ReturnType<typeof setTimeout> | undefined

  async function refresh(): Promise<void> {
    const seq = ++asked
    askedAt = performance.now()
    const asking = range.value
    const [from, to] = asking ?? [0, 1e12]
    const b = await attempt(
      () => ask(Math.max(0, Math.floor(from)), Math.max(0, Math.ceil(to))),
      failure,
      (m) => {
        if (seq === asked) error.value = m
      }
    )
    if (b && seq === asked) {
      value.value = b
      shownRange.value = asking
      error.value = null
    }
  }

  watch(range, () => {
    clearTimeout(debounce)
    debounce = setTimeout(() => void refresh(), RANGE_DEBOUNCE_MS)
  })
  // the last ticks arrive with the end: the whole-run figures follow once more
  watch(live, (now, before) => {
    if (before && !now) void refresh()
  })
  // once a second; but a session that just started shows its first figures as soon as they come
  const nothing = (): boolean => !value.value || empty(value.value)
  const timer = setInterval(() => {
    if (!live.value || range.value) return
    const every = nothing() ? LIVE_FIRST_MS : LIVE_REFRESH_MS
    if (performance.now() - askedAt >= every - LIVE_FIRST_MS / 2) void refresh()
  }, LIVE_FIRST_MS)
  if (data)
    watch(data, () => {
      if (live.value && !range.value && nothing() && performance.now() - askedAt >= LIVE_FIRST_MS / 2) void refresh()
    })

  onScopeDispose(() => {
    clearTimeout(debounce)
    clearInterval(timer)
  })
  return { value, shownRange, error, refresh }
}

/** The category breakdown, top syscalls and process figures of the selected range. */
export function useBreakdown(sessionId: string, range: Ref<[number, number] | null>, live: Ref<boolean>, data?: Ref<unknown>): RangeFetch<Breakdown> {
  return useRangeFetch(
    (from, to) => window.syscope.breakdown(sessionId, from, to),
    'Breakdown failed',
    (b) => b.total_calls === 0,
    range,
    live,
    data
  )
}

/** The files and sockets each process used in the selected range; the rate charts follow the
 * process picked in the tables (`pid`), asked again when it changes. */
export function useDetail(
  sessionId: string,
  range: Ref<[number, number] | null>,
  live: Ref<boolean>,
  pid: Ref<number | null>,
  data?: Ref<unknown>
): RangeFetch<DetailRows> {
  const f = useRangeFetch(
    (from, to) => window.syscope.detail(sessionId, from, to, pid.value),
    'Files and network failed',
    // a session that watched neither has nothing more to come
    (d) => (d.files !== null || d.network !== null) && !d.files?.length && !d.network?.length,
    range,
    live,
    data
  )
  watch(pid, () => void f.refresh())
  return f
}

/** Each syscall's durations in the selected range, of every process or of the one picked in the
 * pane (`pid`), asked again when it changes. */
export function useLatency(
  sessionId: string,
  range: Ref<[number, number] | null>,
  live: Ref<boolean>,
  pid: Ref<number | null>,
  data?: Ref<unknown>
): RangeFetch<LatencyRows> {
  const f = useRangeFetch(
    (from, to) => window.syscope.latency(sessionId, from, to, pid.value),
    'Latency failed',
    (l) => l.mode !== null && !l.syscalls.length,
    range,
    live,
    data
  )
  watch(pid, () => void f.refresh())
  return f
}

export function useWallTime(sessionId: string, range: Ref<[number, number] | null>, live: Ref<boolean>, data?: Ref<unknown>): RangeFetch<WallTimeRows> {
  return useRangeFetch(
    (from, to) => window.syscope.wallTime(sessionId, from, to),
    'Wall time failed',
    (w) => w.unavailable === null && w.tree === null,
    range,
    live,
    data
  )
}

export function useDisk(sessionId: string, range: Ref<[number, number] | null>, live: Ref<boolean>, data?: Ref<unknown>): RangeFetch<DiskRows> {
  return useRangeFetch(
    (from, to) => window.syscope.disk(sessionId, from, to),
    'Disk failed',
    (d) => d.unavailable === null && !d.devices.length,
    range,
    live,
    data
  )
}
