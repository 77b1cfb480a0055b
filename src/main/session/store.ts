// The in-memory model of one session, live or loaded from a recording: it is fed the same
// record lines that are written to the recording file, so a reopened recording answers every
// question exactly as the live session did.
import type {
  Breakdown,
  CategoryId,
  OutputChunk,
  ProcessInfo,
  ProcessPoint,
  ProcessRow,
  SessionEvent,
  SessionInfo,
  SessionSnapshot,
  SyscallRow,
  TickBatch,
  TreePoint
} from '../../shared/contract'
import { syscallName, syscallCategory } from '../../shared/syscalls/index'
import { PROCESS_COLUMNS, type RecordLine, type RecordingHeader, type TreeRecord } from '../recording/format'
import { decimateIndices } from '../../shared/decimate'

/** [calls, errors, time_ns] */
type Counts = [number, number, number]

interface Tick {
  t: number
  tree: TreeRecord
  gap: boolean
  /** tree-wide syscall deltas of this tick: nr → counts */
  sys: Map<number, Counts>
  /** per process calls/errors in this tick */
  perPid: Map<number, [number, number]>
  /** the process rows of this tick, as written */
  rows: (number | null)[][]
}

const OUTPUT_KEEP_BYTES = 4 * 1024 * 1024

export class SessionStore {
  readonly header: RecordingHeader
  readonly ticks: Tick[] = []
  readonly processes = new Map<number, ProcessInfo & { uid: number | null }>()
  /** every syscall of every process, whole session: pid → nr → counts */
  readonly perProcessSyscalls = new Map<number, Map<number, Counts>>()
  readonly events: SessionEvent[] = []
  readonly output: OutputChunk[] = []
  readonly warnings: string[] = []
  ended: { t: number; exit_code: number | null; exit_signal: string | null; message: string | null } | null = null
  private pending = { sys: new Map<number, Counts>(), perPid: new Map<number, [number, number]>() }
  private outputBytes = 0
  private outputDropped = 0

  constructor(header: RecordingHeader, readonly id: string, readonly recordingPath: string | null) {
    this.header = header
  }

  get arch(): 'x86_64' | 'aarch64' {
    return this.header.arch
  }

  /** Feed one record line (the same lines the recording file holds). */
  ingest(line: RecordLine): void {
    switch (line.k) {
      case 'c':
        this.addCounts(line.pid, line.sys)
        break
      case 's':
        this.ticks.push({ t: line.t, tree: line.tree, gap: line.gap, sys: this.pending.sys, perPid: this.pending.perPid, rows: line.p })
        this.pending = { sys: new Map(), perPid: new Map() }
        break
      case 'p':
        if (!this.processes.has(line.pid)) {
          this.processes.set(line.pid, {
            pid: line.pid,
            ppid: line.ppid,
            comm: line.comm,
            cmdline: line.cmdline,
            startedAtMs: line.start_ms,
            exitedAtMs: null,
            exitCode: null,
            exitSignal: null,
            uid: line.uid
          })
        }
        break
      case 'e':
        this.events.push(line.ev)
        this.applyEvent(line.ev)
        break
      case 'o':
        this.keepOutput({ sessionId: this.id, stream: line.s, t_ms: line.t, text: line.d })
        break
      case 'end':
        this.ended = { t: line.t, exit_code: line.exit_code, exit_signal: line.exit_signal, message: line.message }
        break
    }
  }

  private addCounts(pid: number, sys: [number, number, number, number][]): void {
    let perNr = this.perProcessSyscalls.get(pid)
    if (!perNr) this.perProcessSyscalls.set(pid, (perNr = new Map()))
    let pc = this.pending.perPid.get(pid)
    if (!pc) this.pending.perPid.set(pid, (pc = [0, 0]))
    for (const [nr, calls, errors, ns] of sys) {
      addInto(perNr, nr, calls, errors, ns)
      addInto(this.pending.sys, nr, calls, errors, ns)
      pc[0] += calls
      pc[1] += errors
    }
  }

  private applyEvent(ev: SessionEvent): void {
    const p = 'pid' in ev ? this.processes.get(ev.pid) : undefined
    if (!p) return
    if (ev.kind === 'exit') {
      p.exitedAtMs = ev.t_ms
      p.exitCode = ev.code
      p.exitSignal = ev.signal
    } else if (ev.kind === 'exec') {
      p.comm = ev.comm
    }
  }

  private keepOutput(chunk: OutputChunk): void {
    // The recording keeps all output; memory keeps the first few MiB and says so.
    if (this.outputBytes + chunk.text.length > OUTPUT_KEEP_BYTES) {
      this.outputDropped += chunk.text.length
      return
    }
    this.outputBytes += chunk.text.length
    this.output.push(chunk)
  }

