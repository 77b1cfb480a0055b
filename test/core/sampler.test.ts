// The /proc sampler against workloads whose figures are known, and against frozen fixtures.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSampler } from '../../src/main/proc/sampler'
import type { ProcessSample } from '../../src/main/types/samples'
import { parseCmdline, parseIo, parseSmapsRollup, parseStat, parseStatus } from '../../src/main/proc/parse'
import { projectRoot } from '../../src/main/paths'
import { commOf, threadStates } from '../util/proc'
import { until } from '../util/until'

let dir: string
let procload: string
const children: ChildProcess[] = []

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syscope-proc-'))
  procload = join(dir, 'procload')
  execFileSync('cc', ['-O2', '-o', procload, join(projectRoot(), 'test', 'core', 'workloads', 'procload.c')])
})
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function run(...args: string[]): ChildProcess {
  const c = spawn(procload, args, { stdio: 'ignore' })
  children.push(c)
  return c
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** until every thread of pid sleeps (S): it waits in a system call, and runs only when woken */
async function untilAsleep(pid: number, comm?: string): Promise<void> {
  await until(
    `${comm ?? `pid ${pid}`} is asleep`,
    () => (comm === undefined || commOf(pid) === comm) && threadStates(pid).every((st) => st === 'S') && threadStates(pid).length > 0
  )
}

/** until procload files has opened its n files and sleeps */
async function filesOpen(pid: number, n: number): Promise<void> {
  await until(`pid ${pid} has ${n} files open`, () => {
    try {
      return readdirSync(`/proc/${pid}/fd`).length >= n + 3
    } catch {
      return false
    }
  })
  await untilAsleep(pid)
}

/** rchar of pid, from /proc/<pid>/io */
function rcharOf(pid: number): number {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))![1])
}

/**
 * procload serve: a single-threaded process asleep in read(2) that runs only when told to open 50
 * files ('f') or touch 64 MiB more ('m'); `tell` resolves once it did and sleeps again.
 */
async function serve(mapPath: string): Promise<{ pid: number; tell: (what: 'f' | 'm') => Promise<void> }> {
  const c = spawn(procload, ['serve', mapPath], { stdio: ['pipe', 'pipe', 'ignore'] })
  children.push(c)
  let acks = 0
  let onAck = (): void => {}
  c.stdout.on('data', (d: Buffer) => {
    acks += d.toString().split('\n').length - 1
    onAck()
  })
  const acked = (n: number): Promise<void> =>
    new Promise((resolve) => {
      onAck = () => acks >= n && resolve()
      onAck()
    })
  let told = 0
  await acked(1)
  await untilAsleep(c.pid!)
  return {
    pid: c.pid!,
    tell: async (what) => {
      c.stdin.write(what)
      await acked(++told + 1)
      // back in read(2)
      await untilAsleep(c.pid!)
    }
  }
}

