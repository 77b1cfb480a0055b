// The whole pipeline for real: workload → helper → core → recording → JSON summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../src/main/paths'
import { SessionManager, loadStore } from '../../src/main/session/manager'
import { buildSummary } from '../../src/main/analysis/summary'
import { buildWorkload } from '../helper/harness'
import { syscallNr } from '../util/syscall-nr'
import { until } from '../util/until'
import { commOf } from '../util/proc'

const CLI = join(projectRoot(), 'bin', 'syscope.mjs')
let wl: { dir: string; markers: string }
let data: string

beforeAll(() => {
  wl = buildWorkload()
  data = mkdtempSync(join(tmpdir(), 'syscope-data-'))
  if (!existsSync(join(projectRoot(), 'out', 'cli', 'syscope.mjs'))) execFileSync('node', ['scripts/build-cli.mjs'], { cwd: projectRoot() })
})
afterAll(() => {
  rmSync(wl.dir, { recursive: true, force: true })
  rmSync(data, { recursive: true, force: true })
})

/** the ticks in a recording syscope is still writing; null before its first tick is flushed */
async function recordedTicks(path: string): Promise<number | null> {
  const st = await loadStore(path, 'peek').catch(() => null)
  return st && st.tickCount > 0 ? st.tickCount : null
}

/** pids of the children of pid */
function childrenOf(pid: number): number[] {
  const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
  return r.stdout.split('\n').filter(Boolean).map(Number)
}

/** whether pid ignores SIGTERM (bit 15 of SigIgn in its status) */
function ignoresSigterm(pid: number): boolean {
  const m = /^SigIgn:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m !== null && (BigInt(`0x${m[1]}`) & (1n << 14n)) !== 0n
}

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync('node', [CLI, ...args], { encoding: 'utf8', env: { ...process.env, XDG_DATA_HOME: data, ...env }, timeout: 60_000 })
}

