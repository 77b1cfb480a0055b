// Call `fn` now and every `ms` after the previous call settled (never two at once), until the
// component goes away; paused while the page is hidden.
import { onScopeDispose } from 'vue'

export function usePolling(fn: () => Promise<unknown>, ms: number): { refresh: () => Promise<void> } {
  let timer: ReturnType<typeof setTimeout> | undefined
  let running = false
  let disposed = false
  const tick = async (): Promise<void> => {
    if (running || disposed) return
    running = true
    clearTimeout(timer)
    try {
      if (typeof document === 'undefined' || !document.hidden) await fn()
    } finally {
      running = false
      if (!disposed) timer = setTimeout(() => void tick(), ms)
    }
  }
  void tick()
  onScopeDispose(() => {
    disposed = true
    clearTimeout(timer)
  })
  return { refresh: tick }
}
