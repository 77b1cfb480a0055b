// Samples a tracked process tree from /proc: per-process figures and rates, and tree totals in
// which processes that exited keep counting (a tree's CPU time never drops when a child exits).
// One reader call per tick fills a table of numbers for every process (row.ts); the only objects
// a tick makes are the samples it returns.
import { readFileSync } from 'node:fs'
import { parseCmdline, parseStat, parseStatus } from './parse'
import { availableParallelism } from 'node:os'
import { TsProcReader } from './reader-ts'
import { loadNativeAddon, nativeProcReader } from './native'
import {
  F_COMM_CHANGED, F_FDS, F_HWM, F_IVCSW, F_MAJFLT, F_IDLE, F_MINFLT, F_OK, F_PPID, F_PSS, F_PSS_MS, F_RCHAR, F_READ_BYTES, F_RSS, F_STARTTIME, F_STATE,
  F_STIME, F_CUTIME, F_CSTIME, F_SWAP, F_THREADS, F_UTIME, F_VCSW, F_WCHAR, F_WRITE_BYTES, READ_ALL, READ_FDS, READ_IO, READ_SKIP_IDLE, READ_SKIP_UNCHANGED, READ_SMAPS, READ_STATUS, ROW_SIZE,
  type ProcReader
} from './row'
import type { ProcessDescription, ProcessSample } from '../types/samples'
import type { TreeRecord } from '../types/recording-format'

export { READ_ALL, READ_FDS, READ_IO, READ_SMAPS, READ_STATUS } from './row'

/** USER_HZ: 100 on every Linux ABI syscope supports (x86_64, aarch64). */
export const CLK_TCK = 100
/** the CPUs this process (and so the tree it starts) may run on */
const CPUS = availableParallelism()

export interface SamplerOptions {
  intervalMs?: number
  procRoot?: string
  /** 'auto' uses the N-API reader when it is built, else TypeScript */
  reader?: 'auto' | 'native' | 'ts'
  smaps?: boolean
}

export interface SampleResult {
  t_ms: number
  processes: ProcessSample[]
  totals: TreeRecord
  /** pids seen before that are gone now */
  exited: number[]
}

/** How often the files besides stat (read every tick) are read, in ms. */
export const IO_PERIOD_MS = 200
export const SLOW_PERIOD_MS = 1000
/** PSS of a process whose own memory did not change is re-read at least every this many slow reads */
export const PSS_MAX_SKIPS = 4
/** at most this share of one core goes to reading one process's smaps_rollup */
export const PSS_CPU_SHARE = 0.001
/**
 * status and the fd count of a process that cannot have changed them (READ_SKIP_UNCHANGED) are
 * re-read at least every this many slow reads: what the reader's rules do not foresee is at most
 * ~5 s old
 */
export const STATUS_MAX_SKIPS = 4

/**
 * Tiered sampling. Every tick: stat (CPU, state, threads, faults, RSS). Every 200 ms: io (bytes
 * read and written). Every second: status (peak RSS, swap, context switches), smaps_rollup (PSS:
 * the kernel walks the page tables) and the fd count. `phase` staggers processes so that each
 * tick reads the slower files of a share of them, not all at once. A process's first read is
 * always complete. Values not read in a tick carry forward (peak RSS as the larger of its last
 * reading and the RSS now); I/O rates span two I/O reads.
 *
 * PSS is read less often when it is dear or unchanged. Reading smaps_rollup walks the process's
 * page tables: ~30 µs for a small process, ~7 ms for one of 600 MB. After a read that took t of CPU,
 * the next waits at least t / PSS_CPU_SHARE (0.1 % of a core per process: every ~7 s for 600 MB).
 * And a read is skipped when the process's RSS and page-fault counts have not moved since the
 * last one (PSS_MAX_SKIPS times in a row at most): its own pages are the same, and only other
 * processes mapping or dropping pages it shares could change its share of them.
 *
 * status and the fd count are left unread by the reader when the process cannot have changed them
 * since they were last read (READ_SKIP_UNCHANGED: single-threaded, not run since, same RSS), but
 * STATUS_MAX_SKIPS times in a row at most.
 */
export function readsFor(tick: number, phase: number, ioEvery: number, slowEvery: number): number {
  let what = 0
  if ((tick + phase) % ioEvery === 0) what |= READ_IO
  if ((tick + phase) % slowEvery === 0) what |= READ_IO | READ_STATUS | READ_SMAPS | READ_FDS
  return what
}

const sat = (a: number, b: number): number => (a > b ? a - b : 0)
/** row value to sample value: -1 is unavailable */
const val = (v: number): number | null => (v < 0 ? null : v)
/** a value read this tick, else the last one (NaN: not read) */
const fresh = (v: number, last: number): number => (v === v ? v : last)