describe('syscope record', () => {
  it('reports the known-count workload exactly in its JSON summary', async () => {
    const out = join(wl.dir, 'markers.syscope')
    const r = cli(['record', '--json', '--out', out, '--', wl.markers])
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout)
    const per = new Map<string, { count: number; errors: number; time_ns: number }>(s.ebpf.syscalls.per_syscall.map((x: { name: string }) => [x.name, x]))
    expect(per.get('getppid')).toMatchObject({ count: 10665, errors: 0 })
    expect(per.get('chdir')).toMatchObject({ count: 77, errors: 77 })
    expect(s.ebpf.available).toBe(true)
    expect(s.ebpf.syscalls.top_syscalls[0]).toEqual({ name: 'getppid', count: 10665 })
    // the seed's field names, and ours
    expect(Object.keys(s.ebpf.syscalls.by_category).sort()).toEqual([
      'file_io',
      'ipc',
      'memory',
      'network',
      'other',
      'process',
      'security',
      'signal',
      'system',
      'time'
    ])
    expect(s.ebpf.syscalls.analysis).toHaveProperty('syscall_rate_per_sec')
    expect(s.ebpf.syscalls.analysis).toHaveProperty('io_intensity')
    expect(s.ebpf.syscalls.total).toBe(s.ebpf.syscalls.per_syscall.reduce((a: number, x: { count: number }) => a + x.count, 0))
    // per process: the root and its four descendants
    const procs = s.ebpf.syscalls.per_process
    expect(procs.length).toBe(5)
    expect(s.proc.tree).toHaveProperty('peak_rss_bytes')
    expect(s.session.exit_code).toBe(0)
    // and the recording says the same when reopened
    const store = await loadStore(out, 'x')
    const again = buildSummary(store, 'ended')
    expect(again.ebpf.syscalls.per_syscall).toEqual(s.ebpf.syscalls.per_syscall)
    // an ordinary end is not a fault: no gap, no warning or error notice
    expect(store.tickBatch(0).tree.some((p) => p.syscall_gap)).toBe(false)
    expect(store.events.filter((e) => e.kind === 'notice' && e.level !== 'info')).toEqual([])
  })

  it('exits with the command’s exit code, and prints a readable summary', () => {
    const r = cli(['record', '--', wl.markers, 'exit', '7'])
    expect(r.status).toBe(7)
    expect(r.stdout).toMatch(/syscalls \(tp_btf\)/)
    expect(r.stdout).toMatch(/exit code 7/)
    expect(r.stderr).toBe('') // no progress line when stderr is not a terminal
  })

  it('explains a command that cannot be executed', () => {
    const r = cli(['record', '--', '/nonexistent/program'])
    expect(r.status).toBe(127)
    expect(r.stderr).toMatch(/cannot run "\/nonexistent\/program": No such file or directory \(ENOENT\)/)
    // found but not executable: 126, as a shell says it
    const x = cli(['record', '--', '/etc/passwd'])
    expect(x.status).toBe(126)
    expect(x.stderr).toMatch(/cannot run "\/etc\/passwd": Permission denied \(EACCES\)/)
  })

  it('runs with /proc data only, saying why, when eBPF is off or the helper is missing', () => {
    const off = cli(['record', '--json', '--no-ebpf', '--', wl.markers, 'exit', '0'])
    expect(off.status).toBe(0)
    expect(JSON.parse(off.stdout).ebpf).toMatchObject({ available: false, problem: expect.stringMatching(/turned off/) })
    const missing = cli(['record', '--json', '--', wl.markers, 'exit', '0'], { SYSCOPE_HELPER: '/nonexistent/helper' })
    expect(missing.status).toBe(0)
    expect(missing.stderr).toMatch(/syscalls will be missing: the syscall helper was not found/)
    expect(JSON.parse(missing.stdout).proc.processes.length).toBeGreaterThan(0)
  })

  it('rejects bad usage with a clear message', () => {
    expect(cli(['record']).stderr).toMatch(/name a command after `--`/)
    expect(cli(['record', '--interval', '5', '--', 'true']).stderr).toMatch(/--interval must be a whole number from 10 to 60000/)
    expect(cli(['record', '--pid', 'abc']).status).toBe(2)
    expect(cli(['frobnicate']).stderr).toMatch(/unknown command "frobnicate"/)
    // an existing file is never overwritten, and nothing runs
    const taken = join(data, 'taken.syscope')
    writeFileSync(taken, 'mine')
    const r = cli(['record', '--out', taken, '--', 'touch', join(data, 'ran')])
    expect(r.status).not.toBe(0)
    expect(r.stderr).toMatch(/taken.syscope already exists, and syscope never overwrites a recording/)
    expect(readFileSync(taken, 'utf8')).toBe('mine')
    expect(existsSync(join(data, 'ran'))).toBe(false)
  })

  it('attaches to a running process and its existing children, and detaches after --duration', () => {
    // sleeps 100 ms at a time for 60 s: outlives the session however long syscope takes to start
    const target = spawn(wl.markers, ['sleep', '100', '600'], { stdio: 'ignore' })
    try {
      const r = cli(['record', '--json', '--pid', String(target.pid), '--duration', '2'])
      expect(r.status, r.stderr).toBe(0)
      const s = JSON.parse(r.stdout)
      const sleeps = s.ebpf.syscalls.per_syscall
        .filter((x: { name: string }) => /nanosleep/.test(x.name))
        .reduce((a: number, x: { count: number }) => a + x.count, 0)
      // it counted the sleeps of the attached process, and only while attached: each takes at
      // least 100 ms, so the session's measured length bounds them (one was under way at attach)
      expect(s.session.duration_ms).toBeGreaterThanOrEqual(2000)
      expect(sleeps).toBeGreaterThanOrEqual(1)
      expect(sleeps).toBeLessThanOrEqual(Math.floor(s.session.duration_ms / 100) + 1)
      // detach leaves it running
      expect(() => process.kill(target.pid!, 0)).not.toThrow()
    } finally {
      target.kill('SIGKILL')
    }
  })

  it('gives each process its own I/O to its last byte, short-lived ones included (the helper reads it at exit)', async () => {
    const out = join(data, 'io-out')
    const r = cli([
      'record',
      '--json',
      '--out',
      join(data, 'own-io.syscope'),
      '--',
      'sh',
      '-c',
      `dd if=/dev/zero of=${out} bs=1M count=8 conv=fsync 2>/dev/null; cat ${out} > /dev/null; sleep 0.3`
    ])
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout)
    const MiB = 2 ** 20
    const by = (comm: string) => s.proc.processes.find((p: { comm: string }) => p.comm === comm)
    expect(by('dd')).toMatchObject({ write_bytes: expect.any(Number), wchar_bytes: expect.any(Number) })
    expect(by('dd').write_bytes).toBeGreaterThanOrEqual(8 * MiB)
    expect(by('dd').wchar_bytes).toBeGreaterThanOrEqual(8 * MiB)
    expect(by('cat').rchar_bytes).toBeGreaterThanOrEqual(8 * MiB)
    // the shell that reaped them did none of it
    expect(by('sh').wchar_bytes).toBeLessThan(MiB)
    expect(by('sh').write_bytes).toBeLessThan(MiB)
    // the app's process table says the same
    const rows = (await loadStore(join(data, 'own-io.syscope'), 'x')).breakdown(0, Number.MAX_SAFE_INTEGER).processes
    const row = (comm: string) => rows.find((p) => p.comm === comm)!
    expect(row('dd').write_bytes).toBeGreaterThanOrEqual(8 * MiB)
    expect(row('cat').read_bytes).toBeGreaterThanOrEqual(8 * MiB)
    expect(row('sh').write_bytes).toBeLessThan(MiB)
    // and the tree counts each byte once
    expect(s.proc.tree.write_bytes).toBeGreaterThanOrEqual(8 * MiB)
    expect(s.proc.tree.write_bytes).toBeLessThan(9 * MiB)
    expect(s.proc.tree.wchar_bytes).toBeGreaterThanOrEqual(16 * MiB)
    expect(s.proc.tree.wchar_bytes).toBeLessThan(17 * MiB)
  })

  it('gives processes too short-lived to be sampled their CPU time, and the tree all of it', async () => {
    // five children of ~30 ms of CPU each, most of them done between two ticks
    const out = join(data, 'short.syscope')
    const r = cli([
      'record',
      '--json',
      '--out',
      out,
      '--',
      'sh',
      '-c',
      'for i in 1 2 3 4 5; do awk "BEGIN { for (i = 0; i < 1000000; i++) s += i }"; done; sleep 0.3'
    ])
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout)
    const awks = s.proc.processes.filter((p: { comm: string }) => p.comm === 'awk' || p.comm === 'mawk')
    expect(awks).toHaveLength(5)
    for (const a of awks) expect(a.cpu_seconds).toBeGreaterThan(0.001)
    const sum = awks.reduce((t: number, a: { cpu_seconds: number }) => t + a.cpu_seconds, 0)
    // the tree's comes from the shell's children's time (clock ticks of 10 ms)
    expect(s.proc.tree.cpu_seconds).toBeGreaterThanOrEqual(sum - 0.03)
    // and the app's process table has it for every one of them, sampled or not
    const store = await loadStore(out, 'x')
    const rows = store.breakdown(0, Number.MAX_SAFE_INTEGER).processes.filter((p) => p.comm === 'awk' || p.comm === 'mawk')
    expect(rows).toHaveLength(5)
    for (const p of rows) expect(p.cpu_seconds).toBeGreaterThan(0.001)
    // as much as the summary says each used (its exit's exact figure): the samples' share and
    // what it did after its last sample (the samples' CPU % is over clock ticks of 10 ms, the
    // exit's is exact: a tick and a tenth apart at most)
    for (const p of rows) {
      const exact = awks.find((a: { pid: number }) => a.pid === p.pid)!.cpu_seconds as number
      expect(Math.abs(p.cpu_seconds! - exact), `awk ${p.pid}: ${p.cpu_seconds} s against ${exact} s`).toBeLessThanOrEqual(0.01 + exact / 10)
    }
  })

  it('gives a process the command line of the program it exec’d, not the one it was forked with', () => {
    // the subshell is forked (and told of) 300 ms before it execs sleep: read at its fork, its
    // command line was the shell's
    const out = join(data, 'exec-cmdline.syscope')
    const r = cli(['record', '--json', '--out', out, '--', 'sh', '-c', '(sleep 0.3; exec sleep 0.2); true'])
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout)
    const sleeps = s.proc.processes.filter((p: { comm: string }) => p.comm === 'sleep')
    expect(sleeps.map((p: { cmdline: string[] }) => p.cmdline).sort()).toEqual([
      ['sleep', '0.2'],
      ['sleep', '0.3']
    ])
  })

  it('counts only the I/O done while attached, not what the process did before', async () => {
    // 8 MiB written before the session, 4 MiB during it (by children it reaps: their I/O is the
    // tree's, and is not the shell's own); the shell says when each is done and waits for a line
    // before the second, which the test sends once syscope has recorded a tick
    const target = spawn(
      'sh',
      ['-c', 'head -c 8388608 /dev/zero > /dev/null; echo first; read x; head -c 4194304 /dev/zero > /dev/null; echo second; read x'],
      { stdio: ['pipe', 'pipe', 'ignore'] }
    )
    let said = ''
    target.stdout.on('data', (d: Buffer) => (said += d))
    const out = join(data, 'attached-io.syscope')
    const rec = spawn('node', [CLI, 'record', '--json', '--out', out, '--pid', String(target.pid)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_DATA_HOME: data }
    })
    let stdout = ''
    let stderr = ''
    rec.stdout.on('data', (d: Buffer) => (stdout += d))
    rec.stderr.on('data', (d: Buffer) => (stderr += d))
    const code = new Promise<number | null>((r) => rec.once('exit', (n) => r(n)))
    try {
      await until('the shell wrote its first 8 MiB', () => said.includes('first'))
      const ticks = await until('syscope recorded a tick of the attached shell', () => recordedTicks(out))
      target.stdin.write('go\n')
      await until('the shell wrote 4 MiB more', () => said.includes('second'))
      // two ticks later a sample has seen all of it
      await until('two more ticks', async () => ((await recordedTicks(out)) ?? 0) >= ticks + 2)
      rec.kill('SIGINT') // detaches
      expect(await code, stderr).toBe(0)
      const s = JSON.parse(stdout)
      expect(s.proc.tree.wchar_bytes).toBeGreaterThanOrEqual(4 * 2 ** 20)
      expect(s.proc.tree.wchar_bytes).toBeLessThan(5 * 2 ** 20)
      const shell = s.proc.processes.find((p: { pid: number }) => p.pid === target.pid)
      expect(shell.wchar_bytes).toBeLessThan(2 ** 20)
    } finally {
      rec.kill('SIGKILL')
      target.kill('SIGKILL')
    }
  })

  it('passes the command’s output and input through, and keeps its output in the recording', () => {
    const out = join(data, 'io.syscope')
    const r = spawnSync('node', [CLI, 'record', '--out', out, '--', 'sh', '-c', 'echo to-stdout; echo to-stderr >&2; read x; echo "got $x"'], {
      encoding: 'utf8',
      input: 'typed in\n',
      env: { ...process.env, XDG_DATA_HOME: data },
      timeout: 60_000
    })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^to-stdout\ngot typed in\n/)
    expect(r.stderr).toContain('to-stderr\n')
    const kept = cli(['summary', '--json', out])
    expect(kept.status).toBe(0)
    // with --json, the summary owns stdout: the command's goes to stderr
    const j = spawnSync('node', [CLI, 'record', '--json', '--out', join(data, 'io2.syscope'), '--', 'echo', 'hello'], {
      encoding: 'utf8',
      env: { ...process.env, XDG_DATA_HOME: data },
      timeout: 60_000
    })
    expect(JSON.parse(j.stdout).session.exit_code).toBe(0)
    expect(j.stderr).toContain('hello\n')
  })

  it('passes Ctrl-C on to the command (it runs in a session of its own), then sums up', async () => {
    const c = spawn('node', [CLI, 'record', '--out', join(data, 'int.syscope'), '--', 'sh', '-c', 'echo started; exec sleep 30'], {
      env: { ...process.env, XDG_DATA_HOME: data }
    })
    let stdout = ''
    c.stdout.on('data', (d: Buffer) => (stdout += d))
    const code = new Promise<number | null>((r) => c.once('exit', (n) => r(n)))
    await until('the command said it started', () => stdout.includes('started'))
    const command = childrenOf(c.pid!).find((p) => commOf(p) === 'sleep')
    expect(command).toBeDefined()
    c.kill('SIGINT')
    expect(await code).toBe(130)
    expect(stdout).toMatch(/killed by SIGINT/)
    await until('the command is gone', () => commOf(command!) === null)
  })

  it('passes on a Ctrl-C that comes while the command is still being launched', async () => {
    // the CLI listens for SIGINT before it launches: one that comes before the launch call
    // returns (as soon as the command prints, under load) goes on to the command once it runs
    const c = spawn('node', [CLI, 'record', '--out', join(data, 'early.syscope'), '--', 'sh', '-c', 'exec sleep 30'], {
      env: { ...process.env, XDG_DATA_HOME: data }
    })
    let stdout = ''
    c.stdout.on('data', (d: Buffer) => (stdout += d))
    const code = new Promise<number | null>((r) => c.once('exit', (n) => r(n)))
    // the launcher is its child from before the command runs until the launch returns (it
    // becomes the command), which is when the old CLI began to listen: Node's default for a
    // SIGINT then ended the CLI alone and left the command running
    const command = await until(
      'the CLI started the launcher',
      () => childrenOf(c.pid!).find((p) => ['syscope-launch', 'sh', 'sleep'].includes(commOf(p) ?? '')),
      {
        intervalMs: 1
      }
    )
    c.kill('SIGINT')
    expect(await code).toBe(130)
    expect(stdout).toMatch(/killed by SIGINT/)
    // the command (the launcher exec'd it) goes, not left running (it would sleep past the wait)
    await until('the command is gone', () => commOf(command) === null)
  })

  it('explains a pid that does not exist', () => {
    const r = cli(['record', '--pid', '4194000', '--duration', '1'])
    expect(r.status).toBe(127)
    expect(r.stderr).toMatch(/no process with pid 4194000/)
  })
})