  durationMs(): number {
    const last = this.ticks[this.ticks.length - 1]
    return Math.max(last?.t ?? 0, this.ended?.t ?? 0)
  }

  info(state: 'running' | 'ended', kind?: SessionInfo['kind']): SessionInfo {
    const h = this.header
    return {
      id: this.id,
      kind: kind ?? h.kind,
      title: h.title,
      argv: h.argv,
      rootPid: h.root_pid,
      startedAtMs: h.created_ms,
      intervalMs: h.interval_ms,
      recordingPath: this.recordingPath,
      arch: h.arch,
      ebpf: h.ebpf,
      state
    }
  }

  treePoint(i: number): TreePoint {
    const tick = this.ticks[i]
    if (!tick) throw new RangeError(`no tick ${i}`)
    const prevT = i > 0 ? (this.ticks[i - 1]?.t ?? 0) : Math.max(0, tick.t - this.header.interval_ms)
    const seconds = Math.max(1e-3, (tick.t - prevT) / 1000)
    const byCat: Partial<Record<CategoryId, number>> = {}
    let errors = 0
    for (const [nr, [calls, errs]] of tick.sys) {
      const cat = syscallCategory(syscallName(this.arch, nr))
      byCat[cat] = (byCat[cat] ?? 0) + calls / seconds
      errors += errs
    }
    const tr = tick.tree
    return {
      t_ms: tick.t,
      cpu_pct: tr.cpu_pct,
      rss_bytes: tr.rss_bytes,
      pss_bytes: tr.pss_bytes,
      read_bytes_per_s: tr.read_bytes_per_s,
      write_bytes_per_s: tr.write_bytes_per_s,
      threads: tr.threads,
      fds: tr.fds,
      processes: tr.processes,
      syscalls_per_s: byCat,
      errors_per_s: errors / seconds,
      syscall_gap: tick.gap
    }
  }

  processPoints(i: number): ProcessPoint[] {
    const tick = this.ticks[i]
    return tick ? tick.rows.map(rowToPoint) : []
  }

  /** Ticks from index `from` on, as the live view receives them. */
  tickBatch(from: number): TickBatch {
    const tree: TreePoint[] = []
    const processes: TickBatch['processes'] = []
    for (let i = from; i < this.ticks.length; i++) {
      tree.push(this.treePoint(i))
      processes.push({ t_ms: this.ticks[i]!.t, points: this.processPoints(i) })
    }
    return { sessionId: this.id, tree, processes }
  }

  snapshot(state: 'running' | 'ended', maxPoints: number, kind?: SessionInfo['kind']): SessionSnapshot {
    const keep = decimateIndices(this.ticks.length, maxPoints, (i) => this.ticks[i]?.tree.cpu_pct ?? 0)
    const tree = keep.map((i) => this.treePoint(i))
    // per-process series: gather each pid's rows, then decimate per process
    const series = new Map<number, { t: number; row: (number | null)[] }[]>()
    for (const tick of this.ticks) {
      for (const row of tick.rows) {
        const pid = row[0]
        if (typeof pid !== 'number') continue
        let s = series.get(pid)
        if (!s) series.set(pid, (s = []))
        s.push({ t: tick.t, row })
      }
    }
    // per-process lines are secondary to the tree's: fewer points, and only what they draw
    const perProcess = Math.min(maxPoints, 500)
    const processes: SessionSnapshot['processes'] = []
    for (const [pid, rows] of series) {
      const idx = decimateIndices(rows.length, perProcess, (i) => rows[i]?.row[1] ?? 0)
      processes.push({
        pid,
        comm: this.processes.get(pid)?.comm ?? String(pid),
        points: idx.map((i) => {
          const { t, row } = rows[i]!
          const p = rowToPoint(row)
          return { t_ms: t, cpu_user_pct: p.cpu_user_pct, cpu_system_pct: p.cpu_system_pct, rss_bytes: p.rss_bytes, pss_bytes: p.pss_bytes, read_bytes_per_s: p.read_bytes_per_s, write_bytes_per_s: p.write_bytes_per_s, threads: p.threads, fds: p.fds }
        })
      })
    }
    const warnings = [...this.warnings]
    if (this.outputDropped > 0) warnings.push(`${this.outputDropped} bytes of program output are in the recording but not shown`)
    return {
      info: this.info(state, kind),
      tree,
      processes,
      processInfo: [...this.processes.values()].map(({ uid: _uid, ...p }) => p),
      events: this.events,
      output: this.output,
      warnings
    }
  }