/** One tracked process: its last figures (-1: unavailable) and what rates need. */
interface Proc {
  pid: number
  handle: number
  /** staggers this process's slow reads */
  phase: number
  starttime: number
  /** when it was last read (ms); -1 before its first read */
  at: number
  gone: boolean
  comm: string
  state: string
  stateCode: number
  ppid: number
  utime: number
  stime: number
  /** cutime + cstime: its reaped children's CPU (and theirs), clock ticks */
  childTicks: number
  /** exited but not reaped yet: still read, its CPU is in no reaper's cutime until it goes */
  zombie: boolean
  threads: number
  minflt: number
  majflt: number
  rss: number
  hwm: number
  swap: number
  vcsw: number
  ivcsw: number
  /** /proc/<pid>/io as the kernel gives it (-1: unavailable): its own I/O, and, once it has
   * reaped them, its children's (wait4 adds a reaped child's to its parent's) */
  rchar: number
  wchar: number
  readBytes: number
  writeBytes: number
  /** tracked descendants' I/O that the kernel has added to this process's io (they were reaped)
   * but that no io read of it has shown yet: counted in the tree meanwhile (IO_FIELDS order) */
  reaped: number[]
  /** the part of its io that is reaped descendants' (subtracted for its own figures) */
  reapedSeen: number[]
  /** read its io next tick (a child of it was reaped) */
  ioSoon: boolean
  /** its io is final (given by exitIo): no read may lower it */
  ioFinal: boolean
  pss: number
  fds: number
  /** PSS reads skipped since the last one, the RSS and fault count at that one, and the
   * earliest time for the next one (ms) */
  pssSkips: number
  pssRss: number
  pssFaults: number
  pssNextAt: number
  /** slow reads in a row in which the reader left status and the fd count unread */
  statusSkips: number
  /** the last I/O read (rates span two I/O reads) */
  ioAt: number
  readRate: number | null
  writeRate: number | null
  /** its sample while it does not run (CPU 0, no I/O): given again until it runs */
  idleSample: ProcessSample | null
  /** the helper names it when it runs (see ran()) */
  runsReported: boolean
  /** once reaped: the tracked process its I/O went to (null: none, it is in orphanIo), and how
   * much (undefined: not handed over) */
  handedTo: Proc | null | undefined
  handed: number[] | null
}

/** Proc's I/O fields, in the order of the arrays that hold I/O per field */
const IO_FIELDS = ['rchar', 'wchar', 'readBytes', 'writeBytes'] as const

function bootTimeMs(procRoot: string): number | null {
  try {
    const m = readFileSync(`${procRoot}/stat`, 'utf8').match(/^btime (\d+)$/m)
    return m ? Number(m[1]) * 1000 : null
  } catch {
    return null
  }
}

export class Sampler {
  /** every process ever tracked; gone ones keep their last figures for the cumulative totals */
  private procs = new Map<number, Proc>()
  /** the ones still sampled, in a stable order */
  private live: Proc[] = []
  private descriptions = new Map<number, ProcessDescription>()
  private readonly procRoot: string
  private readonly reader: ProcReader
  private readonly readAll: number
  private readonly slowMask: number
  private readonly ioEvery: number
  private readonly slowEvery: number
  private tick = 0
  private phases = 0
  private handles = new Int32Array(64)
  private what = new Uint8Array(64)
  /** per live process, its row in this tick's read (-1: not read, it did not run) */
  private rowOf = new Int32Array(64)
  /** per live process not read in this tick's first read, what it would have read */
  private skippedWhat = new Uint8Array(64)
  /** pids the helper said ran since the last sample, and the set of the sample before */
  private ranSince = new Set<number>()
  private ranBefore = new Set<number>()
  private rows = new Float64Array(64 * ROW_SIZE)
  /**
   * The tree's CPU. Its processes' utime + stime + cutime + cstime is continuous across exits: a
   * child that goes (however short it lived, sampled or not) moves its whole CPU time into its
   * reaper's cutime at that moment. The tree's CPU % is the change of that sum, so a build's
   * thousand 30-ms compilers count, where a sum of live processes' rates shows them as 0 %.
   * A process reaped outside the tree (an orphan reparented to init) keeps its last total here.
   */
  private cpu = { prevTicks: -1, prevAt: 0, seconds: 0, orphanTicks: 0 }
  /**
   * The tree's I/O (rchar, wchar, read_bytes, write_bytes), continuous like its CPU: a reaped
   * process's I/O moves into its reaper's /proc/<pid>/io, so the tree's is its live processes'
   * plus what went to a reaper outside the tree (here: an orphan's last figures) — each byte
   * once, children too short-lived to be sampled included. `unavailable`: how many processes in
   * `io` had that figure unavailable (the tree's is then unavailable).
   */
  private orphanIo = { io: [0, 0, 0, 0], unavailable: [0, 0, 0, 0] }
  /** ppid of pids outside the tree, so a scan reads stat only for new pids (see discoverChildren) */
  private parents = new Map<number, number>()
  private parentsAt = -Infinity
  /**
   * No tracked process ran between the last two samples (every one was read as idle): none can
   * have started a child since the one before, so a scan for children finds nothing new.
   */
  private quiet = false
  /** processes read, and left unread because the helper said they had not run, over all ticks */
  readonly reads = { read: 0, skipped: 0 }
  readonly readerKind: 'native' | 'ts'
  readonly readerReason: string
  private boot: number | null

