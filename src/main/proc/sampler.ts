// Samples a tracked process tree from /proc: per-process figures and rates, and tree totals in
// which processes that exited keep counting (a tree's CPU time never drops when a child exits).
// One reader call per tick fills a table of numbers for every process (row.ts); the only objects
// a tick makes are the samples it returns. Its parts: which files a tick reads (read-schedule.ts),
// what it keeps of each process (tracked-process.ts), where reaped processes' I/O goes
// (reaped-io.ts), the tree's totals (tree-totals.ts) and the /proc scan for new children
// (child-discovery.ts).
import { readFileSync } from 'node:fs'
import { textOf } from './bytes-text'
import { parseCmdline, parseStat, parseStatus } from './parse'
import { TsProcReader } from './reader-ts'
import { loadNativeAddon, nativeProcReader } from './native'
import {
  F_COMM_CHANGED,
  F_FDS,
  F_HWM,
  F_IVCSW,
  F_MAJFLT,
  F_IDLE,
  F_MINFLT,
  F_OK,
  F_PPID,
  F_PSS,
  F_PSS_MS,
  F_RCHAR,
  F_READ_BYTES,
  F_RSS,
  F_STARTTIME,
  F_STATE,
  F_STIME,
  F_CUTIME,
  F_CSTIME,
  F_SWAP,
  F_THREADS,
  F_UTIME,
  F_VCSW,
  F_WCHAR,
  F_WRITE_BYTES,
  READ_IO,
  READ_SKIP_IDLE,
  READ_STATUS,
  ROW_SIZE,
  type ProcReader
} from './row'
import type { ProcessDescription, ProcessSample } from '../types/samples'
import type { TreeRecord } from '../types/recording-format'
import { PSS_CPU_SHARE, PSS_MAX_SKIPS, ReadSchedule, STATUS_MAX_SKIPS } from './read-schedule'
import { CLK_TCK, bootTimeMs, uptimeTicks } from './clock'
import { IO_FIELDS, type TrackedProcess } from './tracked-process'
import { ReapedIoLedger } from './reaped-io'
import { TotalsSum, TreeTotals } from './tree-totals'
import { ChildDiscovery } from './child-discovery'

export { READ_ALL, READ_FDS, READ_IO, READ_SMAPS, READ_STATUS } from './row'

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

const sat = (a: number, b: number): number => (a > b ? a - b : 0)
/** row value to sample value: -1 is unavailable */
const val = (v: number): number | null => (v < 0 ? null : v)
/** a value read this tick, else the last one (NaN: not read) */
const fresh = (v: number, last: number): number => (v === v ? v : last)

