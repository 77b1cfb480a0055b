// The contract's backend through the browser bridge, for real: token, host and origin checks,
// validation errors, and a real session streamed as events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { spawn, spawnSync } from 'node:child_process'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBackend, type Backend } from '../../src/main/api/backend'
import { serve, type ServeHandle } from '../../src/main/serve'
import { projectRoot } from '../../src/main/paths'
import { commOf } from '../util/proc'
import { formatDoctor, type DoctorReport } from '../../src/main/doctor'
import { buildChecks } from '../../src/main/setup/checks'
import { until } from '../util/until'

let dir: string
let backend: Backend
let srv: ServeHandle

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'syscope-api-'))
  mkdirSync(join(dir, 'renderer'))
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>t</title>')
  backend = createBackend({ dataDir: join(dir, 'data') })
  srv = await serve(backend, { rendererDir: join(dir, 'renderer') })
})
afterAll(async () => {
  await backend.shutdown()
  await srv.close()
  rmSync(dir, { recursive: true, force: true })
})

// the body is any: each test reads the fields its reply must have, and fails if they are missing
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function post(method: string, args: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const body = typeof args === 'string' ? args : JSON.stringify({ args })
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: srv.port,
        path: `/api/${method}`,
        method: 'POST',
        headers: { Authorization: `Bearer ${srv.token}`, 'Content-Type': 'application/json', ...headers }
      },
      (res) => {
        let text = ''
        res.on('data', (d) => (text += d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }))
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

describe('the browser bridge', () => {
  it('refuses requests without the token, from another origin, or for another host', async () => {
    expect((await post('ebpfStatus', [], { Authorization: 'Bearer wrong' })).status).toBe(401)
    expect((await post('ebpfStatus', [], { Authorization: '' })).status).toBe(401)
    expect((await post('ebpfStatus', [], { Origin: 'http://evil.example' })).status).toBe(403)
    expect((await post('ebpfStatus', [], { Host: 'localhost:1' })).status).toBe(421)
    expect((await post('noSuchMethod', [])).status).toBe(404)
    expect((await post('launch', 'x'.repeat(2 * 1024 * 1024))).status).toBe(413)
  })

  it('answers bad arguments with errors, never a crash', async () => {
    const r = await post('launch', [{ argv: 'rm -rf /' }])
    expect(r.body).toEqual({ ok: false, error: { code: 'EINVAL', message: 'argv: expected a list of strings, got string' } })
    expect((await post('snapshot', ['nope', 100])).body.error.code).toBe('ENOENT')
    expect((await post('openRecording', ['/etc/passwd'])).body.error).toMatchObject({ code: 'EFOREIGN' })
    expect((await post('pickFile', ['program'])).body.error).toMatchObject({ code: 'ENOTSUP' })
    expect((await post('breakdown', ['abc', 'x', 1])).body.error.code).toBe('EINVAL')
  })

  it('runs a real session and streams it as events', async () => {
    const events: string[] = []
    const es = request({ host: '127.0.0.1', port: srv.port, path: `/api/events?token=${srv.token}` }, (res) =>
      res.on('data', (d: Buffer) => events.push(d.toString()))
    )
    es.end()
    const status = (await post('ebpfStatus', [])).body.value
    expect(status).toMatchObject({ ready: true, mode: 'tp_btf' })
    const info = (await post('launch', [{ argv: ['sh', '-c', 'for i in 1 2 3 4 5; do cat /etc/hostname; done; sleep 0.5'], intervalMs: 50 }])).body.value
    expect(info).toMatchObject({ kind: 'launch', state: 'running', ebpf: { ready: true } })
    const snap = await until('the session ended', async () => {
      const v = (await post('snapshot', [info.id, 500])).body.value
      return v.info.state === 'ended' ? v : null
    })
    // half a second of sleep at 50 ms: several ticks
    expect(snap.tree.length).toBeGreaterThan(1)
    expect(snap.output.map((o: { text: string }) => o.text).join('')).toContain(spawnSync('cat', ['/etc/hostname'], { encoding: 'utf8' }).stdout)
    const all = (await post('breakdown', [info.id, 0, 1e9])).body.value
    expect(all.syscalls.find((s: { name: string }) => s.name === 'execve').calls).toBeGreaterThanOrEqual(6)
    expect(all.by_category.length).toBeGreaterThan(3)
    const exported = (await post('exportRecording', [info.id, 'csv'])).body.value
    expect(exported.path).toMatch(/\.timeline\.csv$/)
    const recs = (await post('listRecordings', [])).body.value
    expect(recs.length).toBe(1)
    const cmp = (await post('compare', [recs[0].path, recs[0].path])).body.value
    expect(cmp.syscalls.every((s: { delta: number }) => s.delta === 0)).toBe(true)
    await until('the event stream told of the end', () => events.join('').includes('session:ended'))
    es.destroy()
    const text = events.join('')
    expect(text).toMatch(/event: session:ticks/)
    expect(text).toMatch(/event: session:output/)
    expect(text).toMatch(/event: session:ended/)
  })

  it('lists processes for the attach picker, marking what cannot be traced', async () => {
    const mine = spawn('sleep', ['5'])
    const theirs = spawn('sleep', ['5'], { uid: 65534, gid: 65534 })
    await until('both children run sleep', () => [mine, theirs].every((c) => commOf(c.pid!) === 'sleep'))
    const list = (await post('listProcesses', [])).body.value
    mine.kill()
    theirs.kill()
    expect(list.find((p: { pid: number }) => p.pid === mine.pid)).toMatchObject({ comm: 'sleep', cannotTrace: null, user: 'root' })
    // root may trace anyone; syscope itself is never a target
    expect(list.find((p: { pid: number }) => p.pid === theirs.pid)).toMatchObject({ cannotTrace: null, user: 'nobody' })
    expect(list.find((p: { pid: number }) => p.pid === process.pid).cannotTrace).toMatch(/syscope itself/)
    expect(list.find((p: { pid: number }) => p.pid === 2)?.cannotTrace ?? 'kernel thread').toMatch(/kernel thread/)
  })
})

