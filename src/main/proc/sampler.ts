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
  gone: boolean
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
  private readonly read: (pid: number) => Promise<RawProcess | null>
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
      this.read = async (pid) => r.readProcess(pid, smaps)
      this.readerKind = 'native'
      this.readerReason = 'N-API addon'
    } else {
      this.read = (pid) => readProcessTs(this.procRoot, pid, smaps)
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
    this.known.set(pid, { starttime, last: null, lastAt: 0, gone: starttime < 0 })
  }

  untrack(pid: number): void {
    this.known.delete(pid)
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
    const raws = await Promise.all(pids.map((pid) => this.read(pid)))
    const processes: ProcessSample[] = []
    const exited: number[] = []
    // first sample of a process: its rates are not measured yet; totals leave it out of rate sums
    const fresh = new Set<number>()
    pids.forEach((pid, i) => {
      const k = this.known.get(pid)!
      const r = raws[i]
      // gone, a zombie, or a different process that reuses the pid
      if (!r || r.state === 'Z' || r.state === 'X' || (k.starttime >= 0 && r.starttime_ticks !== k.starttime)) {
        k.gone = true
        exited.push(pid)
        return
      }
      if (!k.last) fresh.add(pid)
      processes.push(this.toSample(r, k, now))
      k.last = r
      k.lastAt = now
    })
    return { t_ms: now, processes, totals: this.totals(processes, fresh), exited }
  }

  private toSample(r: RawProcess, k: Known, now: number): ProcessSample {
    const prev = k.last
    const dt = prev ? (now - k.lastAt) / 1000 : 0
    const rate = (cur: number | null, old: number | null | undefined): number | null => (prev && dt > 0 && cur !== null && old !== null && old !== undefined ? sat(cur, old) / dt : null)
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
      read_bytes_per_s: rate(r.rchar, prev?.rchar),
      write_bytes_per_s: rate(r.wchar, prev?.wchar),
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