  /** Indices of the ticks whose interval lies in [fromMs, toMs]. */
  private tickRange(fromMs: number, toMs: number): [number, number] {
    let lo = 0
    while (lo < this.ticks.length && this.ticks[lo]!.t < fromMs) lo++
    let hi = lo
    while (hi < this.ticks.length && this.ticks[hi]!.t <= toMs) hi++
    return [lo, hi]
  }

  breakdown(fromMs: number, toMs: number): Breakdown {
    const [lo, hi] = this.tickRange(fromMs, toMs)
    const sys = new Map<number, Counts>()
    const perPid = new Map<number, [number, number]>()
    const cpu = new Map<number, { sum: number; n: number; peak: number }>()
    const rssPeak = new Map<number, number>()
    for (let i = lo; i < hi; i++) {
      const tick = this.ticks[i]!
      for (const [nr, [c, e, ns]] of tick.sys) addInto(sys, nr, c, e, ns)
      for (const [pid, [c, e]] of tick.perPid) {
        const v = perPid.get(pid) ?? [0, 0]
        v[0] += c
        v[1] += e
        perPid.set(pid, v)
      }
      for (const row of tick.rows) {
        const p = rowToPoint(row)
        if (p.cpu_user_pct !== null && p.cpu_system_pct !== null) {
          const total = p.cpu_user_pct + p.cpu_system_pct
          const s = cpu.get(p.pid) ?? { sum: 0, n: 0, peak: 0 }
          s.sum += total
          s.n++
          s.peak = Math.max(s.peak, total)
          cpu.set(p.pid, s)
        }
        if (p.rss_bytes !== null) rssPeak.set(p.pid, Math.max(rssPeak.get(p.pid) ?? 0, p.rss_bytes))
      }
    }
    const firstT = lo > 0 ? this.ticks[lo - 1]!.t : 0
    const lastT = hi > lo ? this.ticks[hi - 1]!.t : firstT
    const seconds = Math.max(1e-3, (lastT - firstT) / 1000)
    const syscalls: SyscallRow[] = []
    const byCat = new Map<CategoryId, { calls: number; errors: number; time_ns: number }>()
    let total = 0
    let totalErr = 0
    let totalNs = 0
    for (const [nr, [c, e, ns]] of sys) {
      const name = syscallName(this.arch, nr)
      const category = syscallCategory(name)
      syscalls.push({ nr, name, category, calls: c, errors: e, time_ns: ns, calls_per_s: c / seconds })
      const b = byCat.get(category) ?? { calls: 0, errors: 0, time_ns: 0 }
      b.calls += c
      b.errors += e
      b.time_ns += ns
      byCat.set(category, b)
      total += c
      totalErr += e
      totalNs += ns
    }
    syscalls.sort((a, b) => b.calls - a.calls || a.nr - b.nr)
    const processes: ProcessRow[] = []
    const pids = new Set<number>([...cpu.keys(), ...perPid.keys()])
    for (const pid of pids) {
      const info = this.processes.get(pid)
      const c = cpu.get(pid)
      const s = perPid.get(pid)
      processes.push({
        pid,
        ppid: info?.ppid ?? 0,
        comm: info?.comm ?? String(pid),
        cmdline: info?.cmdline ?? [],
        cpu_pct_mean: c ? c.sum / c.n : null,
        cpu_pct_peak: c ? c.peak : null,
        rss_peak_bytes: rssPeak.get(pid) ?? null,
        syscalls: s?.[0] ?? 0,
        syscall_errors: s?.[1] ?? 0,
        exitedAtMs: info?.exitedAtMs ?? null
      })
    }
    processes.sort((a, b) => a.pid - b.pid)
    return {
      sessionId: this.id,
      from_ms: firstT,
      to_ms: lastT,
      total_calls: total,
      total_errors: totalErr,
      total_time_ns: totalNs,
      by_category: [...byCat.entries()].map(([category, v]) => ({ category, ...v })).sort((a, b) => b.calls - a.calls),
      syscalls,
      processes
    }
  }
}

function addInto(m: Map<number, Counts>, nr: number, c: number, e: number, ns: number): void {
  const v = m.get(nr)
  if (v) {
    v[0] += c
    v[1] += e
    v[2] += ns
  } else m.set(nr, [c, e, ns])
}

export function rowToPoint(row: (number | null)[]): ProcessPoint {
  const p: Record<string, number | null> = { pid: row[0] ?? 0 }
  PROCESS_COLUMNS.forEach((col, i) => {
    p[col] = row[i + 1] ?? null
  })
  return p as unknown as ProcessPoint
}