  constructor(opts: SamplerOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc'
    const smaps = opts.smaps ?? true
    this.readAll = smaps ? READ_ALL : READ_ALL & ~READ_SMAPS
    this.slowMask = smaps ? READ_SMAPS | READ_FDS : READ_FDS
    const interval = opts.intervalMs && opts.intervalMs > 0 ? opts.intervalMs : 100
    this.ioEvery = Math.max(1, Math.round(IO_PERIOD_MS / interval))
    this.slowEvery = Math.max(1, Math.round(SLOW_PERIOD_MS / interval))
    const native = opts.reader === 'ts' ? null : loadNativeAddon()
    if (opts.reader === 'native' && !native?.addon) throw new Error(`the native /proc reader is not available: ${native?.reason ?? 'not built'}`)
    if (native?.addon && this.procRoot === '/proc') {
      this.reader = nativeProcReader(native.addon)
      this.readerKind = 'native'
      this.readerReason = 'N-API addon'
    } else {
      this.reader = new TsProcReader(this.procRoot)
      this.readerKind = 'ts'
      this.readerReason = native ? (native.addon ? `a proc root other than /proc (${this.procRoot})` : native.reason) : 'TypeScript reader requested'
    }
    this.boot = bootTimeMs(this.procRoot)
  }

  /**
   * Start sampling pid (identity fixed now: a later process reusing the pid is not it). `ppid`,
   * when known (a fork event), is its parent until its stat says otherwise: a process gone before
   * it could be read is still handed to its reaper (exitIo).
   */
  track(pid: number, ppid = 0): void {
    if (this.procs.has(pid)) return
    let starttime = -1
    let comm = ''
    try {
      const s = parseStat(readFileSync(`${this.procRoot}/${pid}/stat`, 'utf8'))
      if (s) {
        starttime = s.starttime_ticks
        comm = s.comm
        const status = parseStatus(readFileSync(`${this.procRoot}/${pid}/status`, 'utf8'))
        this.descriptions.set(pid, {
          pid,
          ppid: s.ppid,
          comm: s.comm,
          cmdline: this.cmdline(pid),
          uid: status.uid,
          start_ms: this.boot === null ? null : this.boot + (s.starttime_ticks / CLK_TCK) * 1000
        })
      }
    } catch {
      // already gone: it still counts as seen (it may have lived between two samples)
    }
    let handle: number | null = null
    try {
      if (starttime >= 0) handle = this.reader.open(pid)
    } catch {
      // its files cannot be opened (a /proc mounted with hidepid): nothing to sample, as if gone
    }
    const p: Proc = {
      pid,
      handle: handle ?? 0,
      phase: this.phases++,
      starttime,
      at: -1,
      gone: handle === null,
      comm,
      state: '?',
      stateCode: 0,
      ppid,
      utime: 0,
      stime: 0,
      childTicks: 0,
      zombie: false,
      threads: 0,
      minflt: 0,
      majflt: 0,
      rss: -1,
      hwm: -1,
      swap: -1,
      vcsw: -1,
      ivcsw: -1,
      rchar: -1,
      wchar: -1,
      readBytes: -1,
      writeBytes: -1,
      reaped: [0, 0, 0, 0],
      reapedSeen: [0, 0, 0, 0],
      ioSoon: false,
      ioFinal: false,
      pss: -1,
      fds: -1,
      // processes tracked together re-read an unchanged PSS in different seconds
      pssSkips: this.phases % (PSS_MAX_SKIPS + 1),
      pssRss: -1,
      pssFaults: -1,
      pssNextAt: 0,
      statusSkips: this.phases % (STATUS_MAX_SKIPS + 1),
      ioAt: -1,
      readRate: null,
      writeRate: null,
      idleSample: null,
      runsReported: false,
      handedTo: undefined,
      handed: null
    }
    this.procs.set(pid, p)
    if (!p.gone) this.live.push(p)
    this.quiet = false
  }

  /**
   * The helper reports pid's runs (a sched_switch hook counts its threads' switches onto and off
   * a CPU), or no longer does (it left tracking, or the helper stopped). While it does, a
   * process that did not run since its last sample, and whose sample then was idle, is not read
   * at all between its one-second reads: no schedstat look either, and for processes of any
   * number of threads (docs/sampler.md).
   */
  runsReported(pid: number, on: boolean): void {
    const p = this.procs.get(pid)
    if (p) p.runsReported = on
  }

  /** Every process's runs are unreported from now on (the helper stopped). */
  stopRunReports(): void {
    for (const p of this.procs.values()) p.runsReported = false
  }

  /** The helper's `ran` message: these tracked processes ran since its last tick. */
  ran(pids: readonly number[]): void {
    for (const pid of pids) this.ranSince.add(pid)
  }

  untrack(pid: number): void {
    const p = this.procs.get(pid)
    if (!p) return
    this.procs.delete(pid)
    const i = this.live.indexOf(p)
    if (i >= 0) {
      this.reader.close(p.handle)
      this.live.splice(i, 1)
    }
    if (p.handedTo === null && p.handed) this.addOrphanIo(p.handed, -1)
  }

  /** Close whatever the sampler holds open. */
  close(): void {
    for (const p of this.live) {
      this.reader.close(p.handle)
      p.gone = true
    }
    this.live = []
  }