describe.each(['ts', 'auto'] as const)('sampler with the %s reader', (reader) => {
  it('shows a child that touched 256 MiB with RSS ≥ 256 MiB (and PSS)', async () => {
    const c = run('alloc', '256', '60')
    const s = createSampler({ reader })
    s.track(c.pid!)
    // PSS is read once a second (tiered sampling): wait for both
    const last = await until(
      'RSS and PSS reach 256 MiB',
      async () => {
        const p = (await s.sampleOnce()).processes.find((x) => x.pid === c.pid)
        return p && (p.rss_bytes ?? 0) >= 256 * 2 ** 20 && (p.pss_bytes ?? 0) >= 250 * 2 ** 20 ? p : null
      },
      { intervalMs: 100 }
    )
    expect(last.rss_bytes!).toBeGreaterThanOrEqual(256 * 2 ** 20)
    expect(last.pss_bytes!).toBeGreaterThanOrEqual(250 * 2 ** 20)
    expect(last.hwm_bytes!).toBeGreaterThanOrEqual(256 * 2 ** 20)
  })

  it('shows a one-core busy loop at 80–105 % CPU, mostly user time', async () => {
    const c = run('busy', '3')
    const s = createSampler({ reader })
    s.track(c.pid!)
    // the scheduler's own account of the time it ran (ns), to tell a busy machine from a bug
    const ran = (): number => Number(readFileSync(`/proc/${c.pid}/schedstat`, 'utf8').split(' ')[0])
    await until('the loop runs', () => commOf(c.pid!) === 'procload' && ran() > 0)
    await s.sampleOnce()
    const r0 = ran()
    const t0 = performance.now()
    await sleep(1200)
    const r = await s.sampleOnce()
    const share = ((ran() - r0) / 1e6 / (performance.now() - t0)) * 100
    const p = r.processes.find((x) => x.pid === c.pid)!
    const cpu = p.cpu_user_pct! + p.cpu_system_pct!
    // what the sampler says is what the process got (tick granularity: 1 % per 10 ms)
    expect(Math.abs(cpu - share)).toBeLessThan(10)
    // on a machine that let it run, that is one whole core
    if (share >= 85) {
      expect(cpu).toBeGreaterThanOrEqual(80)
      expect(cpu).toBeLessThanOrEqual(105)
    } else console.warn(`the machine is busy: the loop got only ${share.toFixed(0)} % of a core`)
    expect(p.cpu_user_pct!).toBeGreaterThan(p.cpu_system_pct!)
  })

  it('gives a process begun during the session (or for it) all of its CPU and I/O at its first read, and an older one none', async () => {
    // the CPU a process used by its first read (utime + stime, clock ticks), from its stat
    const ticks = (pid: number): number => {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      return Number(f[11]) + Number(f[12])
    }
    const older = run('busy', '3')
    // a launched command: forked before the session began, but all of it is the session's
    const launched = run('busy', '3')
    await until('the older loops have used CPU', () => [older, launched].every((c) => commOf(c.pid!) === 'procload' && ticks(c.pid!) >= 5))
    const s = createSampler({ reader })
    const first = await s.sampleOnce()
    const young = run('busy', '3')
    await until('the young loop has used 50 ms of CPU', () => commOf(young.pid!) === 'procload' && ticks(young.pid!) >= 5)
    s.track(older.pid!)
    s.track(young.pid!)
    s.track(launched.pid!, 0, true)
    const r = await s.sampleOnce()
    const dt = (r.t_ms - first.t_ms) / 1000
    const [y, o, l] = [young, older, launched].map((c) => r.processes.find((x) => x.pid === c.pid)!) as [ProcessSample, ProcessSample, ProcessSample]
    // begun after the first sample (or for the session): its rates over this interval hold all
    // it used and read (a process read once used to lose all it had used by then, and a launched
    // command its first interval); what the loader read of its libraries is its I/O
    for (const p of [y, l]) {
      expect(p.cpu_seconds!).toBeGreaterThanOrEqual(0.05)
      expect(((p.cpu_user_pct! + p.cpu_system_pct!) / 100) * dt).toBeCloseTo(p.cpu_seconds!, 9)
      expect(p.rchar_bytes!).toBeGreaterThan(0)
      expect(p.read_bytes_per_s! * dt).toBeCloseTo(p.rchar_bytes!, 6)
      expect(p.write_bytes_per_s! * dt).toBeCloseTo(p.wchar_bytes!, 6)
    }
    // begun before it: what it used before we looked is not the session's, so no rate yet
    expect(o.cpu_seconds!).toBeGreaterThanOrEqual(0.05)
    expect(o.cpu_user_pct).toBeNull()
    expect(o.cpu_system_pct).toBeNull()
    expect(o.read_bytes_per_s).toBeNull()
  })

  it('shows 64 MiB written with fsync as write_bytes ≥ 64 MiB', async () => {
    const c = run('write', '64', join(dir, `out-${reader}`))
    const s = createSampler({ reader })
    s.track(c.pid!)
    let wb = 0
    await until(
      '64 MiB written',
      async () => {
        const r = await s.sampleOnce()
        wb = r.processes.find((x) => x.pid === c.pid)?.write_bytes ?? wb
        return wb >= 64 * 2 ** 20 || r.exited.includes(c.pid!)
      },
      { intervalMs: 100 }
    )
    expect(wb).toBeGreaterThanOrEqual(64 * 2 ** 20)
  })

  it('counts a reaped child’s I/O once in the tree, and as the child’s, not its parent’s', async () => {
    // the kernel adds a reaped child's I/O to its parent's /proc/<pid>/io; a sum over processes
    // that also keeps the child's last figures counted those bytes twice
    // the child writes with fsync, then sleeps a second, so that a sample shows all it wrote
    const out = join(dir, `reaped-${reader}`)
    const sh = spawn('sh', ['-c', '"$0" write 16 "$1"; sleep 0.6', procload, out], { stdio: 'ignore' })
    children.push(sh)
    const s = createSampler({ reader })
    s.track(sh.pid!)
    let dd = 0 // the writer
    let tree = null
    const own = new Map<number, number>()
    await until(
      'the shell exited',
      async () => {
        for (const c of await s.discoverChildren()) s.track(c.pid)
        const r = await s.sampleOnce()
        for (const p of r.processes) own.set(p.pid, p.write_bytes ?? 0)
        const d = r.processes.find((p) => p.comm === 'procload')
        if (d) dd = d.pid
        tree = r.totals
        return r.exited.includes(sh.pid!)
      },
      { intervalMs: 100 }
    )
    expect(dd).toBeGreaterThan(0)
    expect(own.get(dd)!).toBeGreaterThanOrEqual(16 * 2 ** 20)
    // once, not twice
    expect(tree!.write_bytes).toBeGreaterThanOrEqual(16 * 2 ** 20)
    expect(tree!.write_bytes).toBeLessThan(20 * 2 ** 20)
    // the shell that reaped it wrote nothing itself
    expect(own.get(sh.pid!)!).toBeLessThan(2 ** 20)
  })

  it('counts the I/O of children too short-lived to be sampled, through the parent that reaped them', async () => {
    // 20 children that each write 1 MiB to /dev/null and exit within a few ms: never sampled
    const sh = spawn(
      'sh',
      ['-c', 'sleep 0.3; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do head -c 1048576 /dev/zero > /dev/null; done; sleep 0.6'],
      { stdio: 'ignore' }
    )
    children.push(sh)
    const s = createSampler({ reader })
    s.track(sh.pid!)
    let wchar = 0
    await until(
      'the shell exited',
      async () => {
        const r = await s.sampleOnce()
        wchar = r.totals.wchar_bytes ?? 0
        return r.exited.includes(sh.pid!)
      },
      { intervalMs: 100 }
    )
    expect(wchar).toBeGreaterThanOrEqual(20 * 2 ** 20)
    expect(wchar).toBeLessThan(22 * 2 ** 20)
  })

  it('keeps the I/O of a process reaped outside the tree in its totals', async () => {
    const c = run('write', '8', join(dir, `orphan-${reader}`))
    const s = createSampler({ reader })
    s.track(c.pid!)
    await until('8 MiB written', async () => ((await s.sampleOnce()).totals.write_bytes ?? 0) >= 8 * 2 ** 20, { intervalMs: 100 })
    c.kill('SIGKILL')
    await new Promise((r) => c.once('exit', r))
    const r = await s.sampleOnce()
    expect(r.processes).toHaveLength(0)
    expect(r.totals.write_bytes!).toBeGreaterThanOrEqual(8 * 2 ** 20)
  })

  it('counts 500 open files as ≥ 500 fds', async () => {
    const c = run('files', '500', '60')
    const s = createSampler({ reader })
    s.track(c.pid!)
    const c2 = c.pid!
    const fds = await until(
      '500 files open',
      async () => {
        const n = (await s.sampleOnce()).processes.find((x) => x.pid === c2)?.fds ?? 0
        return n >= 500 ? n : null
      },
      { intervalMs: 100 }
    )
    expect(fds).toBeGreaterThanOrEqual(500)
  })
})

