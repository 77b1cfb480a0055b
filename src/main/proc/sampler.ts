// Samples a tracked process tree from /proc: per-process figures and rates, and tree totals in
// which processes that exited keep counting (a tree's CPU time never drops when a child exits).
import { readdir, readFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { parseCmdline, parseStat, parseStatus } from './parse'
import { readProcessTs } from './reader-ts'
import { loadNativeReader } from './native'
import type { ProcessDescription, ProcessSample, RawProcess } from './types'
import type { TreeRecord } from '../recording/format'

/** USER_HZ: 100 on every Linux ABI syscope supports (x86_64, aarch64). */
export const CLK_TCK = 100

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

interface Known {
  starttime: number
  last: RawProcess | null
  lastAt: number
  /** the last fresh I/O read, for rates between I/O reads */
  lastIo: { rchar: number | null; wchar: number | null; at: number } | null
  lastRates: { read: number | null; write: number | null }
  gone: boolean
}

/** What to read (stat is always read): bit values shared with the N-API reader. */
export const READ_STATUS = 0x1
export const READ_IO = 0x2
export const READ_SMAPS = 0x4
export const READ_FDS = 0x8
export const READ_ALL = 0xf

/**
 * Tiered sampling: CPU and threads (stat) every tick; memory, context switches and I/O (status,
 * io) every 2nd tick; PSS and fd counts (smaps_rollup, fd directory: the costly reads) every
 * 10th. A process's first read is always complete. Values not read this tick carry forward.
 */
export function readsForTick(tick: number): number {
  let what = 0
  if (tick % 2 === 0) what |= READ_STATUS | READ_IO
  if (tick % 10 === 0) what |= READ_SMAPS | READ_FDS
  return what
}

const sat = (a: number, b: number): number => (a > b ? a - b : 0)

function bootTimeMs(procRoot: string): number | null {
  try {
    const m = readFileSync(`${procRoot}/stat`, 'utf8').match(/^btime (\d+)$/m)
    return m ? Number(m[1]) * 1000 : null
  } catch {
    return null
  }
}

export class Sampler {
  private known = new Map<number, Known>()
  private descriptions = new Map<number, ProcessDescription>()
  private readonly procRoot: string
  private readonly read: (pid: number, what: number) => Promise<Partial<RawProcess> | null>
  private tick = 0
  private handles = new Map<number, number>()
  private release: (pid: number) => void = () => undefined
  readonly readerKind: 'native' | 'ts'
  readonly readerReason: string
  private boot: number | null

  constructor(opts: SamplerOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc'
    const smaps = opts.smaps ?? true
    const native = opts.reader === 'ts' ? null : loadNativeReader()
    if (opts.reader === 'native' && !native?.reader) throw new Error(`the native /proc reader is not available: ${native?.reason ?? 'not built'}`)
    if (native?.reader && this.procRoot === '/proc') {
      const r = native.reader
      // each process's /proc files stay open between samples (handles die with the process)
      this.read = async (pid, what) => {
        let h = this.handles.get(pid)
        if (h === undefined) {
          const opened = r.openProcess(pid)
          if (opened === null) return null
          this.handles.set(pid, opened)
          h = opened
        }
        return r.readOpen(h, smaps ? what : what & ~READ_SMAPS)
      }
      this.release = (pid) => {
        const h = this.handles.get(pid)
        if (h !== undefined) r.closeProcess(h)
        this.handles.delete(pid)
      }
      this.readerKind = 'native'
      this.readerReason = 'N-API addon'
    } else {
      this.read = (pid, what) => readProcessTs(this.procRoot, pid, smaps ? what : what & ~READ_SMAPS)
      this.readerKind = 'ts'
      this.readerReason = native ? native.reason : 'TypeScript reader requested'
    }
    this.boot = bootTimeMs(this.procRoot)
  }

  /** Start sampling pid (identity fixed now: a later process reusing the pid is not it). */
  track(pid: number): void {
    if (this.known.has(pid)) return
    let starttime = -1
    try {
      const s = parseStat(readFileSync(`${this.procRoot}/${pid}/stat`, 'utf8'))
      if (s) starttime = s.starttime_ticks
      const status = parseStatus(readFileSync(`${this.procRoot}/${pid}/status`, 'utf8'))
      let cmdline: string[] = []
      try {
        cmdline = parseCmdline(readFileSync(`${this.procRoot}/${pid}/cmdline`, 'utf8'))
      } catch {
        /* unavailable */
      }
      if (s) {
        this.descriptions.set(pid, {
          pid,
          ppid: s.ppid,
          comm: s.comm,
          cmdline,
          uid: status.uid,
          start_ms: this.boot === null ? null : this.boot + (s.starttime_ticks / CLK_TCK) * 1000
        })
      }
    } catch {
      // already gone: it still counts as seen (it may have lived between two samples)
    }
    this.known.set(pid, { starttime, last: null, lastAt: 0, lastIo: null, lastRates: { read: null, write: null }, gone: starttime < 0 })
  }

  untrack(pid: number): void {
    this.known.delete(pid)
    this.release(pid)
  }

  /** Close whatever the sampler holds open. */
  close(): void {
    for (const pid of [...this.handles.keys()]) this.release(pid)
  }

  describe(pid: number): ProcessDescription | null {
    return this.descriptions.get(pid) ?? null
  }

  tracked(): number[] {
    return [...this.known.keys()]
  }

  /** Processes whose parent is in the tree and that the tree does not know yet (no eBPF). */
  async discoverChildren(): Promise<{ pid: number; ppid: number }[]> {
    const live = new Set([...this.known].filter(([, k]) => !k.gone).map(([pid]) => pid))
    if (live.size === 0) return []
    const found: { pid: number; ppid: number }[] = []
    let entries: string[]
    try {
      entries = await readdir(this.procRoot)
    } catch {
      return []
    }
    // a child's child may appear in the same scan: repeat until nothing new is found
    const candidates = new Map<number, number>()
    await Promise.all(
      entries
        .filter((e) => /^\d+$/.test(e))
        .map(async (e) => {
          const pid = Number(e)
          if (this.known.has(pid)) return
          try {
            const s = parseStat(await readFile(`${this.procRoot}/${pid}/stat`, 'utf8'))
            if (s) candidates.set(pid, s.ppid)
          } catch {
            /* gone */
          }
        })
    )
    let grew = true
    while (grew) {
      grew = false
      for (const [pid, ppid] of candidates) {
        if (live.has(ppid)) {
          found.push({ pid, ppid })
          live.add(pid)
          candidates.delete(pid)
          grew = true
        }
      }
    }
    return found
  }

  async sampleOnce(): Promise<SampleResult> {
    const now = performance.now()
    const pids = [...this.known.entries()].filter(([, k]) => !k.gone).map(([pid]) => pid)
    const what = readsForTick(this.tick++)
    const raws = await Promise.all(pids.map((pid) => this.read(pid, this.known.get(pid)!.last ? what : READ_ALL)))
    const processes: ProcessSample[] = []
    const exited: number[] = []
    // first sample of a process: its rates are not measured yet; totals leave it out of rate sums
    const fresh = new Set<number>()
    pids.forEach((pid, i) => {
      const k = this.known.get(pid)!
      const partial = raws[i]
      // gone, a zombie, or a different process that reuses the pid
      if (!partial || partial.state === 'Z' || partial.state === 'X' || (k.starttime >= 0 && partial.starttime_ticks !== k.starttime)) {
        k.gone = true
        exited.push(pid)
        this.release(pid)
        return
      }
      if (!k.last) fresh.add(pid)
      // fields not read this tick keep their last value
      const r = { ...k.last, ...partial } as RawProcess
      const ioFresh = 'rchar' in partial
      processes.push(this.toSample(r, k, now, ioFresh))
      if (ioFresh) k.lastIo = { rchar: r.rchar, wchar: r.wchar, at: now }
      k.last = r
      k.lastAt = now
    })
    return { t_ms: now, processes, totals: this.totals(processes, fresh), exited }
  }

  private toSample(r: RawProcess, k: Known, now: number, ioFresh: boolean): ProcessSample {
    const prev = k.last
    const dt = prev ? (now - k.lastAt) / 1000 : 0
    // I/O rates over the interval between two I/O reads (every 2nd tick)
    const io = k.lastIo
    const ioDt = io ? (now - io.at) / 1000 : 0
    const rate = (cur: number | null, old: number | null | undefined): number | null =>
      io && ioDt > 0 && cur !== null && old !== null && old !== undefined ? sat(cur, old) / ioDt : null
    if (ioFresh) k.lastRates = { read: rate(r.rchar, io?.rchar), write: rate(r.wchar, io?.wchar) }
    const cpu = (cur: number, old: number | undefined): number | null => (prev && dt > 0 && old !== undefined ? (sat(cur, old) / CLK_TCK / dt) * 100 : null)
    return {
      pid: r.pid,
      ppid: r.ppid,
      comm: r.comm,
      state: r.state,
      cpu_user_pct: cpu(r.utime_ticks, prev?.utime_ticks),
      cpu_system_pct: cpu(r.stime_ticks, prev?.stime_ticks),
      cpu_seconds: (r.utime_ticks + r.stime_ticks) / CLK_TCK,
      rss_bytes: r.rss_bytes,
      pss_bytes: r.pss_bytes,
      swap_bytes: r.swap_bytes,
      hwm_bytes: r.hwm_bytes,
      threads: r.threads,
      fds: r.fds,
      rchar_bytes: r.rchar,
      wchar_bytes: r.wchar,
      read_bytes_per_s: k.lastRates.read,
      write_bytes_per_s: k.lastRates.write,
      read_bytes: r.read_bytes,
      write_bytes: r.write_bytes,
      vol_ctxsw: r.vol_ctxsw,
      invol_ctxsw: r.invol_ctxsw,
      minflt: r.minflt,
      majflt: r.majflt
    }
  }

  /** Sums over live processes; cumulative figures also over every process ever seen. */
  private totals(live: ProcessSample[], fresh: Set<number>): TreeRecord {
    const sum = (pick: (p: ProcessSample) => number | null, isRate = false): number | null => {
      let s = 0
      let any = false
      for (const p of live) {
        if (isRate && fresh.has(p.pid)) continue
        any = true
        const v = pick(p)
        if (v === null) return null
        s += v
      }
      return any || !isRate ? s : null
    }
    const cumulative = (pick: (r: RawProcess) => number | null): number | null => {
      let s = 0
      for (const k of this.known.values()) {
        if (!k.last) continue
        const v = pick(k.last)
        if (v === null) return null
        s += v
      }
      return s
    }
    const cpuUser = sum((p) => p.cpu_user_pct, true)
    const cpuSys = sum((p) => p.cpu_system_pct, true)
    return {
      cpu_pct: cpuUser === null || cpuSys === null ? null : cpuUser + cpuSys,
      rss_bytes: sum((p) => p.rss_bytes),
      pss_bytes: sum((p) => p.pss_bytes),
      read_bytes_per_s: sum((p) => p.read_bytes_per_s, true),
      write_bytes_per_s: sum((p) => p.write_bytes_per_s, true),
      threads: sum((p) => p.threads),
      fds: sum((p) => p.fds),
      processes: live.length,
      cpu_seconds: cumulative((r) => (r.utime_ticks + r.stime_ticks) / CLK_TCK),
      read_bytes: cumulative((r) => r.read_bytes),
      write_bytes: cumulative((r) => r.write_bytes)
    }
  }
}

export function createSampler(opts: SamplerOptions = {}): Sampler {
  return new Sampler(opts)
}
