// window.syscope for a browser page served by `syscope serve` (docs/bridge.md): the same
// contract as Electron's preload, over fetch and one EventSource.
import { ApiMethods, Events, type ApiMethod, type ApiReply, type SyscopeApi } from '@shared/contract'

class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string
  ) {
    super(message)
  }
}

export function createHttpApi(token: string, base = ''): SyscopeApi {
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  let source: EventSource | null = null
  const ensureSource = (): void => {
    if (source) return
    source = new EventSource(`${base}/api/events?token=${encodeURIComponent(token)}`)
    for (const ev of Object.values(Events)) {
      source.addEventListener(ev, (e) => {
        const payload = JSON.parse((e as MessageEvent<string>).data) as unknown
        for (const cb of listeners.get(ev) ?? []) cb(payload)
      })
    }
  }
  const subscribe =
    <T>(ev: string) =>
    (cb: (p: T) => void): (() => void) => {
      ensureSource()
      let set = listeners.get(ev)
      if (!set) listeners.set(ev, (set = new Set()))
      const fn = cb as (p: unknown) => void
      set.add(fn)
      return () => set!.delete(fn)
    }
  const call =
    (method: ApiMethod) =>
    async (...args: unknown[]): Promise<never> => {
      const res = await fetch(`${base}/api/${method}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ args })
      })
      const reply = (await res.json()) as ApiReply<never>
      if (reply.ok) return reply.value
      throw new ApiError(reply.error.message, reply.error.code)
    }
  const api = Object.fromEntries(Object.keys(ApiMethods).map((m) => [m, call(m as ApiMethod)])) as unknown as SyscopeApi
  api.onTicks = subscribe(Events.sessionTicks)
  api.onEvent = subscribe(Events.sessionEvent)
  api.onOutput = subscribe(Events.sessionOutput)
  api.onEnded = subscribe(Events.sessionEnded)
  return api
}

/** Installs window.syscope from the page's #token= when no preload provided it. */
export function installHttpBridge(): void {
  if ((window as { syscope?: SyscopeApi }).syscope) return
  const token = new URLSearchParams(location.hash.slice(1)).get('token')
  if (token) window.syscope = createHttpApi(token)
}
