// Reading processes' /proc files in TypeScript (the fallback when the N-API reader is not built):
// the same rows as the N-API reader (row.ts). stat, io and status stay open between ticks and are
// re-read at offset 0, so a held stat fails once its process is gone, even if the pid is reused;
// smaps_rollup and the fd directory are opened by path (Node has no openat), right after stat
// said the process was still the same one. When the fd limit leaves none to hold, files are
// opened for each sample. /proc reads do not block on a disk: synchronous reads cost the same CPU
// without a thread-pool round trip per file.
import { textOf } from './bytes-text'
import { closeSync, openSync, readdirSync, readFileSync, readSync, statfsSync, statSync } from 'node:fs'
import { parseIo, parseSmapsRollup, parseStat, parseStatus } from './parse'
import {
  F_COMM_CHANGED,
  F_FDS,
  F_HWM,
  F_IDLE,
  F_IVCSW,
  F_MAJFLT,
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
  READ_FDS,
  READ_IO,
  READ_SKIP_IDLE,
  READ_SKIP_UNCHANGED,
  READ_SMAPS,
  READ_STATUS,
  ROW_SIZE,
  type ProcReader
} from './row'

const PROC_SUPER_MAGIC = 0x9fa0
const GONE = new Set(['ENOENT', 'ESRCH'])
const OUT_OF_FDS = new Set(['EMFILE', 'ENFILE'])
const errCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? ''

interface Open {
  pid: number
  base: string
  /** false: no fds to hold, files opened for each sample */
  held: boolean
  stat: number
  /** -1: could not be opened (unavailable, or a fixture without the file) */
  io: number
  status: number
  /** schedstat, for READ_SKIP_IDLE (-1: not held) */
  sched: number
  comm: string
  /** schedstat's run time and times scheduled in, read before the last stat ('' unknown) */
  ran: string
  /** looks at schedstat in a row that found it had run, and reads left to make without looking */
  ranStreak: number
  skipLooks: number
  /** the last values read, given again while the process does not run; haveIo: io among them */
  last: Float64Array | null
  haveIo: boolean
  /** status and the fd count (READ_SKIP_UNCHANGED): the RSS when they were last read together
   * (-1: never), and whether some look since could not rule out that the process ran */
  slowRss: number
  ranSinceSlow: boolean
}

/** stat's fields and io's, kept to be given again while the process does not run */
const STAT_FIELDS = [F_STATE, F_PPID, F_STARTTIME, F_UTIME, F_STIME, F_THREADS, F_MINFLT, F_MAJFLT, F_RSS, F_CUTIME, F_CSTIME]
const IO_FIELDS = [F_RCHAR, F_WCHAR, F_READ_BYTES, F_WRITE_BYTES]
/** after BUSY_STREAK looks in a row that found a process had run, stat is read BUSY_SKIP times unlooked */
const BUSY_STREAK = 2
const BUSY_SKIP = 8
const copyFields = (to: Float64Array, toAt: number, from: Float64Array, fromAt: number, fields: number[]): void => {
  for (const f of fields) to[toAt + f] = from[fromAt + f]!
}

/** The kernel's base page size (stat counts RSS in pages); Node does not expose sysconf. */
function pageSize(): number {
  try {
    // the first mapping's entry is enough: smaps is generated one mapping at a time
    const fd = openSync('/proc/self/smaps', 'r')
    try {
      const buf = Buffer.alloc(4096)
      const m = /^KernelPageSize:\s+(\d+) kB$/m.exec(buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0)))
      if (m) return Number(m[1]) * 1024
    } finally {
      closeSync(fd)
    }
  } catch {
    /* no smaps: assume the common size */
  }
  return 4096
}

export class TsProcReader implements ProcReader {
  private opened: (Open | undefined)[] = []
  private free: number[] = []
  private readonly buf = Buffer.allocUnsafe(16384)
  private readonly pageBytes = pageSize()
  /** the fd directory's size is its open fd count on procfs (Linux ≥ 6.2), not on fixtures */
  private readonly procfs: boolean

  constructor(private readonly procRoot: string) {
    let procfs = false
    try {
      procfs = statfsSync(procRoot).type === PROC_SUPER_MAGIC
    } catch {
      /* not there: every open fails as gone */
    }
    this.procfs = procfs
  }

  open(pid: number): number | null {
    const entry: Open = {
      pid,
      base: `${this.procRoot}/${pid}`,
      held: true,
      stat: -1,
      io: -1,
      status: -1,
      sched: -1,
      comm: '',
      ran: '',
      ranStreak: 0,
      skipLooks: 0,
      last: null,
      haveIo: false,
      slowRss: -1,
      ranSinceSlow: true
    }
    try {
      this.openFiles(entry, true)
    } catch (e) {
      this.closeFiles(entry)
      if (GONE.has(errCode(e))) return null
      if (!OUT_OF_FDS.has(errCode(e))) throw e
      entry.held = false
    }
    const slot = this.free.pop()
    if (slot !== undefined) {
      this.opened[slot] = entry
      return slot + 1
    }
    this.opened.push(entry)
    return this.opened.length
  }

