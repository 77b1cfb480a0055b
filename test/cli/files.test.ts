// Files syscope creates in places others can write to: an export or a recording never goes
// through a symlink (or over a file) planted under its name, and a missing directory is an error,
// not something to create. And the bridge answers a malformed path with 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SessionManager } from '../../src/main/session/manager'
import { createBackend } from '../../src/main/api/backend'
import { serve } from '../../src/main/serve'
import { buildCli, runCli } from './harness'

let dir: string
let shared: string
let victim: string

/** a symlink made by another user (nobody) in the shared directory */
function plantSymlink(target: string, link: string): void {
  execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'ln', '-s', target, link])
  expect(lstatSync(link).uid).toBe(65534)
}

beforeAll(() => {
  buildCli()
  dir = mkdtempSync(join(tmpdir(), 'syscope-files-'))
  chmodSync(dir, 0o755)
  // like /tmp: anyone may create files, only the owner may remove them
  shared = join(dir, 'shared')
  mkdirSync(shared)
  chmodSync(shared, 0o1777)
  victim = join(dir, 'root-owned.conf')
  writeFileSync(victim, 'precious\n', { mode: 0o644 })
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('exports', () => {
  it('never follow a symlink planted under the export’s name, nor overwrite a file there', async () => {
    const m = new SessionManager({ dataDir: join(dir, 'data') })
    const live = await m.launch({ argv: ['true'], ebpf: false, intervalMs: 50 }, join(shared, 'run.syscope'))
    await live.waitEnded()
    const id = live.store.id
    plantSymlink(victim, join(shared, 'run.summary.json'))
    await expect(m.exportSession(id, 'json')).rejects.toThrow(
      `${join(shared, 'run.summary.json')} already exists, and syscope never overwrites a file: remove it or choose another name`
    )
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
    // a dangling one too: it would create the file where it points
    plantSymlink(join(dir, 'made-by-syscope'), join(shared, 'run.timeline.csv'))
    await expect(m.exportSession(id, 'csv')).rejects.toThrow(/already exists/)
    expect(existsSync(join(dir, 'made-by-syscope'))).toBe(false)
    // where nothing is in the way, the export is ours alone
    rmSync(join(shared, 'run.summary.json'))
    const { path } = await m.exportSession(id, 'json')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(path, 'utf8')).session.exit_code).toBe(0)
  })
})

describe('record --out', () => {
  it('refuses a symlink planted under its name', () => {
    const link = join(shared, 'planted.syscope')
    plantSymlink(victim, link)
    const r = runCli(['record', '--no-ebpf', '--out', link, '--', 'true'], { XDG_DATA_HOME: join(dir, 'data') })
    expect(r.status).toBe(127)
    expect(r.stderr).toContain(`${link} already exists, and syscope never overwrites a recording`)
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
  })

  it('refuses a directory that does not exist, naming it, and creates nothing', () => {
    const missing = join(dir, 'no-such-dir', 'deeper')
    const r = runCli(['record', '--no-ebpf', '--out', join(missing, 'x.syscope'), '--', 'true'], { XDG_DATA_HOME: join(dir, 'data') })
    expect(r.status).toBe(127)
    expect(r.stderr.trim()).toBe(
      `syscope: cannot create the recording ${join(missing, 'x.syscope')}: the directory ${missing} does not exist; create it first or choose another`
    )
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false)
  })
})

describe('the bridge', () => {
  it('answers a malformed percent-encoding with 400 and says why', async () => {
    const root = join(dir, 'renderer')
    mkdirSync(root)
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>')
    const backend = createBackend({ dataDir: join(dir, 'bridge-data') })
    const srv = await serve(backend, { rendererDir: root })
    try {
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: srv.port, path: '/%E0%A4%A', method: 'GET' }, (r) => {
          let body = ''
          r.on('data', (d) => (body += d))
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }))
        })
        req.on('error', reject)
        req.end()
      })
      expect(res.status).toBe(400)
      expect(JSON.parse(res.body).error.message).toMatch(/malformed percent-encoding/)
    } finally {
      await backend.shutdown()
      await srv.close()
    }
  })
})