  /**
   * A process's /proc/<pid>/io as its last thread exited ([rchar, wchar, read_bytes,
   * write_bytes], null: not kept), which the helper reads then: all it did, up to the end that
   * sampling misses. Given before the sample that finds the process reaped (the usual order: the
   * event comes at its exit, the reap is seen at the next tick), its reaper is handed exactly
   * what the kernel hands it. Returns the process's own part of it (less its reaped
   * descendants'), or null if it is not tracked.
   */
  exitIo(pid: number, io: readonly (number | null)[]): (number | null)[] | null {
    const p = this.procs.get(pid)
    if (!p) return null
    const final = IO_FIELDS.map((_, k) => {
      const v = io[k]
      return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : -1
    })
    const mine = final.map((v, k) => (v < 0 ? null : Math.max(0, v - p.reapedSeen[k]! - p.reaped[k]!)))
    const live = !p.gone || p.zombie
    if (p.handedTo === undefined && live) {
      // handed over when the sample finds it reaped, with these figures
      for (let k = 0; k < 4; k++) if (final[k]! > p[IO_FIELDS[k]!]) p[IO_FIELDS[k]!] = final[k]!
      p.ioFinal = true
    } else if (p.handedTo === undefined) {
      // gone before it was ever read: the kernel put all of it into its reaper's io
      this.handOver(p, final)
    } else if (p.handed) {
      // reaped before this came: hand over what its last reading missed
      const more = final.map((v, k) => (v < 0 || p.handed![k]! < 0 ? 0 : Math.max(0, v - p.handed![k]!)))
      for (let k = 0; k < 4; k++) p.handed[k]! += more[k]!
      if (p.handedTo) for (let k = 0; k < 4; k++) p.handedTo.reaped[k]! += more[k]!
      else this.addOrphanIo(more, 1)
    }
    return mine
  }

  describe(pid: number): ProcessDescription | null {
    return this.descriptions.get(pid) ?? null
  }

  tracked(): number[] {
    return [...this.procs.keys()]
  }

  /**
   * Processes whose parent is in the tree and that the tree does not know yet (no eBPF). The
   * ppid of a pid outside the tree is remembered: a tick lists /proc and reads stat only for
   * pids it has not seen. A ppid changes only when the parent exits (to a subreaper or init);
   * what is remembered is forgotten when its pid leaves the listing and all of it every second,
   * so neither a reused pid nor a reparented process is missed for longer than that.
   */
  async discoverChildren(): Promise<{ pid: number; ppid: number }[]> {
    // a child started after the last sample is found one tick later, by the scan its parent's
    // run (seen in the next sample) brings back
    if (this.live.length === 0 || this.quiet) return []
    const now = performance.now()
    const old = now - this.parentsAt > SLOW_PERIOD_MS ? new Map<number, number>() : this.parents
    if (old !== this.parents) this.parentsAt = now
    let pids: ArrayLike<number>
    try {
      pids = this.reader.pids()
    } catch {
      return []
    }
    const parents = new Map<number, number>()
    for (let i = 0; i < pids.length; i++) {
      const pid = pids[i]!
      if (this.procs.has(pid)) continue
      const ppid = old.get(pid) ?? this.reader.parentOf(pid)
      if (ppid >= 0) parents.set(pid, ppid)
    }
    this.parents = parents
    // a child's child may appear in the same scan: repeat until nothing new is found
    const inTree = new Set<number>()
    for (const p of this.live) inTree.add(p.pid)
    const found: { pid: number; ppid: number }[] = []
    let grew = true
    while (grew) {
      grew = false
      for (const [pid, ppid] of parents) {
        if (inTree.has(ppid) && !inTree.has(pid)) {
          found.push({ pid, ppid })
          inTree.add(pid)
          grew = true
        }
      }
    }
    return found
  }