describe('stopping a launched command', () => {
  it('sends SIGTERM to its process group, and SIGKILL after the grace period', async () => {
    // the grace period is long enough that a stop by SIGTERM, even on a loaded machine, ends
    // well within it, so the time a stop took says which way it ended
    const GRACE_MS = 2000
    const m = new SessionManager({ dataDir: data, stopGraceMs: GRACE_MS })
    const polite = await m.launch({ argv: ['sh', '-c', 'sleep 30 & wait'] })
    await until('the shell started its sleep', () => childrenOf(polite.rootPid).length > 0)
    const t0 = performance.now()
    await m.stop(polite.store.id)
    expect(polite.store.ended).toMatchObject({ exit_signal: 'SIGTERM' })
    expect(performance.now() - t0).toBeLessThan(GRACE_MS)
    const stubborn = await m.launch({ argv: ['sh', '-c', 'trap "" TERM; while :; do sleep 0.05; done'] })
    // SIGTERM must come after the trap is set, or the shell dies of it
    await until('the shell ignores SIGTERM', () => ignoresSigterm(stubborn.rootPid))
    const t1 = performance.now()
    await m.stop(stubborn.store.id)
    expect(stubborn.store.ended).toMatchObject({ exit_signal: 'SIGKILL' })
    expect(performance.now() - t1).toBeGreaterThanOrEqual(GRACE_MS)
    // its output and exit are in the recording
    const again = await loadStore(stubborn.store.recordingPath!, 's')
    expect(again.ended?.exit_signal).toBe('SIGKILL')
  })
})

