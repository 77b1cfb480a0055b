// Shared by the helper tests: build the workload, run a command under the real helper and
// collect everything the helper says about it until the whole tree has exited.
import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { startHelper, type HelperClient, type StartOptions } from '../../src/main/helper/client'
import { CountAccumulator } from '../../src/main/helper/accumulate'
import type { CountsMessage, ExitMessage, ForkMessage, ExecMessage } from '../../src/main/helper/protocol'
import { launcherPath, launcherRunning } from '../../src/main/session/launch-command'
import { projectRoot } from '../../src/main/paths'
import { syscallNr } from '../util/syscall-nr'
import { until } from '../util/until'

export const HELPER = join(projectRoot(), 'build', 'helper', 'syscope-helper')
export const ASAN_HELPER = join(projectRoot(), 'build', 'helper', 'asan', 'syscope-helper')
/** a test-only build that honours SYSCOPE_TEST_* variables (helper/Makefile `hooks`) */
export const HOOKS_HELPER = join(projectRoot(), 'build', 'helper', 'hooks', 'syscope-helper')
/** the test-hooks build with ASan/UBSan (`make -C helper test`) */
export const HOOKS_ASAN_HELPER = join(projectRoot(), 'build', 'helper', 'hooks-asan', 'syscope-helper')
/** each attach mode of the helper, and the ASan/UBSan build (built by `make -C helper test`;
 * missing, its tests fail rather than skip): [name, binary, arguments] */
export const HELPER_BUILDS: [string, string, string[]][] = [
  ['tp_btf', HELPER, ['--mode', 'tp_btf']],
  ['raw_tp', HELPER, ['--mode', 'raw_tp']],
  ['tracepoint', HELPER, ['--mode', 'tracepoint']],
  ['tp_btf, ASan/UBSan build', ASAN_HELPER, ['--mode', 'tp_btf']]
]
/** one of --detail's builds: [name, binary, arguments, counts-only, wrapper (the hooks build's
 * settings)] */
type DetailBuild = [string, string, string[], boolean, string[]]
/** each of HELPER_BUILDS timed, and with --counts-only where --detail can have it (not in the
 * classic tracepoint mode, whose exit record holds no arguments); and the test-hooks build with
 * each tick and release by key (the helper's own walks the tables for a lone process, which holds
 * all the keys: helper/keys.h), timed and counts-only */
export const DETAIL_BUILDS: DetailBuild[] = [
  ...HELPER_BUILDS.flatMap(([name, helperPath, args]): DetailBuild[] => [
    [name, helperPath, args, false, []],
    ...(name === 'tracepoint' ? [] : [[`${name}, counts-only`, helperPath, [...args, '--counts-only'], true, []] as DetailBuild])
  ]),
  ['tp_btf, each read by key', HOOKS_HELPER, ['--mode', 'tp_btf'], false, ['env', 'SYSCOPE_TEST_READS=by_key']],
  ['raw_tp, counts-only, each read by key', HOOKS_HELPER, ['--mode', 'raw_tp', '--counts-only'], true, ['env', 'SYSCOPE_TEST_READS=by_key']]
]
/** numbers of the syscalls the helper tests count, on the arch they run on */
export const NR = {
  getppid: syscallNr('getppid'),
  chdir: syscallNr('chdir'),
  nanosleep: syscallNr('nanosleep'),
  clock_nanosleep: syscallNr('clock_nanosleep'),
  execve: syscallNr('execve'),
  exit_group: syscallNr('exit_group')
}

export function buildWorkload(): { dir: string; markers: string } {
  const dir = mkdtempSync(join(tmpdir(), 'syscope-wl-'))
  chmodSync(dir, 0o755)
  const markers = join(dir, 'markers')
  execFileSync('cc', ['-O2', '-pthread', '-o', markers, join(projectRoot(), 'test', 'helper', 'workloads', 'markers.c')])
  return { dir, markers }
}

/** tracefs mounted for the classic tracepoint mode, if it was not; returns what puts it back */
export function mountTracefs(): () => void {
  if (existsSync('/sys/kernel/tracing/events')) return () => undefined
  execFileSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'])
  return () => execFileSync('umount', ['/sys/kernel/tracing'])
}

export interface RunResult {
  rootPid: number
  counts: CountAccumulator
  forks: ForkMessage[]
  execs: ExecMessage[]
  exits: ExitMessage[]
  /** pids whose last counts message (final:true) came before their exit */
  finalBeforeExit: boolean
  exit: { code: number | null; signal: string | null }
}