  async sampleOnce(): Promise<SampleResult> {
    const now = performance.now()
    const live = this.live
    const n = live.length
    // room for every process and a second read of each (readAfterReaps)
    if (this.handles.length < 2 * n) this.grow(2 * n)
    const tick = this.tick++
    // the runs reported since the last sample: a run after the helper's last tick is in the
    // next one's, and read then
    const ran = this.ranSince
    this.ranSince = this.ranBefore
    this.ranSince.clear()
    this.ranBefore = ran
    let m = 0
    for (let i = 0; i < n; i++) {
      const p = live[i]!
      // a zombie is read only for its CPU (stat is always read); a first read looks at schedstat
      // too, so the next look can already tell whether the process ran since
      let what = p.zombie ? 0 : p.at < 0 ? this.readAll : this.readsNow(p, tick, now)
      if (p.runsReported && !p.zombie && p.at >= 0 && !ran.has(p.pid)) {
        // it did not run: its last idle sample stands, unless its one-second read is due
        // (what can move while a process sleeps) or its io must be read (a child was reaped)
        if (p.idleSample !== null && p.stateCode !== 82 /* R */ && !(what & READ_STATUS) && !p.ioSoon) {
          this.rowOf[i] = -1
          this.skippedWhat[i] = what
          continue
        }
        what |= READ_SKIP_IDLE
      } else if (!p.runsReported) what |= READ_SKIP_IDLE
      this.rowOf[i] = m
      this.handles[m] = p.handle
      this.what[m++] = what
    }
    if (m > 0) this.reader.sample(this.handles, this.what, m, this.rows)
    const reread = m > 0 ? this.readAfterReaps(n, m) : 0
    this.reads.read += m + reread
    this.passReapedIo(n)

    const processes: ProcessSample[] = []
    const exited: number[] = []
    const t = new TotalsSum()
    /** utime + stime + cutime + cstime of the tree, clock ticks (see `cpu`) */
    let treeTicks = this.cpu.orphanTicks
    let kept = 0
    let idle = 0
    for (let i = 0; i < n; i++) {
      const p = live[i]!
      const row = this.rowOf[i]!
      if (row < 0) {
        // not read: it did not run since its idle sample (the helper says so)
        this.reads.skipped++
        live[kept++] = p
        idle++
        treeTicks += this.idleAgain(p, this.skippedWhat[i]!, now, processes, t)
        continue
      }
      const o = row * ROW_SIZE
      const rows = this.rows
      const ok = rows[o + F_OK]!
      if (ok === 2) {
        // not read: no fd left to open its files with (the fd limit); it stays tracked
        live[kept++] = p
        treeTicks += p.utime + p.stime + p.childTicks
        t.addIo(p)
        continue
      }
      if (this.vanished(p, row)) {
        // gone (reaped), or a different process reusing the pid: its CPU went to its reaper
        if (!this.hasTrackedAncestor(p)) {
          this.cpu.orphanTicks += p.utime + p.stime + p.childTicks
          treeTicks += p.utime + p.stime + p.childTicks
        }
        if (p.zombie) this.reader.close(p.handle)
        else {
          this.retire(p)
          exited.push(p.pid)
        }
        continue
      }
      const state = rows[o + F_STATE]!
      if (state === 90 /* Z */ || state === 88 /* X */) {
        // exited: no longer sampled, but read on until reaped (its CPU is in its own stat till then)
        p.utime = rows[o + F_UTIME]!
        p.stime = rows[o + F_STIME]!
        p.childTicks = rows[o + F_CUTIME]! + rows[o + F_CSTIME]!
        treeTicks += p.utime + p.stime + p.childTicks
        if (!p.zombie) {
          p.zombie = true
          p.gone = true
          exited.push(p.pid)
        }
        // its I/O stays in the tree until it is reaped (into its reaper's)
        t.addIo(p)
        live[kept++] = p
        continue
      }
      if (p.zombie) continue
      live[kept++] = p
      if (rows[o + F_IDLE]! >= 1) idle++
      if (rows[o + F_IDLE] === 1 && p.idleSample !== null) {
        treeTicks += this.idleAgain(p, this.what[row]!, now, processes, t)
        continue
      }
      const first = p.at < 0
      // a first read keeps the count track() staggered, as for PSS
      if (this.what[row]! & READ_STATUS && !first) p.statusSkips = rows[o + F_VCSW] === rows[o + F_VCSW] ? 0 : p.statusSkips + 1
      const s = this.update(p, rows, o, now)
      processes.push(s)
      t.add(s, first)
      t.addIo(p)
      treeTicks += p.utime + p.stime + p.childTicks
    }
    live.length = kept
    this.quiet = n > 0 && idle === n
    return { t_ms: now, processes, totals: this.totals(t, processes.length, treeTicks, now), exited }
  }

  /**
   * p has not run since its idle sample was made (the reader's look, or the helper's run
   * reports): that sample stands, only its times move on, and its io is what it was, as good as
   * read now if this tick was to read it (a rate spans two io reads). Returns its CPU clock
   * ticks for the tree's sum.
   */
  private idleAgain(p: Proc, what: number, now: number, processes: ProcessSample[], t: TotalsSum): number {
    p.at = now
    if (what & READ_IO) p.ioAt = now
    processes.push(p.idleSample!)
    t.add(p.idleSample!, false)
    t.addIo(p)
    return p.utime + p.stime + p.childTicks
  }

  /** read row i of this tick: did its process vanish (reaped, or its pid now another's)? */
  private vanished(p: Proc, row: number): boolean {
    const ok = this.rows[row * ROW_SIZE + F_OK]!
    return ok !== 2 && (ok !== 1 || this.rows[row * ROW_SIZE + F_STARTTIME] !== p.starttime)
  }

