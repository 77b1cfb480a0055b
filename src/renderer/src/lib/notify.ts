// One place where failed calls become messages the user sees: every `window.syscope` call goes
// through `attempt`, so a rejection is shown (toast) and never left unhandled.
import { shallowRef } from 'vue'

export type ToastLevel = 'error' | 'info' | 'success'
export interface Toast {
  id: number
  text: string
  level: ToastLevel
}

export const toasts = shallowRef<Toast[]>([])
let next = 1
const MAX_TOASTS = 5

export function dismiss(id: number): void {
  toasts.value = toasts.value.filter((t) => t.id !== id)
}

export function notify(text: string, level: ToastLevel = 'error'): void {
  const id = next++
  // the same message twice in a row (a poll failing every second) shows once
  if (toasts.value.some((t) => t.text === text && t.level === level)) return
  toasts.value = [...toasts.value.slice(-(MAX_TOASTS - 1)), { id, text, level }]
  setTimeout(() => dismiss(id), level === 'error' ? 10_000 : 5_000)
}

/** The message of whatever was thrown, never "[object Object]". */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name
  if (typeof e === 'string') return e
  if (e && typeof e === 'object' && 'message' in e && typeof e.message === 'string') return e.message
  return String(e)
}

/**
 * Run an API call; on failure show its message (prefixed with what was being done) and return
 * null. `onError` also gets the message, for views that show it inline as well.
 */
export async function attempt<T>(fn: () => Promise<T>, what?: string, onError?: (message: string) => void): Promise<T | null> {
  try {
    return await fn()
  } catch (e) {
    const message = errorMessage(e)
    notify(what ? `${what}: ${message}` : message)
    onError?.(message)
    return null
  }
}
