// Data the renderer tests share.
import type { TreePoint } from '../../src/shared/contract'

export const treePoint = (t: number, over: Partial<TreePoint> = {}): TreePoint => ({
  t_ms: t,
  cpu_pct: 10,
  rss_bytes: 1 << 20,
  pss_bytes: 1 << 19,
  read_bytes_per_s: 0,
  write_bytes_per_s: 0,
  threads: 1,
  fds: 3,
  processes: 1,
  syscalls_per_s: { file_io: 100 },
  errors_per_s: 0,
  syscall_gap: false,
  ...over
})

import type { SyscopeApi } from '../../src/shared/contract'

type Listeners = { ticks: ((b: never) => void)[]; event: ((b: never) => void)[]; output: ((b: never) => void)[]; ended: ((b: never) => void)[] }

/**
 * A stand-in for window.syscope in component tests (the real one is exercised end to end in
 * Chromium): each method answers from `impl` or rejects saying it was not expected; calls are
 * recorded; pushed events can be sent with `emit`.
 */
export function fakeApi(impl: Partial<Record<keyof SyscopeApi, (...args: never[]) => unknown>>) {
  const calls: { method: string; args: unknown[] }[] = []
  const listeners: Listeners = { ticks: [], event: [], output: [], ended: [] }
  const api = new Proxy({} as SyscopeApi, {
    get(_t, prop: string) {
      const on = { onTicks: 'ticks', onEvent: 'event', onOutput: 'output', onEnded: 'ended' }[prop] as keyof Listeners | undefined
      if (on)
        return (cb: (b: never) => void) => {
          listeners[on].push(cb)
          return () => listeners[on].splice(listeners[on].indexOf(cb), 1)
        }
      return async (...args: unknown[]) => {
        calls.push({ method: prop, args })
        const fn = (impl as Record<string, ((...a: unknown[]) => unknown) | undefined>)[prop]
        if (!fn) throw new Error(`${prop} was not expected in this test`)
        return fn(...args)
      }
    }
  })
  const emit = (kind: keyof Listeners, payload: unknown): void => {
    for (const cb of [...listeners[kind]]) cb(payload as never)
  }
  return { api, calls, emit }
}