  /**
   * A reap moves the child's CPU and I/O into its reaper at once, so the two must be read
   * together: a reaper's read that shows the child in its cutime, with the child's last figures
   * still counted because it was not read (the helper had not said it ran: its exit came after
   * the helper's last tick), or a child's read that finds it gone, with its reaper's read from
   * before the reap (earlier in the same read, or none), would count the child twice, or for a
   * tick not at all and twice when it came back. So, after the read of this tick: the unread
   * children of a reaper whose children's time grew are read, and then the reaper of every
   * process found gone is read again. Their rows follow the first m; returns how many.
   */
  private readAfterReaps(n: number, m: number): number {
    const live = this.live
    let mm = m
    const add = (j: number, what: number): void => {
      this.handles[mm] = live[j]!.handle
      this.what[mm] = what
      this.rowOf[j] = mm++
    }
    // children of reapers: only when some read process reaped since its last read
    let reapers: Set<number> | null = null
    for (let i = 0; i < n; i++) {
      const row = this.rowOf[i]!
      if (row < 0 || this.vanished(live[i]!, row)) continue
      const o = row * ROW_SIZE
      if (live[i]!.at >= 0 && this.rows[o + F_CUTIME]! + this.rows[o + F_CSTIME]! > live[i]!.childTicks) (reapers ??= new Set()).add(live[i]!.pid)
    }
    if (reapers) for (let j = 0; j < n; j++) if (this.rowOf[j]! < 0 && reapers.has(live[j]!.ppid)) add(j, this.skippedWhat[j]!)
    const firstReads = mm
    for (let i = 0; i < n; i++) {
      const row = this.rowOf[i]!
      if (row < 0 || !this.vanished(live[i]!, row)) continue
      // the nearest tracked ancestor that is still there
      let q = this.procs.get(live[i]!.ppid)
      for (let hops = 0; q && hops < 64; hops++) {
        const j = live.indexOf(q)
        const qRow = j >= 0 ? this.rowOf[j]! : -1
        if (j >= 0 && !q.zombie && (qRow < 0 || !this.vanished(q, qRow))) {
          // read again, unless it was read after this reap was seen
          if (qRow < firstReads) add(j, qRow >= 0 ? this.what[qRow]! & ~READ_SKIP_IDLE : this.skippedWhat[j]!)
          break
        }
        q = this.procs.get(q.ppid)
      }
    }
    if (mm > m) this.reader.sample(this.handles.subarray(m), this.what.subarray(m), mm - m, this.rows.subarray(m * ROW_SIZE))
    return mm - m
  }

  /** Is some ancestor of p (by the parents last read) still tracked? Then p's CPU went into its cutime. */
  private hasTrackedAncestor(p: Proc): boolean {
    let ppid = p.ppid
    for (let hops = 0; hops < 64 && ppid > 0; hops++) {
      const q = this.procs.get(ppid)
      if (!q) return false
      if (!q.gone || q.zombie) return true
      ppid = q.ppid
    }
    return false
  }

  private readsNow(p: Proc, tick: number, now: number): number {
    let what = readsFor(tick, p.phase, this.ioEvery, this.slowEvery) & (READ_IO | READ_STATUS | this.slowMask)
    // until a process has I/O rates, read io every tick: a tree's rate total leaves out no one
    if ((p.readRate === null && p.rchar >= 0) || p.ioSoon) what |= READ_IO
    if (what & READ_STATUS && p.statusSkips < STATUS_MAX_SKIPS) what |= READ_SKIP_UNCHANGED
    if (what & READ_SMAPS) {
      if (now < p.pssNextAt) what &= ~READ_SMAPS
      else if (p.pssSkips < PSS_MAX_SKIPS && p.rss === p.pssRss && p.minflt + p.majflt === p.pssFaults) {
        what &= ~READ_SMAPS
        p.pssSkips++
      }
    }
    return what
  }

  private grow(n: number): void {
    const size = Math.max(n, this.handles.length * 2)
    this.handles = new Int32Array(size)
    this.what = new Uint8Array(size)
    this.rowOf = new Int32Array(size)
    this.skippedWhat = new Uint8Array(size)
    this.rows = new Float64Array(size * ROW_SIZE)
  }

  private cmdline(pid: number): string[] {
    try {
      return parseCmdline(readFileSync(`${this.procRoot}/${pid}/cmdline`, 'utf8'))
    } catch {
      return []
    }
  }