/** Launch argv under the helper (armed at exec) and wait until every process of it has exited. */
export async function runUnderHelper(client: HelperClient, argv: string[], spawnOpts: { uid?: number; gid?: number } = {}): Promise<RunResult> {
  const counts = new CountAccumulator()
  const forks: ForkMessage[] = []
  const execs: ExecMessage[] = []
  const exits: ExitMessage[] = []
  const finals = new Set<number>()
  const untracked = new Set<number>()
  let finalBeforeExit = true
  const onCounts = (m: CountsMessage): void => {
    counts.add(m)
    if (m.final) finals.add(m.pid)
  }
  const onExit = (m: ExitMessage): void => {
    if (!finals.has(m.pid)) finalBeforeExit = false
    exits.push(m)
  }
  const onUntracked = (m: { pid: number }): void => void untracked.add(m.pid)
  const onFork = (m: ForkMessage): void => void forks.push(m)
  const onExec = (m: ExecMessage): void => void execs.push(m)
  client.on('counts', onCounts)
  client.on('exit', onExit)
  client.on('fork', onFork)
  client.on('exec', onExec)
  client.on('untracked', onUntracked)
  const child = spawn(launcherPath(), ['3', '4', '--', ...argv], { stdio: ['ignore', 'ignore', 'inherit', 'pipe', 'pipe'], ...spawnOpts })
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })))
  const rootPid = child.pid!
  // armed once the launcher runs, as the app does (launcherRunning: not between its exec's
  // close-on-exec and the kernel's exec event)
  const running = launcherRunning(child.stdio[3] as Readable)
  try {
    if (!(await running)) throw new Error('the launcher ended before it ran')
    await client.launch(rootPid)
    ;(child.stdio[3] as NodeJS.WritableStream).end(Buffer.from([1]))
    const exit = await exited
    // every forked process and the root report an exit, after their final counts
    await until('every process of the tree reported its exit', () => {
      // a process that left tracking (setuid exec) reports no exit
      const done = new Set([...exits.map((e) => e.pid), ...untracked])
      return done.has(rootPid) && forks.every((f) => done.has(f.pid))
    })
    return { rootPid, counts, forks, execs, exits, finalBeforeExit, exit }
  } finally {
    client.off('counts', onCounts)
    client.off('exit', onExit)
    client.off('fork', onFork)
    client.off('exec', onExec)
    client.off('untracked', onUntracked)
  }
}

export function start(opts: Partial<StartOptions> = {}): Promise<HelperClient> {
  return startHelper({ helperPath: HELPER, ...opts })
}

/** The ids of the BPF objects of one kind the process holds fds of (fdinfo's `field`: map_id, link_id).
 * The helper opens and closes fds as it works (a pidfd until the kernel met its process, the
 * stack hint's iterator while it runs): one gone between the listing and its read is skipped. */
function fdinfoIds(pid: number, field: string): Set<number> {
  const ids = new Set<number>()
  const line = new RegExp(`^${field}:\\s+(\\d+)$`, 'm')
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    let info: string
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue
      throw e
    }
    const id = line.exec(info)?.[1]
    if (id) ids.add(Number(id))
  }
  return ids
}

/** The helper's BPF maps, as bpftool shows them (a name cut to 15 characters), found by the fds it
 * holds (fdinfo's map_id). */
export function helperMaps(pid: number): { id: number; name: string; flags: number; max_entries: number }[] {
  const ids = fdinfoIds(pid, 'map_id')
  const maps = JSON.parse(execFileSync('bpftool', ['map', 'show', '-j'], { encoding: 'utf8' })) as {
    id: number
    name?: string
    flags: number
    max_entries: number
  }[]
  return maps.filter((m) => ids.has(m.id)).map((m) => ({ id: m.id, name: m.name ?? '', flags: m.flags, max_entries: m.max_entries }))
}

/** The helper's attached BPF programs (found by its link fds, fdinfo's link_id), each with the
 * functions it holds (the BTF function names of `bpftool prog dump xlated`: the program's own and
 * every BPF function linked into it). */
export function helperPrograms(pid: number): { name: string; functions: string[] }[] {
  const links = fdinfoIds(pid, 'link_id')
  const all = JSON.parse(execFileSync('bpftool', ['link', 'show', '-j'], { encoding: 'utf8' })) as { id: number; prog_id: number }[]
  const progs = JSON.parse(execFileSync('bpftool', ['prog', 'show', '-j'], { encoding: 'utf8' })) as { id: number; name?: string }[]
  return all
    .filter((l) => links.has(l.id))
    .map((l) => {
      const xlated = execFileSync('bpftool', ['prog', 'dump', 'xlated', 'id', String(l.prog_id)], { encoding: 'utf8', maxBuffer: 64 << 20 })
      return {
        name: progs.find((p) => p.id === l.prog_id)?.name ?? '',
        functions: [...xlated.matchAll(/^\S.* \**(\w+)\(.*\):$/gm)].map((m) => m[1] ?? '')
      }
    })
}

/** The entries of the helper's map `name` (bpftool's 15 characters), as bpftool dumps them. */
export function mapEntries(pid: number, name: string): unknown[] {
  const map = helperMaps(pid).find((m) => m.name === name)
  if (!map) throw new Error(`the helper (pid ${pid}) has no map named ${name}`)
  return JSON.parse(execFileSync('bpftool', ['map', 'dump', 'id', String(map.id), '-j'], { encoding: 'utf8', maxBuffer: 256 << 20 })) as unknown[]
}

/** The detail tables keyed by process (slot): empty once every tracked process was released. */
export const SLOT_TABLES = ['file_stats', 'name_ops_short', 'name_ops', 'sock_stats', 'peer_stats', 'sock_owner']

/** A variable of the kernel side's .bss (keys_lost, files_seq), as the helper's map holds it now. */
export function bssVariable(pid: number, name: string): number {
  const map = helperMaps(pid).find((m) => m.name.endsWith('.bss'))
  if (!map) throw new Error(`the helper (pid ${pid}) has no .bss map`)
  const dump = JSON.parse(execFileSync('bpftool', ['map', 'dump', 'id', String(map.id), '-j'], { encoding: 'utf8', maxBuffer: 256 << 20 })) as {
    formatted?: { value?: { '.bss'?: Record<string, unknown>[] } }
  }[]
  const found = dump[0]?.formatted?.value?.['.bss']?.find((v) => name in v)
  if (!found) throw new Error(`the helper's .bss has no ${name}`)
  return Number(found[name])
}
