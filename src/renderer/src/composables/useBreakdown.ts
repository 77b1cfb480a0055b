// The breakdown of the selected range: fetched again 250 ms after the range stops changing,
// every second while a live session is shown whole, and once more when it ends. An answer that
// arrives after a newer question was asked is dropped.
import { onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue'
import type { Breakdown } from '@shared/contract'
import { attempt } from '../lib/notify'

export const BREAKDOWN_DEBOUNCE_MS = 250
export const LIVE_REFRESH_MS = 1000
/** until the first syscalls show, a live session's breakdown is asked for this often */
export const LIVE_FIRST_MS = 200

/**
 * `data` changes when new ticks arrived: until the first syscalls show, that is when a live
 * session's breakdown is asked for again (then once a second).
 */
export function useBreakdown(sessionId: string, range: Ref<[number, number] | null>, live: Ref<boolean>, data?: Ref<unknown>) {
  const breakdown = shallowRef<Breakdown | null>(null)
  /** the range the breakdown shown was asked for (null: the whole run) */
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
      () => window.syscope.breakdown(sessionId, Math.max(0, Math.floor(from)), Math.max(0, Math.ceil(to))),
      'Breakdown failed',
      (m) => {
        if (seq === asked) error.value = m
      }
    )
    if (b && seq === asked) {
      breakdown.value = b
      shownRange.value = asking
      error.value = null
    }
  }

  watch(range, () => {
    clearTimeout(debounce)
    debounce = setTimeout(() => void refresh(), BREAKDOWN_DEBOUNCE_MS)
  })
  // the last ticks arrive with the end: the whole-run figures follow once more
  watch(live, (now, before) => {
    if (before && !now) void refresh()
  })
  // once a second; but a session that just started shows its first syscalls as soon as they come
  const empty = (): boolean => !breakdown.value || breakdown.value.total_calls === 0
  const timer = setInterval(() => {
    if (!live.value || range.value) return
    const every = empty() ? LIVE_FIRST_MS : LIVE_REFRESH_MS
    if (performance.now() - askedAt >= every - LIVE_FIRST_MS / 2) void refresh()
  }, LIVE_FIRST_MS)
  if (data)
    watch(data, () => {
      if (live.value && !range.value && empty() && performance.now() - askedAt >= LIVE_FIRST_MS / 2) void refresh()
    })

  onScopeDispose(() => {
    clearTimeout(debounce)
    clearInterval(timer)
  })
  return { breakdown, shownRange, error, refresh }
}