  /**
   * Throws when stat cannot be opened, or when the fd limit is reached. schedstat only when the
   * files are to be held: a handle that opens its files for each sample reads stat every time.
   */
  private openFiles(o: Open, toHold: boolean): void {
    o.stat = openSync(`${o.base}/stat`, 'r')
    // io needs ptrace-read access, checked at each read: a failed read is "unavailable"
    for (const name of toHold ? (['io', 'status', 'sched'] as const) : (['io', 'status'] as const)) {
      try {
        o[name] = openSync(`${o.base}/${name === 'sched' ? 'schedstat' : name}`, 'r')
      } catch (e) {
        if (OUT_OF_FDS.has(errCode(e))) throw e
      }
    }
  }

  private closeFiles(o: Open): void {
    for (const name of ['stat', 'io', 'status', 'sched'] as const) {
      if (o[name] >= 0) closeSync(o[name])
      o[name] = -1
    }
  }

  close(handle: number): void {
    const o = this.opened[handle - 1]
    if (!o) return
    this.closeFiles(o)
    this.opened[handle - 1] = undefined
    this.free.push(handle - 1)
  }

  comm(handle: number): string | null {
    return this.opened[handle - 1]?.comm ?? null
  }

  sample(handles: Int32Array, what: Uint8Array, count: number, rows: Float64Array): void {
    for (let i = 0; i < count; i++) this.sampleOne(this.opened[handles[i]! - 1], what[i]!, rows, i * ROW_SIZE)
  }

  pids(): number[] {
    const out: number[] = []
    for (const e of readdirSync(this.procRoot)) {
      const c = e.charCodeAt(0)
      if (c >= 49 && c <= 57 && /^\d+$/.test(e)) out.push(Number(e))
    }
    return out
  }

  parentOf(pid: number): number {
    try {
      return parseStat(readFileSync(`${this.procRoot}/${pid}/stat`, 'latin1'))?.ppid ?? -1
    } catch {
      return -1
    }
  }

  /** whole file from a held fd, or null when it could not be read; only comm (stat) may be
   * other than ASCII: `name` decodes it as the helper does (bytes-text.ts) */
  private readHeld(fd: number, name = false): string | null {
    try {
      const n = readSync(fd, this.buf, 0, this.buf.length, 0)
      return name ? textOf(this.buf, 0, n) : this.buf.toString('latin1', 0, n)
    } catch {
      return null
    }
  }

  private readPath(path: string): string | null {
    let fd: number
    try {
      fd = openSync(path, 'r')
    } catch {
      return null
    }
    try {
      return this.readHeld(fd)
    } finally {
      closeSync(fd)
    }
  }

  private sampleOne(o: Open | undefined, what: number, row: Float64Array, at: number): void {
    row.fill(NaN, at, at + ROW_SIZE)
    row[at + F_OK] = 0
    if (!o) return
    if (!o.held) {
      try {
        this.openFiles(o, false)
      } catch (e) {
        this.closeFiles(o)
        if (OUT_OF_FDS.has(errCode(e))) row[at + F_OK] = 2
        return
      }
    }
    try {
      this.fill(o, what, row, at)
    } finally {
      if (!o.held) this.closeFiles(o)
    }
  }

  /**
   * schedstat's run time and times scheduled in, when READ_SKIP_IDLE may use them (procread.h
   * says when that is exact): '' unknown, null gone. A process with no sched info prints zeros.
   */
  private ranNow(o: Open, what: number): string | null {
    if (!(what & READ_SKIP_IDLE) || !o.held || o.sched < 0) return ''
    if (o.last && (o.last[F_THREADS] !== 1 || o.last[F_STATE] === 82) /* R */) return ''
    if (o.skipLooks > 0) {
      o.skipLooks--
      return ''
    }
    let text: string
    try {
      text = this.buf.toString('latin1', 0, readSync(o.sched, this.buf, 0, this.buf.length, 0))
    } catch (e) {
      return GONE.has(errCode(e)) ? null : ''
    }
    const f = text.trim().split(' ')
    return f.length === 3 && (f[0] !== '0' || f[2] !== '0') ? `${f[0]} ${f[2]}` : ''
  }

