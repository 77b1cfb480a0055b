// `syscope serve`: the same backend the Electron window uses, offered to a browser on 127.0.0.1
// with a random port and token (docs/bridge.md). Used by the Chromium end-to-end tests, and by
// users who want the UI in a browser.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { ApiMethods, Events, type ApiMethod } from '../shared/contract'
import type { Backend } from './api/backend'
import { handleApiCall } from './api/dispatch'

const MAX_BODY = 1024 * 1024
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json'
}

export interface ServeHandle {
  url: string
  port: number
  token: string
  server: Server
  close(): Promise<void>
}

export async function serve(backend: Backend, opts: { rendererDir: string; port?: number; token?: string }): Promise<ServeHandle> {
  const token = opts.token ?? randomBytes(24).toString('hex')
  const tokenBuf = Buffer.from(token)
  const clients = new Set<ServerResponse>()
  let port = 0

  const authorised = (supplied: string | null | undefined): boolean => {
    if (!supplied) return false
    const b = Buffer.from(supplied)
    return b.length === tokenBuf.length && timingSafeEqual(b, tokenBuf)
  }

  const server = createServer((req, res) => {
    void route(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { ok: false, error: { code: 'EFAIL', message: (e as Error).message } })
    })
  })

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    // DNS rebinding: only our own host name is served
    if (req.headers.host !== `127.0.0.1:${port}`) return send(res, 421, { ok: false, error: { code: 'EHOST', message: 'wrong Host' } })
    const origin = req.headers.origin
    if (origin !== undefined && origin !== `http://127.0.0.1:${port}`)
      return send(res, 403, { ok: false, error: { code: 'EORIGIN', message: 'cross-origin request refused' } })
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
    if (url.pathname === '/api/events' && req.method === 'GET') {
      if (!authorised(url.searchParams.get('token'))) return send(res, 401, { ok: false, error: { code: 'EAUTH', message: 'missing or wrong token' } })
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' })
      res.write(': syscope events\n\n')
      clients.add(res)
      req.on('close', () => clients.delete(res))
      return
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return send(res, 405, { ok: false, error: { code: 'EMETHOD', message: 'use POST' } })
      const auth = req.headers.authorization
      if (!authorised(auth?.startsWith('Bearer ') ? auth.slice(7) : null))
        return send(res, 401, { ok: false, error: { code: 'EAUTH', message: 'missing or wrong token' } })
      const method = url.pathname.slice(5)
      if (!Object.hasOwn(ApiMethods, method)) return send(res, 404, { ok: false, error: { code: 'ENOMETHOD', message: `no method "${method.slice(0, 60)}"` } })
      const body = await readBody(req)
      if (body === null) return send(res, 413, { ok: false, error: { code: 'E2BIG', message: `request body over ${MAX_BODY} bytes` } })
      let args: unknown
      try {
        args = (JSON.parse(body || '{}') as { args?: unknown }).args ?? []
      } catch {
        return send(res, 400, { ok: false, error: { code: 'EINVAL', message: 'body is not JSON' } })
      }
      if (!Array.isArray(args)) return send(res, 400, { ok: false, error: { code: 'EINVAL', message: '"args" must be a list' } })
      return send(res, 200, await handleApiCall(backend, method as ApiMethod, args))
    }
    return serveStatic(url.pathname, res)
  }

  function serveStatic(pathname: string, res: ServerResponse): void {
    let decoded: string
    try {
      decoded = decodeURIComponent(pathname)
    } catch {
      return send(res, 400, {
        ok: false,
        error: { code: 'EINVAL', message: 'the path has a malformed percent-encoding (% must be followed by two hex digits of valid UTF-8)' }
      })
    }
    const rel = pathname === '/' ? 'index.html' : decoded.replace(/^\/+/, '')
    const file = normalize(join(opts.rendererDir, rel))
    if (!file.startsWith(normalize(opts.rendererDir) + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' })
      res.end('not found')
      return
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store' })
    createReadStream(file).pipe(res)
  }

  const forward = (event: string) => (payload: unknown) => {
    const data = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`
    for (const c of clients) c.write(data)
  }
  const listeners = Object.values(Events).map((ev) => [ev, forward(ev)] as const)
  for (const [ev, fn] of listeners) backend.events.on(ev, fn)

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const addr = server.address()
  port = typeof addr === 'object' && addr ? addr.port : 0
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    server,
    async close() {
      for (const [ev, fn] of listeners) backend.events.off(ev, fn)
      for (const c of clients) c.end()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) over = true
      else chunks.push(c)
    })
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' })
  res.end(JSON.stringify(body))
}
