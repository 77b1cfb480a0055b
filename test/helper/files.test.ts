// The files monitor, kernel and helper side (--detail): each file a process used, found from
// the fd's struct file as the kernel resolved it (relative names, "..", a dirfd, a symlink), and
// what the process did with it, exactly; names it failed to open, as given. Real BPF in every
// attach mode, a workload of known file work (workloads/files.c).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { chmodSync, closeSync, constants, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../src/main/paths'
import type { FileMessage, FileNameMessage, NameOpMessage, OpenFailedMessage, TickMessage } from '../../src/main/helper/protocol'
import type { HelperClient } from '../../src/main/helper/client'
import { until } from '../util/until'
import {
  DETAIL_BUILDS,
  HELPER,
  HOOKS_HELPER,
  NR,
  SLOT_TABLES,
  bssVariable,
  helperMaps,
  helperPrograms,
  mapEntries,
  mountTracefs,
  runUnderHelper,
  start
} from './harness'

let dir: string
let files: string
let unmountTracefs: () => void
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syscope-files-'))
  chmodSync(dir, 0o755)
  files = join(dir, 'files')
  execFileSync('cc', ['-O2', '-o', files, join(projectRoot(), 'test', 'helper', 'workloads', 'files.c')])
  unmountTracefs = mountTracefs()
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  unmountTracefs()
})

/** The workload under client (--detail on): every file it used named, and its figures exact. */
async function expectEveryFile(client: HelperClient, timed: boolean): Promise<void> {
  const work = mkdtempSync(join(dir, 'work-'))
  mkdirSync(join(work, 'sub'))
  const last = new Map<string, FileMessage>()
  const names = new Map<string, string>()
  const failed: OpenFailedMessage[] = []
  // a use's last figures come before its process's exit (those unchanged since a tick are not
  // sent again then: their last line is that tick's)
  const exited = new Set<number>()
  const late: FileMessage[] = []
  client.on('exit', (m: { pid: number }) => void exited.add(m.pid))
  client.on('file', (m: FileMessage) => {
    if (exited.has(m.pid)) late.push(m)
    last.set(`${m.pid} ${m.file}`, m)
  })
  client.on('file_name', (m: FileNameMessage) => names.set(m.file, '/' + [...m.parts].reverse().join('/')))
  client.on('open_failed', (m: OpenFailedMessage) => failed.push(m))
  expect(client.hello.detail).toBe(true)
  const r = await runUnderHelper(client, [files, work])
  expect(r.exit.code).toBe(0)
  const rows = [...last.values()].filter((m) => m.pid === r.rootPid)
  expect(late).toEqual([])
  const byPath = new Map(rows.filter((m) => names.has(m.file)).map((m) => [names.get(m.file)!, m]))
  const figures = (p: string) => {
    const m = byPath.get(p)
    return m && { kind: m.kind, opens: m.opens, reads: m.reads, read_bytes: m.read_bytes, writes: m.writes, write_bytes: m.write_bytes }
  }
  expect(figures(join(work, 'sub', 'a.txt'))).toEqual({ kind: 'file', opens: 3, reads: 3, read_bytes: 1384, writes: 2, write_bytes: 1234 })
  expect(figures(join(work, 'sub', 'b.txt'))).toEqual({ kind: 'file', opens: 2, reads: 1, read_bytes: 1234, writes: 1, write_bytes: 1234 })
  expect(figures(work)).toEqual({ kind: 'dir', opens: 1, reads: 0, read_bytes: 0, writes: 0, write_bytes: 0 })
  // a path longer than the short names' table holds (FILE_NAME_SHORT): the long table's
  const long = 'd'.repeat(140)
  expect(join(work, 'sub', long, 'c.txt').length).toBeGreaterThan(128)
  expect(figures(join(work, 'sub', long, 'c.txt'))).toEqual({ kind: 'file', opens: 1, reads: 0, read_bytes: 0, writes: 1, write_bytes: 321 })
  // the symlink itself is never a file the process used: the kernel followed it
  expect(byPath.has(join(work, 'link'))).toBe(false)
  const pipes = rows.filter((m) => m.kind === 'pipe')
  expect(pipes.map((m) => [m.opens, m.reads, m.read_bytes, m.writes, m.write_bytes])).toEqual([[2, 1, 77, 1, 77]])
  // time in those calls is known; the counts-only mode reads no clock (0 here; the
  // summary makes it null)
  for (const m of [byPath.get(join(work, 'sub', 'a.txt'))!, byPath.get(join(work, 'sub', 'b.txt'))!]) {
    if (!timed) expect(m.time_ns).toBe(0)
    else expect(m.time_ns).toBeGreaterThan(0)
  }
  // failed opens: as given, with the directory a relative name was relative to
  const fails = failed.filter((m) => m.pid === r.rootPid)
  const last2 = new Map(fails.map((m) => [`${m.base === null ? '' : names.get(m.base)}|${m.name}`, m]))
  expect(last2.get(`${join(work, 'sub')}|nope.txt`)).toMatchObject({ errno: 2, count: 2 })
  expect(last2.get(`|${join(work, 'missing', 'x')}`)).toMatchObject({ errno: 2, count: 1 })
  // a name as given longer than the short table holds (NAME_SHORT)
  expect(last2.get(`${join(work, 'sub')}|${long}/nope.txt`)).toMatchObject({ errno: 2, count: 1 })
  // its release took every one of its entries out of the tables (the workload was all they held)
  for (const table of SLOT_TABLES) expect(mapEntries(client.child.pid!, table), table).toEqual([])
}