  private fill(o: Open, what: number, row: Float64Array, at: number): void {
    const ran = this.ranNow(o, what)
    if (ran === null) return
    const notRun = ran !== '' && ran === o.ran && o.last !== null
    // one that runs between every two reads would pay for schedstat and stat each time
    if (ran !== '' && o.ran !== '' && !notRun && ++o.ranStreak >= BUSY_STREAK) {
      o.ranStreak = 0
      o.skipLooks = BUSY_SKIP
    } else if (notRun) o.ranStreak = 0
    if (!notRun) o.ranSinceSlow = true
    if (notRun && !(what & (READ_STATUS | READ_SMAPS | READ_FDS)) && (!(what & READ_IO) || o.haveIo)) {
      copyFields(row, at, o.last!, 0, STAT_FIELDS)
      if (what & READ_IO) copyFields(row, at, o.last!, 0, IO_FIELDS)
      row[at + F_COMM_CHANGED] = 0
      row[at + F_IDLE] = 1
      row[at + F_OK] = 1
      return
    }
    const text = this.readHeld(o.stat, true)
    const s = text === null ? null : parseStat(text)
    if (!s) return
    row[at + F_OK] = 1
    row[at + F_IDLE] = notRun ? 2 : 0
    row[at + F_STATE] = s.state.charCodeAt(0)
    row[at + F_COMM_CHANGED] = s.comm === o.comm ? 0 : 1
    o.comm = s.comm
    row[at + F_PPID] = s.ppid
    row[at + F_STARTTIME] = s.starttime_ticks
    row[at + F_UTIME] = s.utime_ticks
    row[at + F_STIME] = s.stime_ticks
    row[at + F_CUTIME] = s.cutime_ticks
    row[at + F_CSTIME] = s.cstime_ticks
    row[at + F_THREADS] = s.num_threads
    row[at + F_MINFLT] = s.minflt
    row[at + F_MAJFLT] = s.majflt
    row[at + F_RSS] = s.rss_pages * this.pageBytes
    o.ran = ran
    o.last ??= new Float64Array(ROW_SIZE)
    copyFields(o.last, 0, row, at, STAT_FIELDS)
    // it may have run since io was last read: those values may be old now
    if (!notRun && !(what & READ_IO)) o.haveIo = false
    const rss = row[at + F_RSS]!
    if (what & READ_SKIP_UNCHANGED && o.slowRss >= 0 && !o.ranSinceSlow && s.num_threads === 1 && rss === o.slowRss) {
      what &= ~(READ_STATUS | READ_FDS)
    } else if ((what & (READ_STATUS | READ_FDS)) === (READ_STATUS | READ_FDS)) {
      // the RSS is from the stat read before them: one that moves in between makes the next read
      // see a change, never miss one
      o.slowRss = rss
      o.ranSinceSlow = false
    }
    const un = (v: number | null | undefined): number => v ?? -1
    if (what & READ_STATUS) {
      const t = o.status >= 0 ? this.readHeld(o.status) : null
      const st = t === null ? null : parseStatus(t)
      row[at + F_HWM] = un(st?.vm_hwm_bytes)
      row[at + F_SWAP] = un(st?.vm_swap_bytes)
      row[at + F_VCSW] = un(st?.voluntary_ctxt_switches)
      row[at + F_IVCSW] = un(st?.nonvoluntary_ctxt_switches)
    }
    if (what & READ_IO) {
      const t = o.io >= 0 ? this.readHeld(o.io) : null
      const io = t === null ? null : parseIo(t)
      row[at + F_RCHAR] = un(io?.rchar)
      row[at + F_WCHAR] = un(io?.wchar)
      row[at + F_READ_BYTES] = un(io?.read_bytes)
      row[at + F_WRITE_BYTES] = un(io?.write_bytes)
      copyFields(o.last, 0, row, at, IO_FIELDS)
      o.haveIo = true
    }
    if (what & READ_SMAPS) {
      // its cost: the lesser of wall time, which a busy machine's preemption inflates, and the
      // process's CPU time (Node 20 has no per-thread figure), which other threads' time, as the
      // kernel catches up on it at a tick, inflates
      const w0 = performance.now()
      const c0 = process.cpuUsage()
      const t = this.readPath(`${o.base}/smaps_rollup`)
      row[at + F_PSS] = un(t === null ? null : parseSmapsRollup(t).pss_bytes)
      const c = process.cpuUsage(c0)
      row[at + F_PSS_MS] = Math.min(performance.now() - w0, (c.user + c.system) / 1000)
    }
    if (what & READ_FDS) row[at + F_FDS] = this.countFds(`${o.base}/fd`)
  }

  private countFds(dir: string): number {
    try {
      if (this.procfs) {
        const size = statSync(dir).size
        if (size > 0) return size
      }
      return readdirSync(dir).length
    } catch {
      return -1
    }
  }
}
