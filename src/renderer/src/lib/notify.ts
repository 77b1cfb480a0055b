// One place where failed calls become messages the user sees.
import { ref } from 'vue'

export const toasts = ref<{ id: number; text: string; level: 'error' | 'info' }[]>([])
let next = 1

export function notify(text: string, level: 'error' | 'info' = 'error'): void {
  const id = next++
  toasts.value = [...toasts.value, { id, text, level }]
  setTimeout(() => (toasts.value = toasts.value.filter((t) => t.id !== id)), 8000)
}

/** Run an API call; on failure show its message and return null. */
export async function attempt<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn()
  } catch (e) {
    notify((e as Error).message)
    return null
  }
}