  /** Fold a row into p and make its sample. */
  private update(p: Proc, r: Float64Array, o: number, now: number): ProcessSample {
    const first = p.at < 0
    const dt = first ? 0 : (now - p.at) / 1000
    const utime = r[o + F_UTIME]!
    const stime = r[o + F_STIME]!
    const cpuUser = first || dt <= 0 ? null : (sat(utime, p.utime) / CLK_TCK / dt) * 100
    const cpuSys = first || dt <= 0 ? null : (sat(stime, p.stime) / CLK_TCK / dt) * 100
    if (r[o + F_COMM_CHANGED] === 1) {
      const comm = this.reader.comm(p.handle) ?? p.comm
      // a comm other than the one seen when tracking began: an exec (or prctl); the command line
      // may be new too
      if (comm !== p.comm) {
        const d = this.descriptions.get(p.pid)
        if (d) this.descriptions.set(p.pid, { ...d, comm, cmdline: this.cmdline(p.pid) })
      }
      p.comm = comm
    }
    const code = r[o + F_STATE]!
    if (code !== p.stateCode) {
      p.stateCode = code
      p.state = String.fromCharCode(code)
    }
    p.ppid = r[o + F_PPID]!
    p.utime = utime
    p.stime = stime
    p.childTicks = r[o + F_CUTIME]! + r[o + F_CSTIME]!
    p.threads = r[o + F_THREADS]!
    p.minflt = r[o + F_MINFLT]!
    p.majflt = r[o + F_MAJFLT]!
    p.rss = r[o + F_RSS]!
    const hwm = r[o + F_HWM]!
    // VmHWM is never below the RSS now: between status reads that bound is exact enough
    p.hwm = hwm === hwm ? hwm : p.hwm >= 0 && p.rss > p.hwm ? p.rss : p.hwm
    p.swap = fresh(r[o + F_SWAP]!, p.swap)
    p.vcsw = fresh(r[o + F_VCSW]!, p.vcsw)
    p.ivcsw = fresh(r[o + F_IVCSW]!, p.ivcsw)
    const pss = r[o + F_PSS]!
    if (pss === pss) {
      p.pss = pss
      // a first read keeps the count track() staggered: else processes tracked together would
      // all be due in the same second, and stay so
      if (!first) p.pssSkips = 0
      p.pssRss = p.rss
      p.pssFaults = p.minflt + p.majflt
      p.pssNextAt = now + r[o + F_PSS_MS]! / PSS_CPU_SHARE
    }
    p.fds = fresh(r[o + F_FDS]!, p.fds)
    const rchar = r[o + F_RCHAR]!
    if (rchar === rchar && !p.ioFinal) {
      const wchar = r[o + F_WCHAR]!
      const ioDt = p.ioAt < 0 ? 0 : (now - p.ioAt) / 1000
      // what reaped children brought into its io is theirs, not its own: not in its rates
      const [rr, rw, rrb, rwb] = p.reaped
      p.readRate = ioDt > 0 && rchar >= 0 && p.rchar >= 0 ? sat(rchar, p.rchar + rr!) / ioDt : null
      p.writeRate = ioDt > 0 && wchar >= 0 && p.wchar >= 0 ? sat(wchar, p.wchar + rw!) / ioDt : null
      p.rchar = rchar
      p.wchar = wchar
      p.readBytes = r[o + F_READ_BYTES]!
      p.writeBytes = r[o + F_WRITE_BYTES]!
      p.ioAt = now
      if (rr || rw || rrb || rwb) {
        for (let k = 0; k < 4; k++) p.reapedSeen[k]! += p.reaped[k]!
        p.reaped = [0, 0, 0, 0]
      }
      p.ioSoon = false
    }
    p.at = now
    const sample: ProcessSample = {
      pid: p.pid,
      ppid: p.ppid,
      comm: p.comm,
      state: p.state,
      cpu_user_pct: cpuUser,
      cpu_system_pct: cpuSys,
      cpu_seconds: (utime + stime) / CLK_TCK,
      rss_bytes: val(p.rss),
      pss_bytes: val(p.pss),
      swap_bytes: val(p.swap),
      hwm_bytes: val(p.hwm),
      threads: p.threads,
      fds: val(p.fds),
      rchar_bytes: own(p.rchar, p.reapedSeen[0]!),
      wchar_bytes: own(p.wchar, p.reapedSeen[1]!),
      read_bytes_per_s: p.readRate,
      write_bytes_per_s: p.writeRate,
      read_bytes: own(p.readBytes, p.reapedSeen[2]!),
      write_bytes: own(p.writeBytes, p.reapedSeen[3]!),
      vol_ctxsw: val(p.vcsw),
      invol_ctxsw: val(p.ivcsw),
      minflt: p.minflt,
      majflt: p.majflt
    }
    // a process that did not run, read when its I/O rates have settled to 0 (or cannot be read),
    // makes the same sample every tick until it runs again
    const settled = (rate: number | null, total: number): boolean => (rate === null ? total < 0 : rate === 0)
    // (did not run: the reader's schedstat look, for one thread; the helper's run reports, for any)
    const didNotRun = r[o + F_IDLE]! >= 1 || (p.runsReported && !this.ranBefore.has(p.pid))
    p.idleSample = didNotRun && !p.ioSoon && cpuUser === 0 && cpuSys === 0 && settled(p.readRate, p.rchar) && settled(p.writeRate, p.wchar) ? sample : null
    return sample
  }

  /** p is gone: release its files (its I/O went to its reaper: see passReapedIo). */
  private retire(p: Proc): void {
    p.gone = true
    this.reader.close(p.handle)
  }

  /**
   * Before the rows are folded in: every process that vanished in this read was reaped, and the
   * kernel added its I/O (with what its own reaped children had brought it) to its reaper's io.
   * When the reaper is tracked, that I/O is counted on it until an io read of it shows it (then
   * it comes off its rates and own figures); its io is read the next tick. When it is not (the
   * root, reaped by syscope; an orphan, by init), the last figures stay in the tree's orphanIo.
   * Reaped after the last io read of it, a process's last I/O is counted where its reaper's next
   * read shows it: on its parent, or lost for a process reaped outside the tree.
   */
  private passReapedIo(n: number): void {
    let vanished: Proc[] | null = null
    for (let i = 0; i < n; i++) {
      const row = this.rowOf[i]!
      if (row < 0 || !this.vanished(this.live[i]!, row)) continue
      ;(vanished ??= []).push(this.live[i]!)
    }
    if (!vanished) return
    const gone = new Set(vanished)
    for (const p of vanished) {
      // never read, and no final figures from the helper: nothing of it is known or counted;
      // its I/O shows in its reaper's
      if (p.at < 0 && !p.ioFinal) continue
      this.handOver(p, IO_FIELDS.map((f, k) => (p[f] < 0 ? -1 : p[f] + p.reaped[k]!)), gone)
    }
  }