export class Sampler {
  /** every process ever tracked; gone ones keep their last figures for the cumulative totals */
  private procs = new Map<number, TrackedProcess>()
  /** the ones still sampled, in a stable order */
  private live: TrackedProcess[] = []
  private descriptions = new Map<number, ProcessDescription>()
  private readonly procRoot: string
  private readonly reader: ProcReader
  private readonly schedule: ReadSchedule
  private tick = 0
  /** the last sample's time (performance.now() ms), or the sampler's start before the first */
  private lastAt = performance.now()
  /** the boot clock as the sampler started (the session's start), in clock ticks as
   * /proc/PID/stat's starttime (-1: no /proc/uptime): a process started after it is the
   * session's whole */
  private readonly startUptimeTicks: number
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
  /** the tree's CPU and each tick's totals record */
  private readonly tree = new TreeTotals()
  /** the I/O reaped processes handed to their reapers */
  private readonly ledger = new ReapedIoLedger(this.procs)
  /** finds new children in /proc when no helper reports forks */
  private readonly discovery = new ChildDiscovery()
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
    this.schedule = new ReadSchedule(opts.intervalMs, opts.smaps ?? true)
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
    this.startUptimeTicks = uptimeTicks(this.procRoot)
  }

  /**
   * Start sampling pid (identity fixed now: a later process reusing the pid is not it). `ppid`,
   * when known (a fork event), is its parent until its stat says otherwise: a process gone before
   * it could be read is still handed to its reaper (exitIo).
   */
  track(pid: number, ppid = 0, sessionsOwn = false): void {
    if (this.procs.has(pid)) return
    let starttime = -1
    let comm = ''
    try {
      const s = parseStat(textOf(readFileSync(`${this.procRoot}/${pid}/stat`)))
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
    const p: TrackedProcess = {
      pid,
      handle: handle ?? 0,
      phase: this.phases++,
      starttime,
      sessionsOwn,
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
    this.ledger.untrack(p)
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
   * A process's /proc/<pid>/io as its last thread exited, which the helper reads then (see
   * ReapedIoLedger.exitIo). Returns its own part, or null if it is not tracked.
   */
  exitIo(pid: number, io: readonly (number | null)[]): (number | null)[] | null {
    const p = this.procs.get(pid)
    return p ? this.ledger.exitIo(p, io) : null
  }

  /**
   * pid exec'd `comm` (the helper said so): its description takes the new name and command line,
   * which is returned (null: it is gone, or not tracked). Read as it forked, they were its parent's.
   */
  execed(pid: number, comm: string): string[] | null {
    const d = this.descriptions.get(pid)
    if (!d) return null
    const cmdline = this.cmdline(pid)
    if (!cmdline.length) return null
    this.descriptions.set(pid, { ...d, comm, cmdline })
    return cmdline
  }

  describe(pid: number): ProcessDescription | null {
    return this.descriptions.get(pid) ?? null
  }

  tracked(): number[] {
    return [...this.procs.keys()]
  }

  /** Processes whose parent is in the tree and that the tree does not know yet (see ChildDiscovery). */
  async discoverChildren(): Promise<{ pid: number; ppid: number }[]> {
    // a child started after the last sample is found one tick later, by the scan its parent's
    // run (seen in the next sample) brings back
    if (this.live.length === 0 || this.quiet) return []
    return this.discovery.find(this.reader, this.procs, this.live)
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
      let what = p.zombie ? 0 : p.at < 0 ? this.schedule.readAll : this.schedule.readsNow(p, tick, now)
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
    /** utime + stime + cutime + cstime of the tree, clock ticks (see TreeTotals.cpu) */
    let treeTicks = this.tree.cpu.orphanTicks
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
          this.tree.cpu.orphanTicks += p.utime + p.stime + p.childTicks
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
    this.lastAt = now
    return { t_ms: now, processes, totals: this.tree.record(t, this.ledger.orphans, processes.length, treeTicks, now), exited }
  }

  /**
   * p has not run since its idle sample was made (the reader's look, or the helper's run
   * reports): that sample stands, only its times move on, and its io is what it was, as good as
   * read now if this tick was to read it (a rate spans two io reads). Returns its CPU clock
   * ticks for the tree's sum.
   */
  private idleAgain(p: TrackedProcess, what: number, now: number, processes: ProcessSample[], t: TotalsSum): number {
    p.at = now
    if (what & READ_IO) p.ioAt = now
    processes.push(p.idleSample!)
    t.add(p.idleSample!, false)
    t.addIo(p)
    return p.utime + p.stime + p.childTicks
  }

  /** read row i of this tick: did its process vanish (reaped, or its pid now another's)? */
  private vanished(p: TrackedProcess, row: number): boolean {
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
  private hasTrackedAncestor(p: TrackedProcess): boolean {
    let ppid = p.ppid
    for (let hops = 0; hops < 64 && ppid > 0; hops++) {
      const q = this.procs.get(ppid)
      if (!q) return false
      if (!q.gone || q.zombie) return true
      ppid = q.ppid
    }
    return false
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
      return parseCmdline(textOf(readFileSync(`${this.procRoot}/${pid}/cmdline`)))
    } catch {
      return []
    }
  }

  /** Fold a row into p and make its sample. */
  private update(p: TrackedProcess, r: Float64Array, o: number, now: number): ProcessSample {
    const first = p.at < 0
    // a process begun during the session (or for it: sessionsOwn), at its first read: all of its
    // CPU is the session's, counted in this interval (a 30-ms child read once lost the 20 ms it
    // had used by then, in the first sample too); one older than the session, no rate yet
    const fromZero = p.sessionsOwn || (this.startUptimeTicks >= 0 && p.starttime >= this.startUptimeTicks)
    const since = !first ? p.at : fromZero ? this.lastAt : -1
    const dt = since < 0 ? 0 : (now - since) / 1000
    const utime = r[o + F_UTIME]!
    const stime = r[o + F_STIME]!
    const cpuUser = dt <= 0 ? null : (sat(utime, p.utime) / CLK_TCK / dt) * 100
    const cpuSys = dt <= 0 ? null : (sat(stime, p.stime) / CLK_TCK / dt) * 100
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
      // the session's whole, read for the first time: its I/O so far is the session's, over the
      // span its CPU is (a short child's only rate: a range would leave out what it read)
      const fromNothing = first && fromZero
      const ioDt = fromNothing ? dt : p.ioAt < 0 ? 0 : (now - p.ioAt) / 1000
      const [r0, w0] = fromNothing ? [0, 0] : [p.rchar, p.wchar]
      // what reaped children brought into its io is theirs, not its own: not in its rates
      const [rr, rw, rrb, rwb] = p.reaped
      p.readRate = ioDt > 0 && rchar >= 0 && r0 >= 0 ? sat(rchar, r0 + rr!) / ioDt : null
      p.writeRate = ioDt > 0 && wchar >= 0 && w0 >= 0 ? sat(wchar, w0 + rw!) / ioDt : null
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
  private retire(p: TrackedProcess): void {
    p.gone = true
    this.reader.close(p.handle)
  }

  /**
   * Before the rows are folded in: every process that vanished in this read was reaped, and the
   * kernel added its I/O (with what its own reaped children had brought it) to its reaper's io.
   * When the reaper is tracked, that I/O is counted on it until an io read of it shows it (then
   * it comes off its rates and own figures); its io is read the next tick. When it is not (the
   * root, reaped by syscope; an orphan, by init), the last figures stay in the ledger's orphans.
   * Reaped after the last io read of it, a process's last I/O is counted where its reaper's next
   * read shows it: on its parent, or lost for a process reaped outside the tree.
   */
  private passReapedIo(n: number): void {
    let vanished: TrackedProcess[] | null = null
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
      this.ledger.handOver(
        p,
        IO_FIELDS.map((f, k) => (p[f] < 0 ? -1 : p[f] + p.reaped[k]!)),
        gone
      )
    }
  }
}

/** a process's own share of an io figure: the kernel's, less its reaped descendants' */
const own = (v: number, reaped: number): number | null => (v < 0 ? null : Math.max(0, v - reaped))

export function createSampler(opts: SamplerOptions = {}): Sampler {
  return new Sampler(opts)
}
