/// <reference types="node" />
// The browser bridge client (bridge/http.ts) against real HTTP servers: a tiny one started here
// to produce every kind of answer, and syscope's own `serve()` with a stub backend.
import { EventEmitter } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventSource as UndiciEventSource } from 'undici'
import { ApiError, createHttpApi, tokenFromHash } from '../../src/renderer/src/bridge/http'
import type { OutputChunk, TickBatch } from '../../src/shared/contract'

const ES = UndiciEventSource as unknown as typeof EventSource
const TOKEN = 'tok3n'

interface Seen {
  method: string
  auth: string | undefined
  type: string | undefined
  body: unknown
}

let tiny: Server
let base = ''
const seen: Seen[] = []
const streams = new Set<ServerResponse>()

function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
  const method = (req.url ?? '').replace(/^\/api\//, '')
  seen.push({ method, auth: req.headers.authorization, type: req.headers['content-type'], body: body ? JSON.parse(body) : null })
  const json = (status: number, v: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify(v))
  }
  if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(401, { ok: false, error: { code: 'EAUTH', message: 'missing or wrong token' } })
  if (method === 'listRecordings') return json(200, { ok: true, value: [{ path: '/r/a.syscope', title: 'a', startedAtMs: 1, durationMs: 2, sizeBytes: 3 }] })
  if (method === 'stop') return json(200, { ok: true, value: null })
  if (method === 'snapshot') return json(200, { ok: false, error: { code: 'ENOENT', message: 'no session "nope"' } })
  if (method === 'launch') {
    res.writeHead(502, { 'Content-Type': 'text/html' })
    return void res.end('<html>bad gateway</html>')
  }
  json(404, { ok: false, error: { code: 'ENOMETHOD', message: `no method "${method}"` } })
}

beforeAll(async () => {
  tiny = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/api/events') {
      if (url.searchParams.get('token') !== TOKEN) {
        res.writeHead(401, { 'Content-Type': 'application/json' })
        return void res.end('{"ok":false}')
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' })
      res.write(': hello\n\n')
      streams.add(res)
      req.on('close', () => streams.delete(res))
      return
    }
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => answer(req, res, body))
  })
  await new Promise<void>((r) => tiny.listen(0, '127.0.0.1', () => r()))
  const addr = tiny.address()
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`
})

afterAll(async () => {
  for (const s of streams) s.end()
  await new Promise<void>((r) => tiny.close(() => r()))
})

const push = (event: string, data: string): void => {
  for (const s of streams) s.write(`event: ${event}\ndata: ${data}\n\n`)
}
const until = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('requests', () => {
  let api: ReturnType<typeof createHttpApi>
  beforeAll(() => {
    api = createHttpApi(TOKEN, { base, EventSource: ES })
  })

  it('POSTs the arguments with the bearer token and returns the value', async () => {
    const list = await api.listRecordings()
    expect(list[0]!.title).toBe('a')
    await api.stop('s1')
    expect(seen.slice(-2)).toEqual([
      { method: 'listRecordings', auth: `Bearer ${TOKEN}`, type: 'application/json', body: { args: [] } },
      { method: 'stop', auth: `Bearer ${TOKEN}`, type: 'application/json', body: { args: ['s1'] } }
    ])
  })

  it('turns an error reply into an ApiError with main’s code and message', async () => {
    const e = await api.snapshot('nope', 10).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ApiError)
    expect(e).toMatchObject({ code: 'ENOENT', message: 'no session "nope"' })
  })

  it('reports a wrong token, an unknown method and a non-JSON answer by what happened', async () => {
    await expect(createHttpApi('wrong', { base }).listRecordings()).rejects.toMatchObject({ code: 'EAUTH', message: 'missing or wrong token' })
    await expect(api.compare('a', 'b')).rejects.toMatchObject({ code: 'ENOMETHOD' })
    await expect(api.launch({ argv: ['x'] })).rejects.toMatchObject({ code: 'EHTTP', message: expect.stringMatching(/launch: HTTP 502/) })
  })

  it('says when the server cannot be reached', async () => {
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()))
    const addr = closed.address()
    await new Promise<void>((r) => closed.close(() => r()))
    const gone = createHttpApi(TOKEN, { base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 1}` })
    await expect(gone.ebpfStatus()).rejects.toMatchObject({ code: 'ENET', message: expect.stringMatching(/cannot reach syscope serve/) })
  })
})