describe('faults', () => {
  it('goes on with /proc sampling when the helper is killed, and marks the gap', async () => {
    const m = new SessionManager({ dataDir: data })
    // sleeps until the test ends it
    const live = await m.launch({ argv: [wl.markers, 'sleep', '100', '600'] })
    const helper = (live as unknown as { helper: { client: { child: { pid: number } } } }).helper
    const store = live.store
    const gaps = (): boolean[] => store.tickBatch(0).tree.map((p) => p.syscall_gap)
    await until('two ticks with the helper', () => store.tickCount >= 2)
    process.kill(helper.client.child.pid, 'SIGKILL')
    // its ticks started ours: without them, our own clock ticks on
    await until('six ticks after the helper died', () => gaps().filter(Boolean).length >= 6)
    await m.stop(store.id)
    expect(gaps()[0]).toBe(false)
    expect(gaps()[gaps().length - 1]).toBe(true)
    // once a tick has had no helper, none after it has one
    expect(gaps().slice(gaps().indexOf(true)).every(Boolean)).toBe(true)
    expect(store.events.some((e) => e.kind === 'notice' && /syscall helper stopped/.test(e.message))).toBe(true)
    // the recording says so too
    const again = await loadStore(store.recordingPath!, 'y')
    expect(again.tickBatch(0).tree.some((p) => p.syscall_gap)).toBe(true)
  })

  it('loses at most the last interval when syscope itself is killed with SIGKILL', async () => {
    const out = join(wl.dir, 'killed.syscope')
    const p = spawn('node', [CLI, 'record', '--out', out, '--', wl.markers, 'sleep', '100', '600'], {
      stdio: 'ignore',
      env: { ...process.env, XDG_DATA_HOME: data }
    })
    const exited = new Promise((r) => p.once('exit', r))
    const sleepsIn = (store: Awaited<ReturnType<typeof loadStore>>): number =>
      [...store.perProcessSyscalls.values()].reduce(
        (a, m) => a + (m.get(syscallNr('nanosleep'))?.[0] ?? 0) + (m.get(syscallNr('clock_nanosleep'))?.[0] ?? 0),
        0
      )
    // what the file held while syscope ran: a dozen ticks and ten sleeps
    const before = await until('a dozen ticks and ten sleeps are in the file', async () => {
      const st = await loadStore(out, 'k').catch(() => null)
      return st && st.tickCount >= 12 && sleepsIn(st) >= 10 ? { ticks: st.tickCount, sleeps: sleepsIn(st) } : null
    })
    p.kill('SIGKILL')
    await exited
    const store = await loadStore(out, 'k')
    expect(store.warnings.join(' ')).toMatch(/not closed properly/)
    // everything written before the kill is there
    expect(store.tickCount).toBeGreaterThanOrEqual(before.ticks)
    expect(sleepsIn(store)).toBeGreaterThanOrEqual(before.sleeps)
    spawnSync('pkill', ['-f', `${wl.markers} sleep 100 600`])
  })

  it('keeps recordings in the user’s data directory by default', () => {
    const files = readdirSync(join(data, 'syscope', 'recordings'))
    expect(files.some((f) => f.endsWith('.syscope'))).toBe(true)
  })
})
