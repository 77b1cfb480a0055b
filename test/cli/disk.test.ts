// Disk latency end to end, through `syscope record --json`: direct-I/O reads of a file on an ext4
// filesystem on a loop device (this VM has a virtio disk, vda, holding the root filesystem, and
// an empty zram0, so the test makes its own device: a 64 MiB image in /var/tmp, not on a tmpfs,
// as the loop device's first free one). dd reads the file
// with iflag=direct, 4 KiB and 64 KiB at a time: each read is one block request of exactly its
// size, submitted by dd. bpftrace times the same requests on the classic block tracepoints in
// the same run (tracefs mounted for this file if it was not, and unmounted after); the two latency
// histograms agree within one log2 bucket, request by request (but for one request a run, which
// an interrupt between the two programs can stretch for one of them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { bucketOf } from '../../src/shared/histogram'
import type { DiskSummaryRow, Summary } from '../../src/main/types/summary'
import { CLI, alive, buildCli, childrenOf, helperIn, killPids, pidsMatching, runCli } from './harness'
import { until } from '../util/until'
import { releaseFifo } from '../util/fifo'
import { kernelDev, makeLoopDisk, type LoopDisk } from '../util/loop-disk'
import { mountTracefs } from '../helper/harness'

const SMALL = { bs: 4096, count: 32 }
const LARGE = { bs: 65536, count: 8 }

let disk: LoopDisk
let dir: string
let loop: string
let file: string
let env: Record<string, string>

let unmountTracefs: () => void = () => undefined

beforeAll(() => {
  buildCli()
  // bpftrace and the classic tracepoint mode need tracefs: mounted for this file if it was not
  // (system test files run one at a time), unmounted after
  unmountTracefs = mountTracefs()
  disk = makeLoopDisk('syscope-disk-')
  ;({ dir, loop, file } = disk)
  env = { XDG_DATA_HOME: join(dir, 'data') }
})

afterAll(() => {
  try {
    disk?.remove()
  } finally {
    unmountTracefs()
  }
})

