// window.syscope for a page served by `syscope serve` (docs/bridge.md): the same contract as
// Electron's preload, over fetch (POST /api/METHOD with the bearer token) and one EventSource
// (GET /api/events?token=…) opened on the first subscription.
import { ApiMethods, Events, type ApiMethod, type ApiReply, type SyscopeApi } from '@shared/contract'

/** A failed call: `code` as main sent it (EINVAL, ENOENT, EAUTH…), or EHTTP / ENET from here. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export interface HttpApiOptions {
  /** origin of the server; '' = this page's */
  base?: string
  fetch?: typeof fetch
  EventSource?: typeof EventSource
  /** the event stream was refused or closed for good (a wrong token, the server stopped) */
  onConnectionLost?: (message: string) => void
}

type Listener = (payload: unknown) => void

export function createHttpApi(token: string, opts: HttpApiOptions = {}): SyscopeApi & { close(): void } {
  const base = opts.base ?? ''
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a))
  const ES = opts.EventSource ?? (typeof EventSource !== 'undefined' ? EventSource : undefined)
  const listeners = new Map<string, Set<Listener>>()
  let source: EventSource | null = null

  const dispatch = (channel: string, data: string): void => {
    let payload: unknown
    try {
      payload = JSON.parse(data)
    } catch {
      return // not ours to guess at
    }
    for (const cb of [...(listeners.get(channel) ?? [])]) {
      try {
        cb(payload)
      } catch (e) {
        // one failing listener must not starve the others
        queueMicrotask(() => {
          throw e
        })
      }
    }
  }

  const ensureSource = (): void => {
    if (source || !ES) return
    const s = new ES(`${base}/api/events?token=${encodeURIComponent(token)}`)
    source = s
    for (const channel of Object.values(Events)) s.addEventListener(channel, (e) => dispatch(channel, String(e.data)))
    // EventSource reconnects by itself after a dropped connection; CLOSED means it gave up
    s.addEventListener('error', () => {
      if (s.readyState === 2)
        opts.onConnectionLost?.('Lost the live event stream from syscope serve (stopped, or the token is wrong). Reload the page to reconnect.')
    })
  }

  const subscribe =
    (channel: string) =>
    (cb: (payload: never) => void): (() => void) => {
      ensureSource()
      let set = listeners.get(channel)
      if (!set) listeners.set(channel, (set = new Set()))
      const fn = cb as Listener
      set.add(fn)
      return () => {
        set.delete(fn)
      }
    }

  const call =
    (method: ApiMethod) =>
    async (...args: unknown[]): Promise<unknown> => {
      let res: Response
      try {
        res = await doFetch(`${base}/api/${method}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ args }),
          cache: 'no-store'
        })
      } catch (e) {
        throw new ApiError(`cannot reach syscope serve (${(e as Error).message})`, 'ENET')
      }
      const text = await res.text()
      let reply: ApiReply<unknown> | null
      try {
        reply = JSON.parse(text) as ApiReply<unknown>
      } catch {
        reply = null
      }
      if (reply && typeof reply === 'object' && 'ok' in reply) {
        if (reply.ok) return reply.value
        throw new ApiError(reply.error?.message || `${method} failed`, reply.error?.code || 'EFAIL')
      }
      throw new ApiError(`${method}: HTTP ${res.status} ${res.statusText}`.trim(), 'EHTTP')
    }

  const methods = Object.fromEntries((Object.keys(ApiMethods) as ApiMethod[]).map((m) => [m, call(m)]))
  return {
    ...(methods as unknown as Omit<SyscopeApi, 'onTicks' | 'onEvent' | 'onOutput' | 'onEnded'>),
    onTicks: subscribe(Events.sessionTicks),
    onEvent: subscribe(Events.sessionEvent),
    onOutput: subscribe(Events.sessionOutput),
    onEnded: subscribe(Events.sessionEnded),
    close: () => {
      source?.close()
      source = null
    }
  }
}

/** The token in a page fragment like `#token=abc` (or `#a=1&token=abc`), or null. */
export function tokenFromHash(hash: string): string | null {
  const t = new URLSearchParams(hash.replace(/^#/, '')).get('token')
  return t ? t : null
}

/** Installs window.syscope from the page's #token= when no preload provided it. */
export function installHttpBridge(opts: Omit<HttpApiOptions, 'base'> = {}): boolean {
  if ((window as { syscope?: SyscopeApi }).syscope) return false
  const token = tokenFromHash(location.hash)
  if (!token) return false
  window.syscope = createHttpApi(token, opts)
  return true
}