describe('syscope doctor', () => {
  it('says eBPF is ready here, which helper it uses and why', () => {
    const r = spawnSync('node', [join(projectRoot(), 'bin', 'syscope.mjs'), 'doctor', '--json'], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    const d = JSON.parse(r.stdout)
    expect(d).toMatchObject({ ready: true, mode: 'tp_btf' })
    expect(d.helper.reason).toMatch(/build tree|installed|SYSCOPE_HELPER/)
    // --detail's programs too, loaded and attached in the mode a session uses (and how long that took)
    expect(d.diagnose.detail).toEqual({ ok: true, mode: 'tp_btf', load_ms: expect.any(Number) })
    // and --counts-only --detail's, which are programs of their own
    expect(d.diagnose.detail_counts_only).toEqual({ ok: true, mode: 'tp_btf', load_ms: expect.any(Number) })
    const text = spawnSync('node', [join(projectRoot(), 'bin', 'syscope.mjs'), 'doctor'], { encoding: 'utf8' })
    expect(text.stdout).toMatch(/^files and network \(--detail\): ready/m)
    const bad = spawnSync('node', [join(projectRoot(), 'bin', 'syscope.mjs'), 'doctor'], {
      encoding: 'utf8',
      env: { ...process.env, SYSCOPE_HELPER: '/nonexistent' }
    })
    expect(bad.status).toBe(1)
    expect(bad.stdout).toMatch(/NOT ready/)
  })
})

describe("the helper's --diagnose, on --detail's programs", () => {
  const helper = join(projectRoot(), 'build', 'helper', 'syscope-helper')

  it('stops their load when it takes too long, and says so', () => {
    // 1 ms is less than any load takes: the child loading them is stopped, the rest still said
    const r = spawnSync(helper, ['--diagnose', '--detail-probe-ms', '1'], { encoding: 'utf8' })
    expect(r.status, r.stderr).toBe(0)
    const d = JSON.parse(r.stdout)
    expect(d).toMatchObject({ ready: true, mode: 'tp_btf' })
    expect(d.detail).toEqual({
      ok: false,
      stopped: true,
      mode: 'tp_btf',
      load_ms: 1,
      error: 'the kernel took more than 0.001 s to load them (its verifier): stopped'
    })
    // the bound is for all of the probes together: none is left for --counts-only --detail's
    expect(d.detail_counts_only).toBeNull()
  })

  it('finds them in the raw_tp mode where the kernel lacks what the tp_btf mode needs for them', () => {
    // the hooks build hides bpf_rdonly_cast from the kernel's BTF, as on a kernel before 6.2
    const hooks = join(projectRoot(), 'build', 'helper', 'hooks', 'syscope-helper')
    const r = spawnSync(hooks, ['--diagnose'], { encoding: 'utf8', env: { ...process.env, SYSCOPE_TEST_HIDE_KFUNC: 'bpf_rdonly_cast' } })
    expect(r.status, r.stderr).toBe(0)
    const d = JSON.parse(r.stdout)
    expect(d).toMatchObject({ ready: true, mode: 'tp_btf' })
    expect(d.detail).toEqual({ ok: true, mode: 'raw_tp', load_ms: expect.any(Number) })
    const text = formatDoctor({ ready: true, helper: { path: hooks, reason: 'given explicitly', build: null }, mode: d.mode, problems: [], diagnose: d })
    expect(text).toContain('files and network (--detail): ready in the raw_tp mode (a session with --detail uses it)\n')
  })

  it("says when the kernel refuses --counts-only --detail's programs, though it takes --detail's", () => {
    // the hooks build hands the verifier the counts-only pair's exit programs (both modes) as it rejects them
    const hooks = join(projectRoot(), 'build', 'helper', 'hooks', 'syscope-helper')
    const r = spawnSync(hooks, ['--diagnose'], { encoding: 'utf8', env: { ...process.env, SYSCOPE_TEST_REJECT_PROG: 'sys_exit_counts_detail' } })
    expect(r.status, r.stderr).toBe(0)
    const d = JSON.parse(r.stdout)
    expect(d.detail).toEqual({ ok: true, mode: 'tp_btf', load_ms: expect.any(Number) })
    expect(d.detail_counts_only).toEqual({
      ok: false,
      mode: 'tp_btf',
      load_ms: expect.any(Number),
      error: expect.stringMatching(/verifier rejected program btf_sys_exit_counts_detail/)
    })
    const report: DoctorReport = { ready: true, helper: { path: hooks, reason: 'given explicitly', build: null }, mode: d.mode, problems: [], diagnose: d }
    const text = formatDoctor(report)
    expect(text).toMatch(/^files and network \(--detail\): ready$/m)
    expect(text).toMatch(/^- files and network with --counts-only cannot be had on this kernel: .*btf_sys_exit_counts_detail/m)
    expect(text).toContain('a session with --counts-only --detail counts syscalls without them, and says so')
    const item = buildChecks(report, { installedPath: hooks, sourcePath: null, appBuild: null, groups: [] }).find((c) => c.id === 'detail')
    expect(item?.status).toBe('warn')
    expect(item?.detail).toMatch(/^loads in \d+\.\d s; with --counts-only refused: .*btf_sys_exit_counts_detail/)
  })

  it('takes a bound of 1 to 8000 ms only', () => {
    for (const bad of ['0', '8001', '5x']) {
      const r = spawnSync(helper, ['--diagnose', '--detail-probe-ms', bad], { encoding: 'utf8' })
      expect(r.status).toBe(2)
      expect(r.stderr).toContain('--detail-probe-ms must be from 1 to 8000')
    }
  })
})

describe('syscope doctor, text', () => {
  const report = (mode: string, tpBtf: { ok: boolean; error?: string }): DoctorReport => ({
    ready: true,
    helper: { path: '/h', reason: 'given explicitly', build: null },
    mode,
    problems: [],
    diagnose: { attach_modes: { tp_btf: tpBtf, raw_tp: { ok: true } } }
  })

  it('says why the best mode could not be had when another one is used', () => {
    const text = formatDoctor(report('raw_tp', { ok: false, error: "prog 'btf_switch': Invalid argument" }))
    expect(text).toContain("- tp_btf, the best mode, could not be used: prog 'btf_switch': Invalid argument")
    expect(text).toContain('raw_tp is used instead')
    expect(formatDoctor(report('tp_btf', { ok: true }))).not.toContain('could not be used')
  })

  it("says when --detail's programs are refused, or slow to load", () => {
    const withDetail = (detail: object): DoctorReport => {
      const r = report('tp_btf', { ok: true })
      return { ...r, diagnose: { ...r.diagnose, detail } }
    }
    expect(formatDoctor(withDetail({ ok: true, load_ms: 900 }))).toContain('files and network (--detail): ready\n')
    expect(formatDoctor(withDetail({ ok: true, load_ms: 61_000 }))).toContain(
      'files and network (--detail): ready, but the kernel takes 61.0 s to load them: a session with --detail starts that much later'
    )
    const refused = formatDoctor(withDetail({ ok: false, load_ms: 40, error: "prog 'file_exit': Permission denied" }))
    expect(refused).toContain("- files and network (--detail) cannot be had on this kernel: prog 'file_exit': Permission denied")
    const slow = formatDoctor(
      withDetail({ ok: false, stopped: true, load_ms: 8000, error: 'the kernel took more than 8 s to load them (its verifier): stopped' })
    )
    expect(slow).toContain('- files and network (--detail): the kernel took more than 8 s to load them (its verifier): stopped')
    expect(slow).toContain('a session with --detail may not start (the app waits 10 s for the helper); without it, it does')
    // and the setup checklist's item says the same
    const item = (detail: object) =>
      buildChecks(withDetail(detail), { installedPath: '/h', sourcePath: null, appBuild: null, groups: [] }).find((c) => c.id === 'detail')
    expect(item({ ok: true, load_ms: 900 })).toMatchObject({ status: 'ok', detail: 'loads in 0.9 s' })
    expect(item({ ok: true, load_ms: 61_000 })).toMatchObject({ status: 'warn', detail: 'loads in 61.0 s' })
    expect(item({ ok: false, load_ms: 40, error: 'EPERM' })).toMatchObject({ status: 'warn', detail: 'refused: EPERM' })
    expect(item({ ok: false, stopped: true, load_ms: 8000, error: 'the kernel took more than 8 s to load them (its verifier): stopped' })).toMatchObject({
      status: 'warn',
      detail: 'the kernel took more than 8 s to load them (its verifier): stopped'
    })
    // --counts-only --detail: said where it fares worse than --detail alone, or loads elsewhere
    const both = (counts: object): DoctorReport => {
      const r = withDetail({ ok: true, mode: 'tp_btf', load_ms: 300 })
      return { ...r, diagnose: { ...r.diagnose, detail_counts_only: counts } }
    }
    expect(formatDoctor(both({ ok: true, mode: 'tp_btf', load_ms: 200 }))).not.toContain('--counts-only')
    expect(formatDoctor(both({ ok: true, mode: 'raw_tp', load_ms: 200 }))).toContain('files and network with --counts-only: ready in the raw_tp mode\n')
    const stoppedCounts = formatDoctor(
      both({ ok: false, stopped: true, mode: 'tp_btf', load_ms: 8000, error: 'the kernel took more than 8 s to load them (its verifier): stopped' })
    )
    expect(stoppedCounts).toContain('- files and network with --counts-only: the kernel took more than 8 s to load them (its verifier): stopped')
    expect(stoppedCounts).toContain('a session with --counts-only --detail may not start')
    // a helper from before it said nothing of them
    expect(formatDoctor(report('tp_btf', { ok: true }))).not.toContain('--detail')
  })
})