describe('events', () => {
  it('opens one stream on the first subscription and dispatches each channel to its listeners', async () => {
    const api = createHttpApi(TOKEN, { base, EventSource: ES })
    const ticks: TickBatch[] = []
    const outputs: OutputChunk[] = []
    const ended: unknown[] = []
    const offTicks = api.onTicks((b) => ticks.push(b))
    api.onOutput((o) => outputs.push(o))
    api.onEnded((m) => ended.push(m))
    await until(() => streams.size === 1)
    push('session:ticks', JSON.stringify({ sessionId: 's', tree: [], processes: [] }))
    push('session:output', JSON.stringify({ sessionId: 's', stream: 'stderr', t_ms: 5, text: 'oops\n' }))
    push('session:ticks', '{not json')
    push('session:ended', JSON.stringify({ sessionId: 's', exitCode: 0, exitSignal: null, message: null }))
    await until(() => ended.length === 1)
    expect(ticks).toEqual([{ sessionId: 's', tree: [], processes: [] }])
    expect(outputs).toEqual([{ sessionId: 's', stream: 'stderr', t_ms: 5, text: 'oops\n' }])
    // unsubscribed listeners hear nothing more; the others still do
    offTicks()
    push('session:ticks', JSON.stringify({ sessionId: 't', tree: [], processes: [] }))
    push('session:ended', JSON.stringify({ sessionId: 't', exitCode: 1, exitSignal: null, message: null }))
    await until(() => ended.length === 2)
    expect(ticks).toHaveLength(1)
    expect(streams.size).toBe(1)
    api.close()
    await until(() => streams.size === 0)
  })

  it('tells when the stream is refused for good', async () => {
    const lost: string[] = []
    const api = createHttpApi('wrong', { base, EventSource: ES, onConnectionLost: (m) => lost.push(m) })
    api.onEvent(() => {})
    await until(() => lost.length === 1)
    expect(lost[0]).toMatch(/Lost the live event stream/)
    api.close()
  })
})

// main's own module, loaded by a path the web project's type check does not follow (it checks
// renderer code only); the shape used here is all this test relies on
interface ServeHandle {
  port: number
  token: string
  close(): Promise<void>
}
type Serve = (backend: unknown, opts: { rendererDir: string; token?: string }) => Promise<ServeHandle>
const SERVE_MODULE = '../../src/main/serve'

describe('against syscope serve', () => {
  let handle: ServeHandle
  let dir = ''
  const events = new EventEmitter()
  const backend = {
    events,
    ebpfStatus: async () => ({ ready: true, mode: 'tp_btf', helperPath: null, helperReason: null, problem: null, fix: null }),
    breakdown: async () => {
      throw new Error('should not be reached: arguments are validated first')
    }
  }

  beforeAll(async () => {
    const { serve } = (await import(/* @vite-ignore */ SERVE_MODULE)) as { serve: Serve }
    dir = mkdtempSync(join(tmpdir(), 'syscope-bridge-'))
    handle = await serve(backend, { rendererDir: dir, token: TOKEN })
  })
  afterAll(async () => {
    await handle.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('calls methods, gets validation errors, and receives pushed events', async () => {
    const api = createHttpApi(handle.token, { base: `http://127.0.0.1:${handle.port}`, EventSource: ES })
    expect(await api.ebpfStatus()).toMatchObject({ ready: true, mode: 'tp_btf' })
    await expect(api.breakdown('x', 5, 1)).rejects.toMatchObject({ code: 'EINVAL' })
    const got: TickBatch[] = []
    api.onTicks((b) => got.push(b))
    const batch: TickBatch = { sessionId: 'live', tree: [], processes: [{ t_ms: 1, points: [] }] }
    // the stream is open once the server counts a listener on it: emit until it arrives
    await until(() => {
      if (!got.length) events.emit('session:ticks', batch)
      return got.length > 0
    })
    expect(got[0]).toEqual(batch)
    api.close()
  })
})

describe('tokenFromHash', () => {
  it('reads the token from the fragment', () => {
    expect(tokenFromHash('#token=abc123')).toBe('abc123')
    expect(tokenFromHash('#x=1&token=t')).toBe('t')
    expect(tokenFromHash('')).toBeNull()
    expect(tokenFromHash('#token=')).toBeNull()
  })
})