// the timed mode keeps a call's arguments at its entry; --counts-only reads them from the user's
// registers at the exit
describe.each(DETAIL_BUILDS)('files (%s)', (_name, helperPath, args, countsOnly, wrapper) => {
  it('names every file the workload used and counts what it did, exactly', async () => {
    const client = await start({ helperPath, wrapper, args: [...args, '--detail'] })
    try {
      await expectEveryFile(client, !countsOnly)
    } finally {
      await client.shutdown()
    }
  })
})

describe('files where the kernel has no bpf_rdonly_cast (before 6.2)', () => {
  // the hooks build hides the kfunc from the kernel's BTF, from the helper and libbpf alike
  const hidden = { helperPath: HOOKS_HELPER, wrapper: ['env', 'SYSCOPE_TEST_HIDE_KFUNC=bpf_rdonly_cast'] }

  it('are refused in the tp_btf mode, whose programs for them need it, saying why', async () => {
    const client = await start({ ...hidden, args: ['--mode', 'tp_btf', '--detail'] })
    try {
      expect(client.hello.mode).toBe('tp_btf')
      expect(client.hello.detail).toBe(false)
      expect(client.hello.detail_error).toMatch(/--detail in the tp_btf mode needs the kernel's bpf_rdonly_cast \(Linux 6\.2 or later\).*use the raw_tp mode/)
    } finally {
      await client.shutdown()
    }
  })

  it('are had in the raw_tp mode, which the auto mode then takes', async () => {
    const client = await start({ ...hidden, args: ['--detail'] })
    try {
      expect(client.hello.mode).toBe('raw_tp')
      await expectEveryFile(client, true)
    } finally {
      await client.shutdown()
    }
  })
})

describe('files of a burst of short children', () => {
  // each child's release reads its own entries by key (helper/keys.c), while the others' are
  // being added; more exits than the helper holds at once (256) make it let some go early
  it("come before each child's exit, exactly, for each of 600", async () => {
    const burst = join(dir, 'forkfiles')
    execFileSync('cc', ['-O2', '-o', burst, join(projectRoot(), 'test', 'helper', 'workloads', 'forkfiles.c')])
    const work = mkdtempSync(join(dir, 'burst-'))
    const client = await start({ args: ['--detail'] })
    const names = new Map<string, string>()
    /** pid → each of its file lines: the bytes written and the file's path */
    const seen = new Map<number, { written: number; path: string | undefined }[]>()
    const exited = new Set<number>()
    const late: number[] = []
    client.on('file_name', (m: FileNameMessage) => names.set(m.file, '/' + [...m.parts].reverse().join('/')))
    client.on('file', (m: FileMessage) => {
      if (exited.has(m.pid)) late.push(m.pid)
      const rows = seen.get(m.pid) ?? []
      rows.push({ written: m.write_bytes, path: names.get(m.file) })
      seen.set(m.pid, rows)
    })
    client.on('exit', (m: { pid: number }) => void exited.add(m.pid))
    const N = 600
    try {
      const r = await runUnderHelper(client, [burst, work, String(N)])
      expect(r.exit.code).toBe(0)
      const kids = r.forks.map((f) => f.pid)
      expect(kids).toHaveLength(N)
      expect(kids.every((pid) => exited.has(pid))).toBe(true)
      // no file line of a process after its exit, and each child's own file with its bytes
      expect(late).toEqual([])
      // (its last line: a tick may have sent it between the open and the write)
      const written = kids.map((pid) => [...(seen.get(pid) ?? [])].reverse().find((f) => f.path?.startsWith(work + '/')))
      expect(written.map((f) => f && Number(f.path!.slice(work.length + 2)) + 1 === f.written).every(Boolean)).toBe(true)
      for (const table of SLOT_TABLES) expect(mapEntries(client.child.pid!, table), table).toEqual([])
    } finally {
      await client.shutdown()
    }
  }, 90_000)
})

// the helper's own build, whose ticks walk the tables of a lone process; and each tick by key
describe.each([
  ['', HELPER, []],
  [' (each read by key)', HOOKS_HELPER, ['env', 'SYSCOPE_TEST_READS=by_key']]
])('files of a process that lives on%s', (_name, helperPath, wrapper) => {
  // its exit sends only what changed since the tick before: these come from the ticks alone
  it('are named and counted by the ticks while it waits', async () => {
    const work = mkdtempSync(join(dir, 'lives-'))
    const file = join(work, 'kept')
    writeFileSync(file, 'x')
    const fifo = join(work, 'go')
    execFileSync('mkfifo', [fifo])
    const go = openSync(fifo, constants.O_RDWR)
    const client = await start({ helperPath, wrapper, args: ['--detail'] })
    const names = new Map<string, string>()
    const uses = new Map<string, FileMessage>()
    const ops: NameOpMessage[] = []
    client.on('file_name', (m: FileNameMessage) => names.set(m.file, '/' + [...m.parts].reverse().join('/')))
    client.on('file', (m: FileMessage) => uses.set(`${m.pid} ${m.file}`, m))
    client.on('name_op', (m: NameOpMessage) => ops.push(m))
    let ticks = 0
    client.on('tick', () => void ticks++)
    try {
      // later than the stamps a slot starts with could pass for its own (keys.c keys_changed)
      await until('ten ticks', () => ticks >= 10)
      // the shell opens the file (fd 3) and looks up a name that is not there, then waits
      const run = runUnderHelper(client, ['/bin/sh', '-c', 'exec 3<"$1"; [ -e "$1.nope" ]; read x < "$2"', 'sh', file, fifo])
      const use = await until('the open file named and counted', () => [...uses.values()].find((m) => names.get(m.file) === file))
      expect(use).toMatchObject({ kind: 'file', opens: 1, reads: 0 })
      expect(await until('the missing name counted', () => ops.find((m) => m.name === `${file}.nope`))).toMatchObject({ op: 'stat', count: 1, errors: 1 })
      writeSync(go, 'x\n')
      const r = await run
      expect(r.exit.code).toBe(0)
      expect(use.pid).toBe(r.rootPid)
      for (const table of SLOT_TABLES) expect(mapEntries(client.child.pid!, table), table).toEqual([])
    } finally {
      closeSync(go)
      await client.shutdown()
    }
  })
})

describe('a release whose keys the kernel could not all tell', () => {
  // the hooks build reads the keys' ring only at releases, so a burst of new entries fills it
  // (new_keys: ~75,000); the release then walks the tables, as every release did before the keys
  it('walks the tables: every name is counted and none is left behind', async () => {
    const many = join(dir, 'manyfiles')
    execFileSync('cc', ['-O2', '-o', many, join(projectRoot(), 'test', 'helper', 'workloads', 'manyfiles.c')])
    const work = mkdtempSync(join(dir, 'hold-'))
    const client = await start({ helperPath: HOOKS_HELPER, wrapper: ['env', 'SYSCOPE_TEST_READS=hold'], args: ['--detail'] })
    const failed = new Map<string, number>()
    let fileDrops = 0
    client.on('name_op', (m: NameOpMessage) => void (m.op === 'stat' && failed.set(m.name, m.errors)))
    client.on('tick', (m: TickMessage) => void (fileDrops = m.drops.files ?? 0))
    const N = 90_000
    try {
      const r = await runUnderHelper(client, [many, work, String(N), 'stat'])
      expect(r.exit.code).toBe(0)
      expect(bssVariable(client.child.pid!, 'keys_lost')).toBeGreaterThan(0)
      expect(fileDrops).toBe(0)
      const mine = [...failed].filter(([name]) => name.startsWith(work + '/'))
      expect(mine).toHaveLength(N)
      expect(mine.every(([, errors]) => errors === 1)).toBe(true)
      for (const table of SLOT_TABLES) expect(mapEntries(client.child.pid!, table), table).toEqual([])
    } finally {
      await client.shutdown()
    }
  }, 90_000)
})

describe('the keys ring past its mark', () => {
  // The ring asks for one wakeup until the helper has drained it (keys_woken, bpf/keys.bpf.h),
  // not one for each key past the mark. The kernel-before-5.11 ring (1 MiB: its mark is ~9,400
  // keys) and ticks 1 s apart, so a run of 30,000 new names crosses the mark between two drains
  // whatever the ticks do (each run well under a second here: the test takes 1.8 s, the helper's
  // start included). Each run's release drains the ring: a second run wakes the helper again
  // only if the drains let go of the first run's wakeup.
  it('wakes the helper once a drain, and again after it drained', async () => {
    const many = join(dir, 'manyfiles-wake')
    execFileSync('cc', ['-O2', '-o', many, join(projectRoot(), 'test', 'helper', 'workloads', 'manyfiles.c')])
    const client = await start({ helperPath: HOOKS_HELPER, wrapper: ['env', 'SYSCOPE_TEST_KERNEL_RELEASE=5.10.0'], args: ['--detail'] })
    try {
      await client.setInterval(1000)
      /** the wakeups asked for so far, after a run of 30,000 new names */
      const wakeupsAfterRun = async (run: string): Promise<number> => {
        const r = await runUnderHelper(client, [many, mkdtempSync(join(dir, `wake-${run}-`)), '30000', 'stat'])
        expect(r.exit.code).toBe(0)
        return bssVariable(client.child.pid!, 'keys_wakeups')
      }
      const first = await wakeupsAfterRun('a')
      expect(first).toBeGreaterThanOrEqual(1)
      expect(await wakeupsAfterRun('b')).toBeGreaterThan(first)
    } finally {
      await client.shutdown()
    }
  }, 90_000)
})

describe('the ticks of a process holding many files', () => {
  // A tick reads the file tables' entries added or changed in its last two ticks (the kernel
  // notes an entry's key at its first change in a tick: KEY_CHANGED, bpf/keys.bpf.h), not every
  // entry of a process that changed one: one holding 50,000 files and writing one each 50 ms cost
  // the helper a quarter of a CPU. The hooks build prints what each tick read.
  it('read the entries that changed, and send each change while it waits', async () => {
    const held = join(dir, 'heldfiles')
    execFileSync('cc', ['-O2', '-o', held, join(projectRoot(), 'test', 'helper', 'workloads', 'heldfiles.c')])
    const work = mkdtempSync(join(dir, 'held-'))
    const fifo = join(work, 'go')
    execFileSync('mkfifo', [fifo])
    const go = openSync(fifo, constants.O_RDWR)
    const client = await start({ helperPath: HOOKS_HELPER, wrapper: ['env', 'SYSCOPE_TEST_COUNT_READS=1'], args: ['--detail'] })
    /** entries each tick read, in order */
    const reads: number[] = []
    let text = ''
    client.child.stderr!.on('data', (d: Buffer | string) => {
      text += d.toString()
      const lines = text.split('\n')
      text = lines.pop()!
      for (const l of lines) {
        const m = /^syscope-test: a tick read (\d+) entries$/.exec(l)
        if (m) reads.push(Number(m[1]))
      }
    })
    const names = new Map<string, string>()
    const uses = new Map<string, FileMessage>()
    client.on('file_name', (m: FileNameMessage) => names.set(m.file, '/' + [...m.parts].reverse().join('/')))
    client.on('file', (m: FileMessage) => uses.set(`${m.pid} ${m.file}`, m))
    const ops = new Map<string, NameOpMessage>()
    client.on('name_op', (m: NameOpMessage) => ops.set(m.name, m))
    const log = join(work, 'log')
    const logUse = (): FileMessage | undefined => [...uses.values()].find((m) => names.get(m.file) === log)
    const nope = join(work, 'nope')
    const N = 20_000
    try {
      const run = runUnderHelper(client, [held, work, String(N), fifo])
      await until('the log named and counted', () => logUse())
      await until('the missing name counted', () => ops.get(nope))
      // three ticks on, their entries are no longer among the keys noted lately: a change alone
      // brings them back
      const mark = reads.length
      await until('three more ticks', () => reads.length >= mark + 3)
      const quiet = reads.length
      for (let i = 1; i <= 3; i++) {
        writeSync(go, 'w')
        await until(`write ${i} sent while it waits`, () => logUse()?.writes === i)
      }
      writeSync(go, 's')
      await until('the second look-up sent while it waits', () => ops.get(nope)?.count === 2)
      const ticks = reads.slice(quiet)
      expect(ticks.length).toBeGreaterThan(0)
      // the log, the fifo and the name, each read at two ticks; the process's entries were N
      expect(Math.max(...ticks)).toBeLessThan(N / 100)
      expect(logUse()).toMatchObject({ kind: 'file', opens: 1, writes: 3, write_bytes: 3 })
      expect(ops.get(nope)).toMatchObject({ op: 'stat', count: 2, errors: 2 })
      writeSync(go, 'q')
      const r = await run
      expect(r.exit.code).toBe(0)
      for (const table of SLOT_TABLES) expect(mapEntries(client.child.pid!, table), table).toEqual([])
    } finally {
      closeSync(go)
      await client.shutdown()
    }
  }, 90_000)
})

describe('the pipes of a process that lives on', () => {
  // Each pipe is a new inode: a shell running command substitutions kept one file_stats entry
  // per pipe to its exit, and a long one filled the table (65,536), after which no process's new
  // files were counted. The helper looks at /proc/PID/fd once a process's keys grew by 1,024
  // (helper/held.c) and lets go of the pipes it no longer holds, once sent. Ticks 20 ms apart:
  // a tick keeps what it stamped, and the shell makes few pipes in 20 ms.
  it('leave the file table once it holds them no more, each sent with its bytes first', async () => {
    const work = mkdtempSync(join(dir, 'pipes-'))
    const fifo = join(work, 'go')
    execFileSync('mkfifo', [fifo])
    const go = openSync(fifo, constants.O_RDWR)
    const client = await start({ args: ['--detail'] })
    await client.setInterval(20)
    const uses = new Map<string, FileMessage>()
    const names = new Map<string, string>()
    client.on('file_name', (m: FileNameMessage) => names.set(m.file, '/' + [...m.parts].reverse().join('/')))
    client.on('file', (m: FileMessage) => uses.set(`${m.pid} ${m.file}`, m))
    const N = 3000
    // the shell reads each substitution's line: its digits and a newline
    let expected = 0
    for (let i = 1; i <= N; i++) expected += String(i).length + 1
    try {
      const script = `for ((i = 1; i <= ${N}; i++)); do x=$(echo $i); done; read x < "$1"`
      const run = runUnderHelper(client, ['/bin/bash', '-c', script, 'sh', fifo])
      // the shell makes each pipe (its children only write to theirs)
      const shell = await until('the shell counted', () => [...uses.values()].find((m) => m.kind === 'pipe' && m.opens === 2)?.pid)
      const shellPipes = (): FileMessage[] => [...uses.values()].filter((m) => m.pid === shell && m.kind === 'pipe' && names.get(m.file) !== fifo)
      const readFromPipes = (): number => shellPipes().reduce((sum, m) => sum + m.read_bytes, 0)
      await until('every substitution read', () => readFromPipes() === expected, { timeoutMs: 60_000 })
      const pipes = shellPipes()
      expect(pipes).toHaveLength(N)
      // a pipe is made with both its fds: one open each
      expect(pipes.every((m) => m.opens === 2)).toBe(true)
      // what the table still holds once the shell waits: the pipes since its last look (each
      // 1,024 keys, and two ticks after one that kept some not yet sent), not all N
      await until('the pipes let go', () => mapEntries(client.child.pid!, 'file_stats').length < N / 2)
      writeSync(go, 'x\n')
      const r = await run
      expect(r.exit.code).toBe(0)
      expect(readFromPipes()).toBe(expected)
      for (const table of SLOT_TABLES) expect(mapEntries(client.child.pid!, table), table).toEqual([])
    } finally {
      closeSync(go)
      await client.shutdown()
    }
  }, 90_000)
})

describe('the tables a new file inserts into', () => {
  /** the helper's maps by name, each its flags */
  const mapFlags = (pid: number): Map<string, number> => new Map(helperMaps(pid).map((m) => [m.name, m.flags]))

  // allocated at load they cost ~0.8 µs less a new file (docs/detail.md); a kernel before 5.11
  // charges them to RLIMIT_MEMLOCK, where they are allocated as used (BPF_F_NO_PREALLOC, 1),
  // and the keys' ring is 1 MiB, not 4 (helper/loader.c)
  it.each([
    ['this kernel', 'at load', [], 0, 4 << 20],
    ['a kernel before 5.11', 'as used', ['env', 'SYSCOPE_TEST_KERNEL_RELEASE=5.10.0'], 1, 1 << 20]
  ])('on %s: are allocated %s', async (_kernel, _how, wrapper, flags, ring) => {
    const client = await start({ helperPath: HOOKS_HELPER, wrapper, args: ['--detail'] })
    try {
      expect(client.hello.detail).toBe(true)
      const maps = mapFlags(client.child.pid!)
      expect(maps.get('file_names_shor')).toBe(flags)
      expect(maps.get('file_variants')).toBe(flags)
      // the long paths' table (1 KiB a name) is allocated as used on every kernel
      expect(maps.get('file_names')).toBe(1)
      expect(helperMaps(client.child.pid!).find((m) => m.name === 'new_keys')?.max_entries).toBe(ring)
    } finally {
      await client.shutdown()
    }
  })
})

describe('files in the counts-only mode, classic tracepoint', () => {
  it('are refused, saying why, and the syscalls are still counted', async () => {
    const client = await start({ args: ['--mode', 'tracepoint', '--counts-only', '--detail'] })
    let seen = 0
    client.on('file', () => seen++)
    try {
      expect(client.hello.mode).toBe('tracepoint')
      expect(client.hello.detail).toBe(false)
      expect(client.hello.detail_error).toMatch(/--detail with --counts-only needs the tp_btf or raw_tp mode .*: drop --counts-only/)
      const work = mkdtempSync(join(dir, 'work-'))
      mkdirSync(join(work, 'sub'))
      const r = await runUnderHelper(client, [files, work])
      expect(r.exit.code).toBe(0)
      expect(r.counts.get(NR.exit_group, r.rootPid).calls).toBe(1)
      expect(seen).toBe(0)
    } finally {
      await client.shutdown()
    }
  })
})

// The monitor's rare paths are global BPF functions, verified once each (bpf/fds.bpf.h, "Verified
// once"): one of each way of reading the kernel, so that a program holds only the one it calls,
// and the programs without --detail none (a kernel before 6.8 verifies every global function a
// program holds, called or not: one calling bpf_loop would fail to load there without --detail).
describe.each([
  ['tp_btf', 'direct', 'probe'],
  ['raw_tp', 'probe', 'direct']
])("the files monitor's global functions (%s)", (mode, way, other) => {
  const monitor = ['stats_new', 'new_fd', 'name_op', 'net_io']
  it('are in the syscall exit with --detail, the way of reading that mode takes', async () => {
    const client = await start({ args: ['--mode', mode, '--detail'] })
    try {
      expect(client.hello.detail).toBe(true)
      const exit = helperPrograms(client.child.pid!).find((p) => p.name === `${mode === 'tp_btf' ? 'btf' : 'raw'}_sys_exit_detail`)
      expect(exit, 'the --detail exit program is attached').toBeDefined()
      for (const f of monitor) expect(exit!.functions).toContain(`${f}_${way}`)
      // (a sendmmsg's walk over its messages reads the kernel through probes in every program)
      for (const f of monitor.filter((f) => f !== 'net_io')) expect(exit!.functions).not.toContain(`${f}_${other}`)
    } finally {
      await client.shutdown()
    }
  })

  it('are in no program without --detail', async () => {
    const client = await start({ args: ['--mode', mode] })
    try {
      const progs = helperPrograms(client.child.pid!)
      expect(progs.map((p) => p.name)).toContain(`${mode === 'tp_btf' ? 'btf' : 'raw'}_sys_exit`)
      const held = progs.flatMap((p) => p.functions).filter((f) => monitor.some((m) => f.startsWith(`${m}_`)))
      expect(held).toEqual([])
    } finally {
      await client.shutdown()
    }
  })
})

describe('files off (no --detail)', () => {
  it('says so, and sends no file messages', async () => {
    const work = mkdtempSync(join(dir, 'work-'))
    mkdirSync(join(work, 'sub'))
    const client = await start({ args: ['--mode', 'tp_btf'] })
    let seen = 0
    client.on('file', () => seen++)
    client.on('file_name', () => seen++)
    client.on('open_failed', () => seen++)
    try {
      expect(client.hello.detail).toBe(false)
      const r = await runUnderHelper(client, [files, work])
      expect(r.exit.code).toBe(0)
      expect(seen).toBe(0)
    } finally {
      await client.shutdown()
    }
  })
})
