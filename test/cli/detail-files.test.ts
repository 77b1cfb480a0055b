// `syscope record --detail`: the files section of the summary (text and JSON, and the recording
// reopened), exact for a workload of known file work, and equal to what strace -y saw of the
// same workload for the calls both see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../src/main/paths'
import type { FileSummaryRow, Summary } from '../../src/main/types/summary'
import { CLI, buildCli, runCli, ticksOnDisk } from './harness'
import { until } from '../util/until'

let dir: string
let files: string
let env: Record<string, string>
beforeAll(() => {
  buildCli()
  dir = mkdtempSync(join(tmpdir(), 'syscope-detail-'))
  chmodSync(dir, 0o755)
  files = join(dir, 'files')
  execFileSync('cc', ['-O2', '-o', files, join(projectRoot(), 'test', 'helper', 'workloads', 'files.c')])
  env = { XDG_DATA_HOME: join(dir, 'data') }
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function workDir(): string {
  const work = mkdtempSync(join(dir, 'work-'))
  mkdirSync(join(work, 'sub'))
  return work
}

/** per path: opens, reads, read bytes, writes, written bytes, from `strace -f -y` of the same work */
function straceFiles(work: string): Map<string, [number, number, number, number, number]> {
  const log = join(dir, `strace-${Math.random().toString(36).slice(2)}.log`)
  execFileSync('strace', ['-f', '-y', '-qq', '-e', 'trace=openat,read,pread64,write,sendfile', '-o', log, files, work])
  const per = new Map<string, [number, number, number, number, number]>()
  const at = (p: string): [number, number, number, number, number] => {
    let v = per.get(p)
    if (!v) per.set(p, (v = [0, 0, 0, 0, 0]))
    return v
  }
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const ret = /= (-?\d+)(?:<([^>]*)>)?$/.exec(line)
    if (!ret || Number(ret[1]) < 0) continue
    const n = Number(ret[1])
    let m
    if (/^\d+ +openat\(/.test(line) && ret[2]) at(ret[2])[0]++
    else if ((m = /^\d+ +(?:read|pread64)\(\d+<([^>]*)>/.exec(line))) {
      at(m[1]!)[1]++
      at(m[1]!)[2] += n
    } else if ((m = /^\d+ +write\(\d+<([^>]*)>/.exec(line))) {
      at(m[1]!)[3]++
      at(m[1]!)[4] += n
    } else if ((m = /^\d+ +sendfile\(\d+<([^>]*)>, \d+<([^>]*)>/.exec(line))) {
      at(m[2]!)[1]++
      at(m[2]!)[2] += n
      at(m[1]!)[3]++
      at(m[1]!)[4] += n
    }
  }
  rmSync(log)
  return per
}

describe('syscope record --detail', () => {
  // the timed mode keeps each call's arguments at its entry; --counts-only reads them from the
  // registers at its exit, and reads no clock
  it.each([
    ['timed', []],
    ['counts-only', ['--counts-only']]
  ])('lists every file the command used, exactly, in the JSON, the text and the recording (%s)', (mode, flags) => {
    const work = workDir()
    const out = join(dir, `files-${mode}.syscope`)
    const r = runCli(['record', '--detail', ...flags, '--json', '--out', out, '--', files, work], env)
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as Summary
    expect(s.files).not.toBeNull()
    const row = (path: string): FileSummaryRow | undefined => s.files!.find((f) => f.path === path)
    const pick = (f: FileSummaryRow | undefined) => f && [f.kind, f.opens, f.open_errors, f.reads, f.read_bytes, f.writes, f.write_bytes]
    expect(pick(row(join(work, 'sub', 'a.txt')))).toEqual(['file', 3, 0, 3, 1384, 2, 1234])
    expect(pick(row(join(work, 'sub', 'b.txt')))).toEqual(['file', 2, 0, 1, 1234, 1, 1234])
    expect(pick(row(work))).toEqual(['dir', 1, 0, 0, 0, 0, 0])
    const pipe = s.files!.find((f) => f.kind === 'pipe')
    expect(pipe?.path).toMatch(/^pipe:\[\d+\]$/)
    // pipe() opened it: its two ends are two opens of the one pipe
    expect(pick(pipe)).toEqual(['pipe', 2, 0, 1, 77, 1, 77])
    // two anonymous inodes, one inode in the kernel: each under its own name
    expect(pick(row('anon_inode:[eventfd]'))).toEqual(['anon', 1, 0, 1, 8, 1, 8])
    expect(pick(row('anon_inode:[timerfd]'))).toEqual(['anon', 1, 0, 1, 8, 0, 0])
    // names that failed, made absolute against the directory they were relative to
    expect(row(join(work, 'sub', 'nope.txt'))).toMatchObject({ open_errors: 2, opens: 0, errnos: { ENOENT: 2 }, open_errnos: { ENOENT: 2 } })
    expect(row(join(work, 'missing', 'x'))).toMatchObject({ open_errors: 1, errnos: { ENOENT: 1 } })
    // a path and a name as given longer than the kernel's short tables hold: from the long ones
    const long = join(work, 'sub', 'd'.repeat(140))
    expect(pick(row(join(long, 'c.txt')))).toEqual(['file', 1, 0, 0, 0, 1, 321])
    expect(row(join(long, 'nope.txt'))).toMatchObject({ open_errors: 1, errnos: { ENOENT: 1 } })
    // every row is one of the command's processes
    const pids = new Set(s.proc.processes.map((p) => p.pid))
    expect(s.files!.every((f) => pids.has(f.pid))).toBe(true)
    // time in the calls: measured, or not known at all (never 0 for "not measured")
    const a = row(join(work, 'sub', 'a.txt'))!
    if (mode === 'timed') expect(a.time_ns).toBeGreaterThan(0)
    else expect(s.files!.every((f) => f.time_ns === null)).toBe(true)
    // the text says so too
    const text = runCli(['summary', out], env)
    expect(text.status).toBe(0)
    expect(text.stdout).toMatch(new RegExp(`files: \\d+ used, 3 names failed to open`))
    expect(text.stdout.includes('time in calls')).toBe(mode === 'timed')
    expect(text.stdout).toContain(join(work, 'sub', 'a.txt'))
    expect(text.stdout).toContain(`failed to open ${join(work, 'sub', 'nope.txt')}`)
    // no socket at all: said in words, not as a row of zeros
    expect(s.network).toEqual([])
    expect(text.stdout).toContain('\n  network: no sockets\n')
    // and the recording, reopened, gives the same rows
    const again = JSON.parse(runCli(['summary', out, '--json'], env).stdout) as Summary
    expect(again.files).toEqual(s.files)
  })

  it('agrees with strace -y on every call both see', () => {
    const work = workDir()
    const r = runCli(['record', '--detail', '--json', '--out', join(dir, 'vs-strace.syscope'), '--', files, work], env)
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as Summary
    const strace = straceFiles(workDir())
    // strace ran on another work dir: compare by the name under it
    const under = (p: string | null, root: string): string | null => (p && p.startsWith(root) ? p.slice(root.length) : null)
    const ours = new Map(s.files!.filter((f) => f.opens + f.reads + f.writes > 0 && under(f.path, work) !== null).map((f) => [under(f.path, work)!, f]))
    const theirs = new Map([...strace].flatMap(([p, v]) => (p.startsWith(dir) ? [[p.replace(/^.*\/work-[^/]+/, ''), v] as const] : [])))
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort())
    for (const [p, f] of ours) expect([f.opens, f.reads, f.read_bytes, f.writes, f.write_bytes], p).toEqual(theirs.get(p))
  })

  it('is off unless asked for: files is null', () => {
    const work = workDir()
    const r = runCli(['record', '--json', '--out', join(dir, 'off.syscope'), '--', files, work], env)
    expect(r.status, r.stderr).toBe(0)
    expect((JSON.parse(r.stdout) as Summary).files).toBeNull()
    expect(runCli(['record', '--detail', '--no-detail', '--', 'true'], env).status).toBe(2)
  })
})

describe('syscope record --detail: the text, over the whole tree', () => {
  it('gives one line per file, whoever used it, and names a pipe by its ends', () => {
    const work = workDir()
    const data = join(work, 'data.bin')
    writeFileSync(data, Buffer.alloc(100_000, 7))
    const out = join(dir, 'tree.syscope')
    // two cats read the file; the second's output goes through a pipe to wc
    const r = runCli(['record', '--detail', '--json', '--out', out, '--', 'sh', '-c', 'cat "$1" > /dev/null; cat "$1" | wc -c', 'sh', data], env)
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as Summary
    // the JSON: a row per process and file
    const rows = s.files!.filter((f) => f.path === data)
    expect(rows.map((f) => f.read_bytes)).toEqual([100_000, 100_000])
    const pipe = s.files!.filter((f) => f.kind === 'pipe' && f.read_bytes + f.write_bytes > 0)
    const comm = (pid: number): string => s.proc.processes.find((p) => p.pid === pid)!.comm
    expect(pipe.map((f) => [comm(f.pid), f.read_bytes, f.write_bytes]).sort()).toEqual([
      ['cat', 0, 100_000],
      ['wc', 100_000, 0]
    ])
    // the text: one line each, in the files section (a slow read of the file is also in the
    // slowest calls, by its path, on a machine whose cache was cold)
    const text = runCli(['summary', out], env).stdout.split('\n')
    const from = text.findIndex((l) => l.startsWith('  files:'))
    const lines = text.slice(from, text.indexOf('', from))
    expect(from).toBeGreaterThan(0)
    expect(lines.filter((l) => l.startsWith('    ') && l.endsWith(` ${data}`))).toEqual([expect.stringMatching(/^ {4}195 KiB {5}0 B {13}2 .* cat ×2 {7}\//)])
    // (the shell that made it is the third)
    expect(lines.filter((l) => l.endsWith(`${pipe[0]!.path!} (cat → wc)`))).toEqual([
      expect.stringMatching(new RegExp(`^ {4}97\\.7 KiB {4}97\\.7 KiB .* 3 processes {2}${pipe[0]!.path!.replace(/[[\]]/g, '\\$&')} \\(cat → wc\\)$`))
    ])
  })
})

describe('syscope record --detail: calls on names', () => {
  it.each([
    ['timed', []],
    ['counts-only', ['--counts-only']]
  ])('counts stats, unlinks, renames and mkdirs by the path they named, with their failures, and directories listed (%s)', (mode, flags) => {
    const names = join(dir, 'names')
    execFileSync('cc', ['-O2', '-o', names, join(projectRoot(), 'test', 'helper', 'workloads', 'names.c')])
    const work = mkdtempSync(join(dir, 'names-'))
    const out = join(dir, `names-${mode}.syscope`)
    const r = runCli(['record', '--detail', ...flags, '--json', '--out', out, '--', names, work], env)
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as Summary
    const row = (path: string): FileSummaryRow | undefined => s.files!.find((f) => f.path === path)
    const ops = (f: FileSummaryRow | undefined) => f && [f.stats, f.unlinks, f.renames_from, f.renames_to, f.mkdirs, f.name_errors, f.errnos]
    // mkdir, access and statx (through a dirfd, as "d"), rmdir
    expect(ops(row(join(work, 'd')))).toEqual([2, 1, 0, 0, 1, 0, {}])
    expect(ops(row(join(work, 'd', 'x')))).toEqual([2, 0, 0, 0, 0, 2, { ENOENT: 2 }])
    // failed stats are no failed opens: the summary's "failed to open" leaves them out
    expect(row(join(work, 'd', 'x'))).toMatchObject({ open_errors: 0, open_errnos: {} })
    // created as f (its row, by inode, is opened once), renamed to g through a dirfd, unlinked
    expect(row(join(work, 'd', 'f'))).toMatchObject({ kind: 'file', opens: 1, renames_from: 1 })
    expect(ops(row(join(work, 'd', 'g')))).toEqual([0, 1, 0, 1, 0, 0, {}])
    expect(ops(row(join(work, 'nope')))).toEqual([0, 1, 0, 0, 0, 1, { ENOENT: 1 }])
    // the text: the names that were not there, and where they were looked for
    const text = runCli(['summary', out], env).stdout
    // (a few names: each, whole, most looked up first; the dynamic loader's access() of
    // /etc/ld.so.preload among them where there is none)
    const notThere = text.split('\n').find((l) => l.includes('not there'))!
    expect(notThere).toMatch(new RegExp(`^ {4}not there \\(ENOENT\\) when looked up by name: ${join(work, 'd', 'x')} \\(2 times\\), `))
    expect(notThere).toContain(`, ${join(work, 'nope')} (once)`)
    // the directory listed: getdents64 read its entries (then an empty read at the end)
    const listed = row(work)!
    expect(listed.kind).toBe('dir')
    expect(listed.reads).toBe(2)
    expect(listed.read_bytes).toBeGreaterThan(0)
  })
})

describe('syscope record --detail: inode numbers used again', () => {
  it('keeps a deleted file and the one that took its number apart, one path one row, and renames apart', () => {
    const reuse = join(dir, 'reuse')
    execFileSync('cc', ['-O2', '-o', reuse, join(projectRoot(), 'test', 'helper', 'workloads', 'reuse.c')])
    const work = mkdtempSync(join(dir, 'reuse-'))
    const facts = join(dir, 'reuse.facts')
    const r = runCli(['record', '--detail', '--json', '--out', join(dir, 'reuse.syscope'), '--', reuse, work, facts], env)
    // 3: this filesystem gave no deleted file's number to the next one in 50 tries
    expect(r.status, `${r.stderr}\n(the workload needs a filesystem that reuses inode numbers, as ext4 does, at ${work})`).toBe(0)
    const [, a, b, ino] = /^reused (\S+) (\S+) (\d+)$/m.exec(readFileSync(facts, 'utf8'))!
    const s = JSON.parse(r.stdout) as Summary
    const row = (name: string): FileSummaryRow | undefined => s.files!.find((f) => f.path === join(work, name))
    const io = (f: FileSummaryRow | undefined) => f && [f.kind, f.opens, f.writes, f.write_bytes]
    // both files had inode `ino`: each keeps its own name and its own bytes
    expect(io(row(a!)), `${a} and ${b} had inode ${ino}`).toEqual(['file', 1, 1, 100])
    expect(io(row(b!))).toEqual(['file', 1, 1, 200])
    // c made twice: two files, one path, one row with both
    expect(s.files!.filter((f) => f.path === join(work, 'c'))).toHaveLength(1)
    expect(io(row('c'))).toEqual(['file', 2, 2, 30])
    expect(row('c')!.unlinks).toBe(1)
    // a file's calls go to the name it had at each call, as strace -y shows them
    expect(readFileSync(facts, 'utf8')).toContain('renamed')
    const rw = (f: FileSummaryRow | undefined) => f && [f.opens, f.reads, f.read_bytes, f.writes, f.write_bytes, f.renames_from, f.renames_to]
    expect(rw(row('r.lock'))).toEqual([1, 0, 0, 1, 10, 1, 0])
    expect(rw(row('r'))).toEqual([1, 2, 10, 0, 0, 0, 1])
    expect(rw(row('m'))).toEqual([1, 0, 0, 1, 5, 1, 0])
    expect(rw(row('n'))).toEqual([0, 0, 0, 1, 7, 0, 1])
  })
})

describe('syscope record --pid --detail: files held open before the attach', () => {
  it('lists them, used or not, and counts what was done with them after', async () => {
    const holder = join(dir, 'holder')
    execFileSync('cc', ['-O2', '-o', holder, join(projectRoot(), 'test', 'helper', 'workloads', 'holder.c')])
    const work = mkdtempSync(join(dir, 'held-'))
    const target = spawn(holder, [work], { stdio: ['pipe', 'pipe', 'inherit'] })
    try {
      // it opened its files and waits
      await until('the holder is ready', () => target.stdout.read()?.toString().includes('ready'))
      const out = join(dir, 'held.syscope')
      const rec = spawn('node', [CLI, 'record', '--pid', String(target.pid), '--detail', '--json', '--out', out], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe']
      })
      let stdout = ''
      rec.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
      const done = once(rec, 'exit')
      // attached once the recording holds a tick (what it held is read before the first)
      await until('the session ticks', () => ticksOnDisk(out) > 0)
      target.stdin.end('go\n')
      const [code] = (await done) as [number | null]
      expect(code).toBe(0)
      const s = JSON.parse(stdout) as Summary
      const row = (path: string): FileSummaryRow | undefined => s.files!.find((f) => f.path === path && f.pid === target.pid)
      // written before the attach, untouched after: held, no figures
      expect(row(join(work, 'kept'))).toMatchObject({ kind: 'file', held: true, opens: 0, reads: 0, writes: 0, write_bytes: 0 })
      // read after the attach: held, and the read counted, in one row: its name, not UTF-8, read
      // from /proc at the attach as the helper gives it (the byte as U+DC00 + the byte)
      expect(row(join(work, 'used\udcff'))).toMatchObject({ kind: 'file', held: true, opens: 0, reads: 1, read_bytes: 5 })
      // two kinds of the kernel's one anonymous inode, each under its own name: the eventfd
      // (listed first in /proc/PID/fd) untouched, the timerfd (the first the kernel side met)
      // read once
      expect(row('anon_inode:[eventfd]')).toMatchObject({ kind: 'anon', held: true, reads: 0 })
      expect(row('anon_inode:[timerfd]')).toMatchObject({ kind: 'anon', held: true, reads: 1, read_bytes: 8 })
      // its pipe, both ends one row
      expect(s.files!.filter((f) => f.pid === target.pid && f.kind === 'pipe' && f.held).length).toBeGreaterThanOrEqual(1)
      // its sockets, from /proc/PID/net at the attach: both ends, listeners, and the 7 bytes
      // its connection carried after it
      const f = JSON.parse(readFileSync(join(work, 'facts.json'), 'utf8')) as Record<string, number | string>
      const at = (p: unknown): string => `127.0.0.1:${String(p)}`
      const net = (local: string) =>
        s.network!.filter((r) => r.pid === target.pid && r.local === local).map((r) => [r.proto, r.direction, r.remote, r.held, r.bytes_sent, r.bytes_received])
      expect(net(at(f.c4))).toEqual([['tcp', 'out', at(f.l4), true, 7, 0]])
      expect(net(at(f.l4)).sort()).toEqual([
        ['tcp', 'in', at(f.c4), true, 0, 7],
        ['tcp', 'listen', null, true, 0, 0]
      ])
      expect(net(`[::1]:${String(f.l6)}`)).toEqual([['tcp', 'listen', null, true, 0, 0]])
      expect(net(at(f.u1))).toEqual([['udp', null, at(f.u2), true, 0, 0]])
      expect(net(`@${String(f.abstract)}`)).toEqual([['unix', 'listen', null, true, 0, 0]])
      expect(net(join(work, 'sock'))).toEqual([['unix', 'listen', null, true, 0, 0]])
    } finally {
      target.kill('SIGKILL')
    }
  })
})

/** `syscope record FLAGS --json` of workloads/manyfiles with args, into dir/out: its summary */
function recordMany(flags: string[], out: string, args: string[]): Summary {
  const many = join(dir, 'manyfiles')
  if (!existsSync(many)) execFileSync('cc', ['-O2', '-o', many, join(projectRoot(), 'test', 'helper', 'workloads', 'manyfiles.c')])
  const r = runCli(['record', ...flags, '--json', '--out', join(dir, out), '--', many, ...args], env, 180_000)
  expect(r.status, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as Summary
}

describe('syscope record --detail, more files than its tables hold', () => {
  it('keeps what fits, says how many it could not, and stays bounded', () => {
    const work = mkdtempSync(join(dir, 'many-'))
    // the 100,000; the kernel keeps 65,536 (process, file) uses and as many names
    // (docs/protocol.md)
    const N = 100_000
    const s = recordMany(['--detail'], 'many.syscope', [work, String(N)])
    const created = s.files!.filter((f) => f.path?.startsWith(work + '/'))
    // what was kept is exact; what was not is counted, not silent
    expect(created.length).toBeGreaterThan(60_000)
    expect(created.length).toBeLessThanOrEqual(65_536)
    expect(created.every((f) => f.opens === 1 && f.writes === 1 && f.write_bytes === 1)).toBe(true)
    const warning = s.session.warnings.find((w) => /files tables were full/.test(w))
    expect(warning, s.session.warnings.join('\n')).toBeDefined()
    const lost = Number(/^(\d+) file use/.exec(warning!)?.[1])
    // every created file is either kept or counted as lost (its use, and maybe its name too)
    expect(lost).toBeGreaterThanOrEqual(N - created.length)
  }, 240_000)
})

describe('syscope record --detail, a process that names a whole tree', () => {
  it('keeps each name it looked up (a tar of /usr/share stats 54,000)', () => {
    const work = mkdtempSync(join(dir, 'names-'))
    // more than the 32,768 the names' table held before it was sized for such a tree
    const N = 70_000
    const s = recordMany(['--detail', '--counts-only'], 'names.syscope', [work, String(N), 'stat'])
    expect(s.session.warnings.filter((w) => /files tables were full/.test(w))).toEqual([])
    const looked = s.files!.filter((f) => f.path?.startsWith(work + '/'))
    expect(looked.length).toBe(N)
    expect(looked.every((f) => f.stats === 1 && f.name_errors === 1 && f.errnos.ENOENT === 1)).toBe(true)
  }, 240_000)
})