/** bpftrace timing the device's reads, issue to completion, one line per request */
async function startBpftrace(dev: number): Promise<{ proc: ChildProcess; output: () => string }> {
  const script = `
tracepoint:block:block_rq_issue /args->dev == ${dev} && strncmp(args->rwbs, "R", 1) == 0/ { @s[args->sector] = nsecs; }
tracepoint:block:block_rq_complete /args->dev == ${dev} && @s[args->sector]/ {
  printf("lat %d\\n", nsecs - @s[args->sector]); delete(@s[args->sector]); }
BEGIN { printf("ready\\n"); }`
  // -B line: each line as it is printed, so that nothing waits in a buffer if it must be killed
  const proc = spawn('bpftrace', ['-B', 'line', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()))
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()))
  // BEGIN fires once every probe is attached
  const deadline = Date.now() + 60_000
  while (!out.includes('ready')) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`bpftrace did not start: ${err}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return { proc, output: () => out }
}

/** bpftrace stopped: SIGINT, and SIGKILL if that has not ended it in 10 s (a bpftrace that did not
 * stop on SIGINT was seen, in the bench and here once: the test then hung until its timeout) */
async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const done = new Promise((r) => proc.once('exit', r))
  proc.kill('SIGINT')
  const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000)
  await done
  clearTimeout(kill)
}

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b)

/** Whether two sets of log2 buckets, one per request, match within one bucket once at most
 * `spare` requests are left out of each: sorted, rank by rank, which is the closest pairing
 * there is (any pairing within one bucket implies the sorted one is). */
function agreeBut(ours: number[], theirs: number[], spare: number): boolean {
  const close = (a: number[], b: number[]): boolean => a.every((x, i) => Math.abs(x - b[i]!) <= 1)
  const a = sorted(ours)
  const b = sorted(theirs)
  if (close(a, b)) return true
  if (spare === 0) return false
  // leave out one of each (an outlier moves one request across ranks in both lists)
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) if (agreeBut(a.toSpliced(i, 1), b.toSpliced(j, 1), spare - 1)) return true
  return false
}

/** busy loops by pid, to check the figures hold on a loaded machine */
function busyLoops(n: number): number[] {
  const pids: number[] = []
  for (let i = 0; i < n; i++) {
    const p = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' })
    pids.push(p.pid!)
  }
  return pids
}

describe('disk latency', () => {
  it('compares histograms request by request, letting one request through and no more', () => {
    const base = [...Array<number>(32).fill(13), ...Array<number>(8).fill(16)]
    // the CI case: one 4 KiB read two buckets longer for us
    const one = base.map((b, i) => (i === 5 ? 15 : b))
    expect(agreeBut(one, base, 1)).toBe(true)
    expect(agreeBut(one, base, 0)).toBe(false)
    expect(
      agreeBut(
        one.map((b, i) => (i === 6 ? 16 : b)),
        base,
        1
      )
    ).toBe(false)
    // a whole histogram two buckets off is no match
    expect(
      agreeBut(
        base.map((b) => b + 2),
        base,
        1
      )
    ).toBe(false)
  })

  it.each([0, 2])(
    'counts, sizes, attributes and times direct reads on a loop device (%i busy loops beside)',
    async (busy) => {
      const { dev, id } = kernelDev(loop)
      const loops = busyLoops(busy)
      // bpftrace attaches after the helper, so that at both tracepoints the helper's programs run
      // first: each one's span then differs from the other's by the helper's own work only (the
      // other way round, bpftrace's completion program, printf and all, lay inside ours: ~5 µs,
      // a bucket of a loop device's 8–16 µs requests). The command waits on a FIFO meanwhile.
      const go = join(dir, `go-${busy}`)
      execFileSync('mkfifo', [go])
      let bt: Awaited<ReturnType<typeof startBpftrace>> | null = null
      let rec: ChildProcess | null = null
      let s: Summary
      try {
        const out = join(dir, `run-${busy}.syscope`)
        const dd = (o: { bs: number; count: number }): string => `dd if=${file} of=/dev/null iflag=direct bs=${o.bs} count=${o.count} status=none`
        rec = spawn('node', [CLI, 'record', '--json', '--no-tty', '--out', out, '--', 'sh', '-c', `read x < ${go}; ${dd(SMALL)}; ${dd(LARGE)}`], {
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'pipe']
        })
        let stdout = ''
        let stderr = ''
        rec.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
        rec.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
        const exited = new Promise<number | null>((r) => rec!.once('exit', (c) => r(c)))
        // the command runs (blocked on the FIFO) once the helper has attached and armed it: the
        // shell itself, not `syscope record`, whose arguments hold the same text
        await until('the recorded command', () => spawnSync('pgrep', ['-f', `^sh -c read x < ${go}`]).status === 0)
        bt = await startBpftrace(dev)
        await releaseFifo(go)
        expect(await exited, stderr).toBe(0)
        s = JSON.parse(stdout) as Summary
      } finally {
        if (bt) await stop(bt.proc)
        if (rec && rec.exitCode === null) rec.kill('SIGKILL')
        killPids(loops)
      }
      expect(s.ebpf.attach).toBe('tp_btf')
      expect(s.disk).not.toBeNull()
      const d = s.disk!.find((x) => x.dev === id) as DiskSummaryRow
      expect(d.device).toBe(loop.replace('/dev/', ''))
      expect(d.attributed_at).toBe('submit')

      // each dd process submitted exactly its reads, of exactly its size
      const dds = s.proc.processes.filter((p) => p.comm === 'dd').map((p) => p.pid)
      expect(dds).toHaveLength(2)
      const mine = d.processes.filter((p) => dds.includes(p.pid))
      expect(mine).toHaveLength(2)
      for (const [o, p] of [
        [SMALL, mine.find((x) => x.size_hist[0]?.le_bytes === SMALL.bs)],
        [LARGE, mine.find((x) => x.size_hist[0]?.le_bytes === LARGE.bs)]
      ] as const) {
        expect(p, JSON.stringify(mine)).toBeDefined()
        expect(p!.comm).toBe('dd')
        expect(p!.requests).toBe(o.count)
        expect(p!.reads).toBe(o.count)
        expect(p!.bytes).toBe(o.count * o.bs)
        expect(p!.writes).toBe(0)
        expect(p!.size_hist).toEqual([{ le_bytes: o.bs, count: o.count }])
      }
      // no tracked process other than the dds touched the device
      expect(d.processes.filter((p) => !dds.includes(p.pid))).toEqual([])

      // the device's reads, timed by bpftrace on the same requests: the same number, and sorted
      // request by request, each in our bucket or the next one, but for at most one request. Our
      // program and bpftrace's run one after the other in the same tracepoint call, and an
      // interrupt or the host taking the vCPU between them (~1 in 10,000 requests here: seen
      // once in CI as a 4 KiB read at 16–32 µs for us and 4–8 µs for bpftrace) lengthens one
      // span and not the other. No observer attached beside ours can avoid that.
      const read = d.by_op.find((o) => o.op === 'read')!
      const theirs = bt
        .output()
        .split('\n')
        .filter((l) => l.startsWith('lat '))
        .map((l) => bucketOf(Number(l.slice(4))))
      const ours = read.hist.flatMap((h) => Array<number>(h.count).fill(bucketOf(h.le_ns!)))
      expect(read.requests).toBe(SMALL.count + LARGE.count)
      expect(theirs).toHaveLength(ours.length)
      expect(agreeBut(ours, theirs, 1), `ours ${sorted(ours).join(' ')}\nbpftrace ${sorted(theirs).join(' ')}`).toBe(true)
      // the quantiles come from that histogram
      expect(read.p50_ns!).toBeLessThanOrEqual(read.p99_ns!)
      expect(d.queue_depth).not.toBeNull()
      expect(d.queue_depth!.samples.length).toBeGreaterThan(0)
    },
    180_000
  )

  it('counts and attributes the same reads in the raw_tp mode', () => {
    const { id } = kernelDev(loop)
    const wrapper = helperIn(dir, 'raw_tp')
    const r = runCli(
      [
        'record',
        '--json',
        '--no-tty',
        '--out',
        join(dir, 'raw.syscope'),
        '--',
        'dd',
        `if=${file}`,
        'of=/dev/null',
        'iflag=direct',
        `bs=${SMALL.bs}`,
        `count=${SMALL.count}`,
        'status=none'
      ],
      { ...env, SYSCOPE_HELPER: wrapper },
      120_000
    )
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as Summary
    expect(s.ebpf.attach).toBe('raw_tp')
    const d = s.disk!.find((x) => x.dev === id)!
    const dd = s.proc.processes.find((p) => p.comm === 'dd')!
    const p = d.processes.find((x) => x.pid === dd.pid)!
    expect(p.requests).toBe(SMALL.count)
    expect(p.size_hist).toEqual([{ le_bytes: SMALL.bs, count: SMALL.count }])
  }, 180_000)

  it('shows the requests kernel threads submit (the journal, writeback) as unattributed', () => {
    const { id } = kernelDev(loop)
    const w = join(dirname(file), 'written')
    const r = runCli(
      ['record', '--json', '--no-tty', '--out', join(dir, 'writes.syscope'), '--', 'sh', '-c', `dd if=/dev/zero of=${w} bs=4096 count=64 status=none; sync`],
      env,
      120_000
    )
    rmSync(w, { force: true })
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as Summary
    const d = s.disk!.find((x) => x.dev === id)!
    expect(d.writes).toBeGreaterThan(0)
    // sync(2) committed the journal: jbd2's write, submitted by a kernel thread, has no pid
    expect(d.unattributed.writes).toBeGreaterThan(0)
    // every attributed request is a tracked process's, and the parts add up to the device
    const tracked = new Set(s.proc.processes.map((p) => p.pid))
    for (const p of d.processes) expect(tracked.has(p.pid), `pid ${p.pid}`).toBe(true)
    expect(d.processes.reduce((n, p) => n + p.requests, 0) + d.unattributed.requests).toBe(d.requests)
    expect(d.processes.reduce((n, p) => n + p.writes, 0) + d.unattributed.writes).toBe(d.writes)
    expect(d.by_op.reduce((n, o) => n + o.requests, 0)).toBe(d.requests)
  }, 180_000)

  // The kernel's table of figures per (device, op, process) is bounded; the helper deletes the
  // entries of a process no longer tracked once they have been quiet for 10 ticks. dd reads into
  // a pipe its reader drains only once told, so it is seen in the table while alive; after it
  // exits its entry goes, and every one of its requests is still in the recording.
  it("forgets an exited process's entries once quiet, keeping all its requests", async () => {
    const { id } = kernelDev(loop)
    const go = join(dir, 'forget-go')
    const end = join(dir, 'forget-end')
    const out = join(dir, 'forget.syscope')
    const ddArgs = `if=${file} of=/dev/stdout iflag=direct bs=4096 count=32 status=none`
    // 32 reads of 4 KiB into a 64 KiB pipe: dd blocks, alive, until the reader drains it
    const script = `dd ${ddArgs} | { while [ ! -e ${go} ]; do sleep 0.02; done; cat >/dev/null; }; while [ ! -e ${end} ]; do sleep 0.02; done`
    const rec = spawn('node', [CLI, 'record', '--json', '--no-tty', '--interval', '100', '--out', out, '--', 'sh', '-c', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    rec.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    rec.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((r) => rec.once('exit', (c) => r(c)))
    try {
      // (pgrep matches the first 15 characters of a command's name)
      const helperName = basename(process.env.SYSCOPE_HELPER ?? 'syscope-helper').slice(0, 15)
      const helper = await until('the helper runs', () => childrenOf(rec.pid!, helperName)[0])
      const ddPid = await until('dd runs', () => pidsMatching(`^dd ${ddArgs}$`)[0])
      // the helper's disk_counts, found by the map ids its fds hold once it has loaded: while
      // it loads, libbpf opens and closes probes (an fd or a map gone between two looks)
      const gone = <T>(f: () => T, otherwise: T): T => {
        try {
          return f()
        } catch {
          return otherwise
        }
      }
      const diskCounts = (): string[] =>
        readdirSync(`/proc/${helper}/fdinfo`).flatMap((fd) => {
          const m = /^map_id:\s*(\d+)/m.exec(gone(() => readFileSync(`/proc/${helper}/fdinfo/${fd}`, 'utf8'), ''))
          const name = m
            ? gone(() => (JSON.parse(execFileSync('bpftool', ['map', 'show', 'id', m[1]!, '-j'], { encoding: 'utf8' })) as { name?: string }).name, null)
            : null
          return name === 'disk_counts' ? [m![1]!] : []
        })
      const counts = await until('the helper holds its disk_counts', () => {
        const c = diskCounts()
        return c.length ? c : undefined
      })
      expect(counts).toHaveLength(1)
      /** dd's submitter entries in it */
      const ddEntries = (): number => {
        const rows = JSON.parse(execFileSync('bpftool', ['map', 'dump', 'id', counts[0]!, '-j'], { encoding: 'utf8' })) as {
          formatted?: { key: { tgid: number } }
        }[]
        return rows.filter((r) => r.formatted?.key.tgid === ddPid).length
      }
      await until('dd has an entry of its own', () => ddEntries() > 0, { timeoutMs: 60_000 })
      writeFileSync(go, '')
      await until('dd exits', () => !alive(ddPid))
      // 10 ticks of 100 ms after its last request, and the helper's tick to see it
      await until("dd's entry is deleted", () => ddEntries() === 0, { timeoutMs: 60_000, intervalMs: 100 })
      writeFileSync(end, '')
      expect(await exited, stderr).toBe(0)
    } finally {
      // however the test ends, the command's own way out (and syscope's with it), so that
      // nothing holds the mount when it goes
      writeFileSync(go, '')
      writeFileSync(end, '')
      await until('the recording ends', () => rec.exitCode !== null || rec.signalCode !== null, { timeoutMs: 60_000 }).catch(() => rec.kill('SIGKILL'))
    }
    const s = JSON.parse(stdout) as Summary
    const dd = s.proc.processes.find((p) => p.comm === 'dd')!
    const mine = s.disk!.find((x) => x.dev === id)!.processes.find((p) => p.pid === dd.pid)
    expect(mine?.reads, JSON.stringify(mine)).toBe(32)
    expect(mine!.bytes).toBe(32 * 4096)
  }, 180_000)

  it('says disk latency is unavailable (null) in the classic tracepoint mode', () => {
    // the helper in tracepoint mode, through a wrapper (tracefs is mounted for the file)
    const wrapper = helperIn(dir, 'tracepoint')
    const r = spawnSync(
      'node',
      [CLI, 'record', '--json', '--no-tty', '--', 'dd', `if=${file}`, 'of=/dev/null', 'iflag=direct', 'bs=4096', 'count=4', 'status=none'],
      { encoding: 'utf8', env: { ...process.env, ...env, SYSCOPE_HELPER: wrapper }, timeout: 120_000 }
    )
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as Summary
    expect(s.ebpf.attach).toBe('tracepoint')
    expect(s.ebpf.syscalls.total).toBeGreaterThan(0)
    expect(s.disk).toBeNull()
  }, 180_000)
})