describe('tree totals and process identity', () => {
  it.each(['ts', 'auto'] as const)('keeps exited children in the tree’s cumulative CPU (%s reader): it never drops', async (reader) => {
    const c = run('tree', '3', '2')
    const s = createSampler({ reader })
    s.track(c.pid!)
    let cpu = 0
    let found = 0
    const exited = new Set<number>()
    // the last CPU time seen of each process
    const last = new Map<number, number>()
    // the longest time between two samples: what a child can use after its last one
    let maxGap = 0
    let prevAt = performance.now()
    await until(
      'its three children exited',
      async () => {
        for (const k of await s.discoverChildren()) {
          expect(k.ppid).toBe(c.pid)
          s.track(k.pid)
          found++
        }
        const r = await s.sampleOnce()
        for (const pid of r.exited) exited.add(pid)
        for (const p of r.processes) last.set(p.pid, p.cpu_seconds!)
        const now = r.totals.cpu_seconds!
        expect(now).toBeGreaterThanOrEqual(cpu)
        cpu = now
        maxGap = Math.max(maxGap, (performance.now() - prevAt) / 1000)
        prevAt = performance.now()
        return [...exited].filter((pid) => pid !== c.pid).length >= 3
      },
      { intervalMs: 100 }
    )
    expect(found).toBe(3)
    expect(exited.size).toBeGreaterThanOrEqual(3)
    // the three children spun, then exited: their last CPU times are all still in the total, and
    // so is what they used after their last sample (it reached the parent's cutime when reaped),
    // at most the time between two samples each (and a clock tick of rounding)
    const kids = [...last].filter(([pid]) => pid !== c.pid).map(([, v]) => v)
    expect(kids).toHaveLength(3)
    expect(Math.min(...kids)).toBeGreaterThan(0)
    const lastSeen = [...last.values()].reduce((a, b) => a + b, 0)
    expect(cpu).toBeGreaterThanOrEqual(lastSeen - 0.005)
    expect(cpu).toBeLessThan(lastSeen + 3 * (maxGap + 0.01))
  })

  it.each(['ts', 'auto'] as const)('finds grandchildren and children that appear later (%s reader)', async (reader) => {
    // sh → (after the first scans) sh → sleep: a child and a grandchild born while sampling
    const c = spawn('sh', ['-c', 'sleep 0.4; sh -c "sleep 5; true" & wait'], { stdio: 'ignore' })
    children.push(c)
    const s = createSampler({ reader })
    s.track(c.pid!)
    const seen = new Map<number, number>()
    let grandchild = false
    await until(
      'a grandchild is found',
      async () => {
        for (const k of await s.discoverChildren()) {
          seen.set(k.pid, k.ppid)
          s.track(k.pid)
          if (seen.has(k.ppid)) grandchild = true
        }
        await s.sampleOnce()
        return grandchild
      },
      { intervalMs: 100 }
    )
    for (const ppid of seen.values()) expect([c.pid, ...seen.keys()]).toContain(ppid)
    const r = await s.sampleOnce()
    expect(r.processes.map((p) => p.comm).sort()).toEqual(['sh', 'sh', 'sleep'])
  })

  it('treats a vanished pid as gone, not as an error, and never as the next process with that pid', async () => {
    const c = spawn('sleep', ['0.1'])
    const s = createSampler({ reader: 'ts' })
    s.track(c.pid!)
    // (node reaps it before it says it exited: its pid is free from here on)
    await new Promise((r) => c.once('exit', r))
    const r = await s.sampleOnce()
    expect(r.processes.find((p) => p.pid === c.pid)).toBeUndefined()
    expect(r.exited).toContain(c.pid)
    const never = createSampler({ reader: 'ts' })
    never.track(4_194_000)
    await expect(never.sampleOnce()).resolves.toMatchObject({ processes: [] })
  })

  it.each(['ts', 'auto'] as const)('reports values it may not read as unavailable (null), not 0 (%s reader)', async (reader) => {
    // another user's process: /proc/<pid>/io and smaps_rollup need ptrace-read access
    const other = spawn('sleep', ['5'], { uid: 65534, gid: 65534 })
    children.push(other)
    await until('the other user’s child runs sleep', () => commOf(other.pid!) === 'sleep')
    const sub = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
      const { createSampler } = await import(${JSON.stringify(join(projectRoot(), 'src/main/proc/sampler.ts'))});
      const s = createSampler({ reader: '${reader}' }); s.track(${other.pid}); await s.sampleOnce();
      const r = await s.sampleOnce(); console.log(JSON.stringify(r.processes[0]));`
      ],
      { uid: 1, gid: 1, env: { ...process.env, NODE_OPTIONS: '--import tsx' } }
    )
    let out = ''
    sub.stdout.on('data', (d: Buffer) => (out += d.toString()))
    await new Promise((r) => sub.once('exit', r))
    const p = JSON.parse(out)
    expect(p.pid).toBe(other.pid)
    expect(p.read_bytes).toBeNull()
    expect(p.rchar_bytes).toBeNull()
    expect(p.pss_bytes).toBeNull()
    // Linux ≥ 6.2 gives anyone the fd count as the fd directory's size; before, it needs access
    expect([null, readdirSync(`/proc/${other.pid}/fd`).length]).toContain(p.fds)
    expect(p.rss_bytes).toBeGreaterThan(0)
    expect(p.hwm_bytes).toBeGreaterThanOrEqual(p.rss_bytes)
    expect(p.vol_ctxsw).toBeGreaterThanOrEqual(0)
  })

  it.each(['ts', 'auto'] as const)('follows an exec: the new comm and command line (%s reader)', async (reader) => {
    // the shell execs sleep once told to
    const c = spawn('sh', ['-c', 'read x; exec sleep 5'], { stdio: ['pipe', 'ignore', 'ignore'] })
    children.push(c)
    await untilAsleep(c.pid!, 'sh')
    const s = createSampler({ reader })
    s.track(c.pid!)
    expect(s.describe(c.pid!)).toMatchObject({ comm: 'sh' })
    const comms = new Set<string>()
    const sample = async (): Promise<void> => {
      const p = (await s.sampleOnce()).processes.find((x) => x.pid === c.pid)
      if (p) comms.add(p.comm)
    }
    await sample()
    c.stdin.write('go\n')
    await until('the shell exec’d sleep', () => commOf(c.pid!) === 'sleep')
    await sample()
    expect([...comms]).toEqual(['sh', 'sleep'])
    expect(s.describe(c.pid!)).toMatchObject({ comm: 'sleep', cmdline: ['sleep', '5'] })
  })

  it.each(['ts', 'auto'] as const)('gives every figure on every tick, read or carried (%s reader)', async (reader) => {
    const c = run('files', '20', '5')
    await filesOpen(c.pid!, 20)
    const s = createSampler({ reader })
    s.track(c.pid!)
    const keys = [
      'cpu_user_pct',
      'cpu_system_pct',
      'rss_bytes',
      'pss_bytes',
      'swap_bytes',
      'hwm_bytes',
      'threads',
      'fds',
      'rchar_bytes',
      'wchar_bytes',
      'read_bytes_per_s',
      'write_bytes_per_s',
      'read_bytes',
      'write_bytes',
      'vol_ctxsw',
      'invol_ctxsw',
      'minflt',
      'majflt'
    ] as const
    for (let tick = 0; tick < 12; tick++) {
      const p = (await s.sampleOnce()).processes[0]!
      // the first sample has no rates yet; after it, nothing the process lets us read is missing
      for (const k of keys) if (tick > 0 || !/_pct$|_per_s$/.test(k)) expect(p[k], `tick ${tick}: ${k}`).not.toBeNull()
      expect(p.fds).toBeGreaterThanOrEqual(20)
      expect(p.hwm_bytes!).toBeGreaterThanOrEqual(p.rss_bytes!)
      expect(p.state).toMatch(/^[RSD]$/)
      await sleep(20)
    }
  })
})

describe('parsers on frozen files', () => {
  it('reads comm up to the last parenthesis', () => {
    const s = parseStat(
      '1234 (a) b (c) S 1 1234 1234 0 -1 4194560 100 0 5 0 250 50 0 0 20 0 3 0 98765 1000 100 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0'
    )!
    expect(s).toMatchObject({
      comm: 'a) b (c',
      state: 'S',
      ppid: 1,
      minflt: 100,
      majflt: 5,
      utime_ticks: 250,
      stime_ticks: 50,
      num_threads: 3,
      starttime_ticks: 98765,
      rss_pages: 100
    })
    expect(parseStat('garbage')).toBeNull()
    expect(parseStat('1 (x) S 1')).toBeNull()
  })

  it('reads status, io, smaps_rollup and cmdline', () => {
    expect(
      parseStatus(
        'Name:\tx\nUid:\t1000\t1000\t1000\t1000\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\nVmSwap:\t 0 kB\nvoluntary_ctxt_switches:\t7\nnonvoluntary_ctxt_switches:\t3\n'
      )
    ).toEqual({
      uid: 1000,
      vm_rss_bytes: 1024 * 1024,
      vm_hwm_bytes: 2048 * 1024,
      vm_swap_bytes: 0,
      voluntary_ctxt_switches: 7,
      nonvoluntary_ctxt_switches: 3
    })
    expect(parseStatus('Name:\tkthread\n').vm_rss_bytes).toBeNull()
    expect(parseIo('rchar: 10\nwchar: 20\nsyscr: 1\nsyscw: 2\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n')).toEqual({
      rchar: 10,
      wchar: 20,
      read_bytes: 4096,
      write_bytes: 8192
    })
    expect(parseIo('')).toBeNull()
    expect(parseSmapsRollup('00400000-7ffd [rollup]\nRss:   100 kB\nPss:    50 kB\nSwap:    0 kB\n')).toEqual({
      rss_bytes: 102400,
      pss_bytes: 51200,
      swap_bytes: 0
    })
    expect(parseCmdline('a\0b c\0\0')).toEqual(['a', 'b c', ''])
    expect(parseCmdline('')).toEqual([])
  })

  it('samples a frozen /proc tree from fixtures', async () => {
    const root = join(dir, 'proc')
    mkdirSync(join(root, '42', 'fd'), { recursive: true })
    writeFileSync(join(root, 'stat'), 'cpu 1 2 3\nbtime 1700000000\n')
    // RSS comes from stat, in pages
    const page = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }))
    writeFileSync(join(root, '42', 'stat'), `42 (fix ture) R 1 42 42 0 -1 0 10 0 0 0 100 20 0 0 20 0 1 0 500 0 ${4194304 / page}`)
    writeFileSync(join(root, '42', 'status'), 'Name:\tfix ture\nUid:\t0\t0\t0\t0\nVmRSS:\t 4096 kB\nVmHWM:\t 8192 kB\n')
    writeFileSync(join(root, '42', 'cmdline'), 'fix\0ture\0')
    for (const f of ['0', '1', '2']) writeFileSync(join(root, '42', 'fd', f), '')
    const s = createSampler({ procRoot: root, reader: 'ts' })
    s.track(42)
    expect(s.describe(42)).toMatchObject({ comm: 'fix ture', cmdline: ['fix', 'ture'], start_ms: 1700000000000 + 5000 })
    expect(s.readerKind).toBe('ts')
    const r = await s.sampleOnce()
    expect(r.processes[0]).toMatchObject({
      pid: 42,
      comm: 'fix ture',
      state: 'R',
      rss_bytes: 4194304,
      hwm_bytes: 8388608,
      fds: 3,
      threads: 1,
      cpu_seconds: 1.2,
      read_bytes: null,
      pss_bytes: null,
      vol_ctxsw: null
    })
    expect(r.totals).toMatchObject({ processes: 1, rss_bytes: 4194304, fds: 3, cpu_seconds: 1.2, read_bytes: null })
    // the next tick: CPU over the interval, the figures not re-read carried
    writeFileSync(join(root, '42', 'stat'), `42 (fix ture) S 1 42 42 0 -1 0 10 0 0 0 110 20 0 0 20 0 1 0 500 0 ${4194304 / page}`)
    await sleep(100)
    const r2 = await s.sampleOnce()
    expect(r2.processes[0]).toMatchObject({ state: 'S', hwm_bytes: 8388608, fds: 3, cpu_system_pct: 0 })
    expect(r2.processes[0]!.cpu_user_pct).toBeGreaterThan(0)
    // a zombie has exited: it leaves the samples, and its CPU stays in the tree's total
    writeFileSync(join(root, '42', 'stat'), `42 (fix ture) Z 1 42 42 0 -1 0 10 0 0 0 110 20 0 0 20 0 1 0 500 0 0`)
    const r3 = await s.sampleOnce()
    expect(r3).toMatchObject({ processes: [], exited: [42], totals: { processes: 0, cpu_seconds: 1.3 } })
  })
})

describe('skipping processes that did not run', () => {
  /** a single-threaded process that sleeps in read(2) until a line comes: it runs only when fed */
  function blockedReader(): ChildProcess {
    const c = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] })
    children.push(c)
    return c
  }

  it.each(['native', 'ts'] as const)(
    'gives a sleeping process its last stat and io again, reads it once it runs, never skips a threaded one (%s reader)',
    async (kind) => {
      const { ROW_SIZE, F_COMM_CHANGED, F_IDLE, F_OK, F_RCHAR, F_THREADS, F_UTIME, F_MINFLT, READ_IO, READ_SKIP_IDLE, READ_STATUS } =
        await import('../../src/main/proc/row')
      const { TsProcReader } = await import('../../src/main/proc/reader-ts')
      const { loadNativeAddon, nativeProcReader } = await import('../../src/main/proc/native')
      const reader = kind === 'ts' ? new TsProcReader('/proc') : nativeProcReader(loadNativeAddon().addon!)
      const c = blockedReader()
      await untilAsleep(c.pid!, 'cat')
      const handles = Int32Array.of(reader.open(c.pid!)!, reader.open(process.pid)!)
      const rows = new Float64Array(2 * ROW_SIZE)
      const read = (what: number): Float64Array => {
        reader.sample(handles, Uint8Array.of(what, what), 2, rows)
        return rows.slice(0, ROW_SIZE)
      }
      const first = read(READ_IO | READ_SKIP_IDLE)
      expect([first[F_OK], first[F_IDLE], first[F_THREADS]]).toEqual([1, 0, 1])
      const asleep = read(READ_IO | READ_SKIP_IDLE)
      expect(asleep[F_IDLE]).toBe(1)
      // the same values (comm_changed: the first read is always a change)
      const same = (r: Float64Array): number[] => [...r].map((v, i) => (i === F_IDLE || i === F_COMM_CHANGED ? 0 : v))
      expect(same(asleep)).toEqual(same(first))
      // this test's own process has several threads: schedstat is only its main thread's, so it is read
      expect([rows[ROW_SIZE + F_OK], rows[ROW_SIZE + F_IDLE]]).toEqual([1, 0])
      expect(rows[ROW_SIZE + F_THREADS]).toBeGreaterThan(1)
      // a slow-tier read (status) reads stat as well, and says the process did not run
      expect(read(READ_STATUS | READ_SKIP_IDLE)[F_IDLE]).toBe(2)
      const before = rcharOf(c.pid!)
      c.stdin!.write('x'.repeat(1000) + '\n')
      await until('cat read the line', () => rcharOf(c.pid!) >= before + 1001)
      await untilAsleep(c.pid!, 'cat')
      const ran = read(READ_IO | READ_SKIP_IDLE)
      expect(ran[F_IDLE]).toBe(0)
      expect(ran[F_RCHAR]).toBeGreaterThanOrEqual(first[F_RCHAR]! + 1001)
      expect(ran[F_MINFLT]! + ran[F_UTIME]!).toBeGreaterThanOrEqual(first[F_MINFLT]! + first[F_UTIME]!)
      expect(read(READ_IO | READ_SKIP_IDLE)[F_IDLE]).toBe(1)
      c.kill('SIGKILL')
      await new Promise((r) => c.once('exit', r))
      expect(read(READ_IO | READ_SKIP_IDLE)[F_OK]).toBe(0)
      for (const h of handles) reader.close(h)
    }
  )

  it.each(['native', 'ts'] as const)(
    'leaves status and the fd count of a sleeping single-threaded process unread while its RSS stays, never a threaded one’s (%s reader)',
    async (kind) => {
      const { ROW_SIZE, F_FDS, F_HWM, F_IDLE, F_IVCSW, F_OK, F_RSS, F_SWAP, F_VCSW, READ_ALL, READ_FDS, READ_SKIP_IDLE, READ_SKIP_UNCHANGED, READ_STATUS } =
        await import('../../src/main/proc/row')
      const { TsProcReader } = await import('../../src/main/proc/reader-ts')
      const { loadNativeAddon, nativeProcReader } = await import('../../src/main/proc/native')
      const reader = kind === 'ts' ? new TsProcReader('/proc') : nativeProcReader(loadNativeAddon().addon!)
      const mapPath = join(dir, `serve-reader-${kind}`)
      const c = await serve(mapPath)
      const handles = Int32Array.of(reader.open(c.pid)!, reader.open(process.pid)!)
      const rows = new Float64Array(2 * ROW_SIZE)
      const read = (what: number): Float64Array => {
        reader.sample(handles, Uint8Array.of(what, what), 2, rows)
        return rows.slice(0, ROW_SIZE)
      }
      const slow = READ_STATUS | READ_FDS | READ_SKIP_IDLE | READ_SKIP_UNCHANGED
      const unread = (r: Float64Array): boolean[] => [F_HWM, F_SWAP, F_VCSW, F_IVCSW, F_FDS].map((f) => Number.isNaN(r[f]))
      const none = [false, false, false, false, false]
      const all = [true, true, true, true, true]
      // the sampler's first read: everything, and a look at schedstat
      const first = read(READ_ALL | READ_SKIP_IDLE)
      expect(unread(first)).toEqual(none)
      let r = read(slow)
      expect([r[F_OK], r[F_IDLE], r[F_RSS]]).toEqual([1, 2, first[F_RSS]])
      expect(unread(r)).toEqual(all)
      // this test's process has several threads: its schedstat is one thread's, so they are read
      expect(unread(rows.subarray(ROW_SIZE))).toEqual(none)
      // asked without the bit (the sampler's read every fifth second): read, and the same
      r = read(slow & ~READ_SKIP_UNCHANGED)
      expect([r[F_HWM], r[F_VCSW], r[F_FDS]]).toEqual([first[F_HWM], first[F_VCSW], first[F_FDS]])
      expect(unread(read(slow))).toEqual(all)
      // its RSS falls while it sleeps: the kernel unmaps the pages of the file it maps, truncated
      truncateSync(mapPath, 0)
      r = read(slow)
      expect(r[F_IDLE]).toBe(2)
      expect(r[F_RSS]).toBeLessThanOrEqual(first[F_RSS]! - 4 * 2 ** 20)
      expect(unread(r)).toEqual(none)
      expect(unread(read(slow))).toEqual(all)
      for (const h of handles) reader.close(h)
    }
  )

  it.each(['ts', 'auto'] as const)('shows an idle process at 0 % CPU and its I/O when it runs again (%s reader)', async (reader) => {
    const c = blockedReader()
    await untilAsleep(c.pid!, 'cat')
    const s = createSampler({ reader })
    s.track(c.pid!)
    const samples = []
    // io is read every other tick: by the last sample it has been read after cat ran
    for (let i = 0; i < 8; i++) {
      if (i === 4) {
        const before = rcharOf(c.pid!)
        c.stdin!.write('y'.repeat(4096) + '\n')
        await until('cat read the line', () => rcharOf(c.pid!) >= before + 4097)
      }
      samples.push((await s.sampleOnce()).processes[0]!)
      // ticks apart, so that CPU shares are over a span
      await sleep(110)
    }
    expect(samples.slice(1, 4).map((p) => [p.cpu_user_pct, p.cpu_system_pct])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0]
    ])
    expect(samples[3]!.rchar_bytes).toBe(samples[0]!.rchar_bytes)
    expect(samples[7]!.rchar_bytes! - samples[3]!.rchar_bytes!).toBeGreaterThanOrEqual(4097)
    s.close()
  })

  it.each(['ts', 'auto'] as const)('finds a child that a quiet tree starts, within two ticks (%s reader)', async (reader) => {
    // sh waits for a line, then starts sleep: until then nothing in the tree runs
    const c = spawn('sh', ['-c', 'read x; sleep 5'], { stdio: ['pipe', 'ignore', 'ignore'] })
    children.push(c)
    await untilAsleep(c.pid!, 'sh')
    const s = createSampler({ reader })
    s.track(c.pid!)
    const tick = async (): Promise<number[]> => {
      const found = (await s.discoverChildren()).map((k) => k.pid)
      for (const pid of found) s.track(pid)
      await s.sampleOnce()
      await sleep(100)
      return found
    }
    for (let i = 0; i < 4; i++) expect(await tick()).toEqual([])
    c.stdin.write('go\n')
    // from the moment the child exists
    await until('the shell started sleep', () => {
      const kid = Number(readFileSync(`/proc/${c.pid}/task/${c.pid}/children`, 'utf8').trim().split(' ')[0])
      return kid > 0 && commOf(kid) === 'sleep'
    })
    const found = [...(await tick()), ...(await tick())]
    expect(found).toHaveLength(1)
    expect(s.describe(found[0]!)?.comm).toBe('sleep')
    s.close()
  })
})

/**
 * What a sampler asks of its reader and what it gets, tick by tick and per pid: recorded where the
 * reader meets the sampler (TsProcReader's methods, or the addon's), the reads themselves real.
 */
async function recordReads(kind: 'native' | 'ts') {
  const { ROW_SIZE } = await import('../../src/main/proc/row')
  const pidOf = new Map<number, number>()
  const ticks: Map<number, { what: number; row: Float64Array }>[] = []
  const opened = (pid: number, h: number | null): number | null => {
    if (h !== null) pidOf.set(h, pid)
    return h
  }
  const sampled = (handles: Int32Array, what: Uint8Array, count: number, rows: Float64Array): void => {
    const tick = new Map<number, { what: number; row: Float64Array }>()
    for (let i = 0; i < count; i++) tick.set(pidOf.get(handles[i]!)!, { what: what[i]!, row: rows.slice(i * ROW_SIZE, (i + 1) * ROW_SIZE) })
    ticks.push(tick)
  }
  if (kind === 'ts') {
    const { TsProcReader } = await import('../../src/main/proc/reader-ts')
    const { open, sample } = TsProcReader.prototype
    vi.spyOn(TsProcReader.prototype, 'open').mockImplementation(function (this: InstanceType<typeof TsProcReader>, pid: number) {
      return opened(pid, open.call(this, pid))
    })
    vi.spyOn(TsProcReader.prototype, 'sample').mockImplementation(function (this: InstanceType<typeof TsProcReader>, h, w, n, r) {
      sample.call(this, h, w, n, r)
      sampled(h, w, n, r)
    })
  } else {
    const { loadNativeAddon } = await import('../../src/main/proc/native')
    const addon = loadNativeAddon().addon!
    const { openProcess, sampleProcesses } = addon
    vi.spyOn(addon, 'openProcess').mockImplementation((pid) => opened(pid, openProcess(pid)))
    vi.spyOn(addon, 'sampleProcesses').mockImplementation((h, w, n, r) => {
      sampleProcesses(h, w, n, r)
      sampled(h, w, n, r)
    })
  }
  return ticks
}

describe('the slow tier', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it.each(['native', 'ts'] as const)(
    're-reads the unchanged PSS, status and fd count of sleeping processes tracked together in different seconds, at least every fifth (%s reader)',
    async (kind) => {
      const { F_FDS, F_HWM, F_IVCSW, F_PSS, F_PSS_MS, F_SWAP, F_VCSW, READ_STATUS } = await import('../../src/main/proc/row')
      const { PSS_CPU_SHARE } = await import('../../src/main/proc/read-schedule')
      const sleepers = Array.from({ length: 5 }, () => {
        const c = spawn('sleep', ['30'], { stdio: 'ignore' })
        children.push(c)
        return c.pid!
      })
      for (const pid of sleepers) await untilAsleep(pid, 'sleep')
      const ticks = await recordReads(kind)
      const s = createSampler({ reader: kind })
      for (const pid of sleepers) s.track(pid)
      // when each tick's reads were asked for: the sampler's clock read lies between the two
      const asked: [number, number][] = []
      for (let i = 0; i < 52; i++) {
        const from = ticks.length
        const t0 = performance.now()
        await s.sampleOnce()
        const t1 = performance.now()
        for (let t = from; t < ticks.length; t++) asked[t] = [t0, t1]
        // the slow tier counts ticks; the pace sets how many seconds they span
        await sleep(100)
      }
      s.close()
      // for each process: the slow reads (1, 2, ... after the first read) in which each was read
      const readAt = (fields: number[]): number[][] =>
        sleepers.map((pid) => {
          const at: number[] = []
          let slow = 0
          for (const t of ticks.slice(1)) {
            const r = t.get(pid)!
            if (!(r.what & READ_STATUS)) continue
            slow++
            const read = fields.map((f) => !Number.isNaN(r.row[f]))
            // all of them, or none
            expect(new Set(read).size, `pid ${pid}, slow read ${slow}: ${read.join(',')}`).toBe(1)
            if (read[0]) at.push(slow)
          }
          expect(slow, `pid ${pid}: slow reads`).toBeGreaterThanOrEqual(5)
          return at
        })
      for (const at of readAt([F_HWM, F_SWAP, F_VCSW, F_IVCSW, F_FDS])) {
        // a sleeping process changes none of them: one read in five, never fewer
        expect(at.length).toBeGreaterThanOrEqual(1)
        expect(at[0]).toBeLessThanOrEqual(5)
        for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBe(5)
      }
      // each in a second of its own
      expect(new Set(readAt([F_VCSW]).map((at) => at[0])).size).toBe(5)
      // PSS too, but a read also waits until its last one's cost is 0.1 % of the time since
      // (PSS_CPU_SHARE; the TypeScript reader can only measure that cost as the whole process's
      // CPU, so a collection on another thread meanwhile makes it dearer). A slow read that came
      // too soon does not count as a skip. From the costs and times measured in this run: the slow
      // reads that surely came too soon, and those that may have (the clock read falls between
      // two of ours)
      const pss = readAt([F_PSS])
      const firsts: { slow: number; sure: number; maybe: number }[] = []
      sleepers.forEach((pid, n) => {
        const at = pss[n]!
        let dueFrom = [-Infinity, -Infinity] // earliest and latest time the next read is due
        let slow = 0
        let since = { sure: 0, maybe: 0, slow: 0 }
        const gaps: { slow: number; sure: number; maybe: number }[] = []
        ticks.forEach((t, i) => {
          const r = t.get(pid)!
          if (i > 0 && !(r.what & READ_STATUS)) return
          if (i > 0) slow++
          const [t0, t1] = asked[i]!
          if (i > 0 && t1 < dueFrom[0]!) since.sure++
          if (i > 0 && t0 < dueFrom[1]!) since.maybe++
          if (!Number.isNaN(r.row[F_PSS])) {
            if (i > 0) gaps.push({ slow: slow - since.slow, sure: since.sure, maybe: since.maybe })
            since = { sure: 0, maybe: 0, slow }
            dueFrom = [t0 + r.row[F_PSS_MS]! / PSS_CPU_SHARE, t1 + r.row[F_PSS_MS]! / PSS_CPU_SHARE]
          }
        })
        expect(
          gaps.map((g) => g.slow),
          `pid ${pid}`
        ).toEqual(at.map((a, i) => a - (at[i - 1] ?? 0)))
        // the slow reads since the last PSS read, to the end: fewer than would have closed a gap
        // (below). A first read whose cost held back all the run's later ones leaves none at all
        // (with the TypeScript reader, a collection on another thread made it dear)
        expect(slow - since.slow, `pid ${pid}: since the last PSS read ${JSON.stringify(since)}`).toBeLessThanOrEqual(4 + since.maybe)
        if (!gaps.length) return
        // the first after the one at tracking: within five slow reads (staggered) of being due
        expect(gaps[0]!.slow, `pid ${pid}: first`).toBeLessThanOrEqual(5 + gaps[0]!.maybe)
        expect(gaps[0]!.slow).toBeGreaterThanOrEqual(1 + gaps[0]!.sure)
        firsts.push(gaps[0]!)
        // after that: unchanged, so one read in five of those that came late enough
        for (const g of gaps.slice(1)) {
          expect(g.slow, `pid ${pid}: ${JSON.stringify(g)}`).toBeGreaterThanOrEqual(5 + g.sure)
          expect(g.slow, `pid ${pid}: ${JSON.stringify(g)}`).toBeLessThanOrEqual(5 + g.maybe)
        }
      })
      // in different seconds: the first re-reads that no cost could have held back are staggered
      const unheld = firsts.filter((g) => g.maybe === 0).map((g) => g.slow)
      expect(new Set(unheld).size, `first re-reads ${JSON.stringify(firsts)}`).toBe(unheld.length)
    }
  )

  it.each(['native', 'ts'] as const)(
    're-reads status and the fd count at the next second once a process ran: 50 new files, 64 MiB more at its peak (%s reader)',
    async (kind) => {
      const { F_FDS, F_HWM, READ_SKIP_UNCHANGED, READ_STATUS } = await import('../../src/main/proc/row')
      const c = await serve(join(dir, `serve-sampler-${kind}`))
      const ticks = await recordReads(kind)
      const s = createSampler({ reader: kind })
      s.track(c.pid)
      let last = (await s.sampleOnce()).processes[0]!
      /** sample until the first slow read from now on (at most a second): its row */
      const untilSlowRead = async () => {
        for (let i = 0; i < 11; i++) {
          await sleep(100)
          last = (await s.sampleOnce()).processes[0]!
          const r = ticks.at(-1)!.get(c.pid)!
          if (r.what & READ_STATUS) return r
        }
        throw new Error('no slow read in 11 ticks')
      }
      // asleep: left unread
      expect(Number.isNaN((await untilSlowRead()).row[F_FDS])).toBe(true)
      const fds = last.fds!
      await c.tell('f')
      let r = await untilSlowRead()
      // a read the sampler let the reader skip: the run is what made it read
      expect(r.what & READ_SKIP_UNCHANGED).toBeTruthy()
      expect(r.row[F_FDS]).toBe(fds + 50)
      expect(last.fds).toBe(fds + 50)
      const hwm = last.hwm_bytes!
      await c.tell('m')
      r = await untilSlowRead()
      expect(r.what & READ_SKIP_UNCHANGED).toBeTruthy()
      expect(r.row[F_HWM]).toBeGreaterThanOrEqual(hwm + 64 * 2 ** 20)
      expect(last.hwm_bytes).toBe(r.row[F_HWM])
      // asleep again: left unread again
      expect(Number.isNaN((await untilSlowRead()).row[F_FDS])).toBe(true)
      expect(last.fds).toBe(fds + 50)
      s.close()
    }
  )
})

describe('the N-API reader', () => {
  it('is built, and agrees with the TypeScript reader on a live process', async () => {
    const c = run('files', '20', '5')
    await filesOpen(c.pid!, 20)
    const native = createSampler({ reader: 'native' })
    const ts = createSampler({ reader: 'ts' })
    expect([native.readerKind, ts.readerKind]).toEqual(['native', 'ts'])
    native.track(c.pid!)
    ts.track(c.pid!)
    const a = (await native.sampleOnce()).processes[0]!
    const b = (await ts.sampleOnce()).processes[0]!
    for (const k of [
      'pid',
      'ppid',
      'comm',
      'state',
      'threads',
      'fds',
      'hwm_bytes',
      'swap_bytes',
      'rchar_bytes',
      'read_bytes',
      'write_bytes',
      'minflt',
      'majflt'
    ] as const)
      expect(a[k], k).toEqual(b[k])
    expect(Math.abs(a.rss_bytes! - b.rss_bytes!)).toBeLessThan(1 << 20)
    expect(Math.abs(a.pss_bytes! - b.pss_bytes!)).toBeLessThan(1 << 20)
    expect(a.fds).toBeGreaterThanOrEqual(20)
    native.close()
    ts.close()
  })

  it('samples through handles that follow their process: gone once it exits', async () => {
    const { loadNativeAddon } = await import('../../src/main/proc/native')
    const { ROW_SIZE, F_OK, F_PPID, F_THREADS } = await import('../../src/main/proc/row')
    const addon = loadNativeAddon().addon!
    const c = run('files', '3', '5')
    await filesOpen(c.pid!, 3)
    const h = addon.openProcess(c.pid!)!
    const rows = new Float64Array(2 * ROW_SIZE)
    addon.sampleProcesses(Int32Array.of(h, 999_999), Uint8Array.of(0xf, 0), 2, rows)
    expect([rows[F_OK], rows[F_PPID], rows[F_THREADS]]).toEqual([1, process.pid, 1])
    // a handle that was never opened reads as gone
    expect(rows[ROW_SIZE + F_OK]).toBe(0)
    // its bytes (a comm need not be UTF-8: the caller decodes it as the helper does)
    expect(Buffer.from(addon.processComm(h)!).toString('latin1')).toBe('procload')
    c.kill('SIGKILL')
    await new Promise((r) => c.once('exit', r))
    addon.sampleProcesses(Int32Array.of(h), Uint8Array.of(0), 1, rows)
    expect(rows[F_OK]).toBe(0)
    addon.closeProcess(h)
    expect(addon.openProcess(c.pid!)).toBeNull()
    expect(() => addon.sampleProcesses(Int32Array.of(h), Uint8Array.of(0), 2, rows)).toThrow(/too short/)
  })

  it('passes its C parsers’ table-driven tests (ASan/UBSan build)', () => {
    const out = execFileSync('make', ['-s', '-C', join(projectRoot(), 'native'), 'test'], { encoding: 'utf8' })
    expect(out).toContain('procread_test: ok')
  })

  it('falls back to the TypeScript reader, saying why', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `
      const { createSampler } = await import(${JSON.stringify(join(projectRoot(), 'src/main/proc/sampler.ts'))});
      const s = createSampler(); console.log(JSON.stringify([s.readerKind, s.readerReason]));`
      ],
      { encoding: 'utf8', env: { ...process.env, SYSCOPE_PROC_READER: 'ts' } }
    )
    expect(JSON.parse(out)).toEqual(['ts', 'SYSCOPE_PROC_READER=ts'])
  })
})