  /**
   * p was reaped: `amount` (per IO_FIELDS, -1: unavailable) is what the kernel added to its
   * reaper's io. A tracked reaper (the nearest tracked ancestor not reaped in the same read) owes
   * it to the tree until an io read of it shows it; otherwise it stays in orphanIo.
   */
  private handOver(p: Proc, amount: number[], gone?: Set<Proc>): void {
    let q = this.procs.get(p.ppid)
    while (q && gone?.has(q)) q = this.procs.get(q.ppid)
    const reaper = q && !q.gone && !q.zombie ? q : null
    p.handedTo = reaper
    p.handed = amount
    if (reaper) {
      for (let k = 0; k < 4; k++) if (amount[k]! >= 0) reaper.reaped[k]! += amount[k]!
      reaper.ioSoon = true
      reaper.idleSample = null
    } else this.addOrphanIo(amount, 1)
  }

  private addOrphanIo(amount: number[], sign: 1 | -1): void {
    const g = this.orphanIo
    for (let k = 0; k < 4; k++) {
      if (amount[k]! < 0) g.unavailable[k]! += sign
      else g.io[k]! += sign * amount[k]!
    }
  }

  /** Sums over live processes; cumulative figures also over every process that exited. */
  private totals(t: TotalsSum, processes: number, treeTicks: number, now: number): TreeRecord {
    const g = this.orphanIo
    const io = (k: number): number | null => (t.io[k] === null || g.unavailable[k]! > 0 ? null : t.io[k]! + g.io[k]!)
    const c = this.cpu
    let cpuPct: number | null = null
    if (c.prevTicks < 0) {
      // the first tick: the CPU the tree had used before, its reaped children's included (a
      // launched command's children that ran before the first tick); no rate yet
      c.seconds = treeTicks / CLK_TCK
    } else {
      // a reap outside the tree can only lower the sum: never a negative rate
      const used = Math.max(0, treeTicks - c.prevTicks)
      const dt = (now - c.prevAt) / 1000
      // A live process's stat shows its CPU truncated to whole clock ticks, while its reaper's
      // cutime gains its exact time: each reaped child brings up to a tick more than was counted
      // of it, CPU it used earlier in its life. 600 children reaped in one interval made that
      // interval's rate 1700 % on 2 CPUs. The seconds keep that time (it was used); the rate, a
      // share of the CPUs over this interval, cannot exceed all of them. (Counting each process
      // exactly, from its run time in ns, would place it where it was used: see docs.)
      cpuPct = dt > 0 ? Math.min((used / CLK_TCK / dt) * 100, CPUS * 100) : null
      c.seconds += used / CLK_TCK
    }
    c.prevTicks = treeTicks
    c.prevAt = now
    return {
      cpu_pct: cpuPct,
      rss_bytes: t.rss,
      pss_bytes: t.pss,
      read_bytes_per_s: t.rated ? t.readRate : null,
      write_bytes_per_s: t.rated ? t.writeRate : null,
      threads: t.threads,
      fds: t.fds,
      processes,
      cpu_seconds: Math.round(c.seconds * CLK_TCK) / CLK_TCK,
      read_bytes: io(2),
      write_bytes: io(3),
      rchar_bytes: io(0),
      wchar_bytes: io(1)
    }
  }
}

/**
 * Running sums for a tick's totals. A sum is null once one process's value is unavailable; rate
 * sums leave out processes read for the first time (no rate yet), and are null if none is left.
 */
class TotalsSum {
  rated = false
  readRate: number | null = 0
  writeRate: number | null = 0
  rss: number | null = 0
  pss: number | null = 0
  threads: number | null = 0
  fds: number | null = 0
  /** the live processes' io as the kernel gives it, with their reaped descendants' not shown yet */
  io: [number | null, number | null, number | null, number | null] = [0, 0, 0, 0]

  add(s: ProcessSample, firstRead: boolean): void {
    if (!firstRead) {
      this.rated = true
      this.readRate = plus(this.readRate, s.read_bytes_per_s)
      this.writeRate = plus(this.writeRate, s.write_bytes_per_s)
    }
    this.rss = plus(this.rss, s.rss_bytes)
    this.pss = plus(this.pss, s.pss_bytes)
    this.threads = plus(this.threads, s.threads)
    this.fds = plus(this.fds, s.fds)
  }

  // (each field by name: a field looked up by a key that changes is a megamorphic load, the
  // dearest line of a tick that reads nothing)
  addIo(p: Proc): void {
    const io = this.io
    const reaped = p.reaped
    io[0] = sumIo(io[0], p.rchar, reaped[0]!)
    io[1] = sumIo(io[1], p.wchar, reaped[1]!)
    io[2] = sumIo(io[2], p.readBytes, reaped[2]!)
    io[3] = sumIo(io[3], p.writeBytes, reaped[3]!)
  }
}

const sumIo = (sum: number | null, v: number, reaped: number): number | null => (sum === null || v < 0 ? null : sum + v + reaped)

const plus = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b)
/** a process's own share of an io figure: the kernel's, less its reaped descendants' */
const own = (v: number, reaped: number): number | null => (v < 0 ? null : Math.max(0, v - reaped))

export function createSampler(opts: SamplerOptions = {}): Sampler {
  return new Sampler(opts)
}
