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
import { PROCESS_COLUMNS, ROW_INDEX as COL, type RecordLine, type RecordingHeader, type TreeRecord } from '../recording/format'
import { lttbIndices } from '../../shared/decimate'
import { digestBreakdown, type RecordingDigest } from '../recording/digest'
import { addCounts, addTick, emptySums, toBreakdown, type Counts, type RangeSums } from './range'

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

  /**
   * Set when a recording was opened from its digest: the ticks are not loaded, and the snapshot,
   * summary and range breakdowns (to one bucket) come from the digest.
   */
  digest: RecordingDigest | null = null

  constructor(header: RecordingHeader, readonly id: string, readonly recordingPath: string | null) {
    this.header = header
  }

  /** A reopened recording answered from its digest, without reading its ticks. */
  static fromDigest(header: RecordingHeader, digest: RecordingDigest, id: string, path: string): SessionStore {
    const s = new SessionStore(header, id, path)
    s.digest = digest
    for (const p of digest.snapshot.processInfo) s.processes.set(p.pid, { ...p, uid: null })
    s.events.push(...digest.snapshot.events)
    // output chunks name their session: this one now
    s.output.push(...digest.snapshot.output.map((o) => ({ ...o, sessionId: id })))
    s.warnings.push(...digest.snapshot.warnings)
    s.ended = digest.ended
    return s
  }

  /** Only the digest is loaded (see `digest`). */
  get digestOnly(): boolean {
    return this.digest !== null && this.ticks.length === 0
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
      addCounts(perNr, nr, calls, errors, ns)
      addCounts(this.pending.sys, nr, calls, errors, ns)
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
    if (this.digestOnly) return this.digest!.duration_ms
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
    for (const c of Object.keys(byCat) as CategoryId[]) byCat[c] = rate(byCat[c]!)
    const tr = tick.tree
    return {
      t_ms: tick.t,
      cpu_pct: pct(tr.cpu_pct),
      rss_bytes: tr.rss_bytes,
      pss_bytes: tr.pss_bytes,
      read_bytes_per_s: rate(tr.read_bytes_per_s),
      write_bytes_per_s: rate(tr.write_bytes_per_s),
      threads: tr.threads,
      fds: tr.fds,
      processes: tr.processes,
      syscalls_per_s: byCat,
      errors_per_s: rate(errors / seconds),
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
    if (this.digestOnly) {
      const d = this.digest!.snapshot
      const keep = lttbIndices(d.tree.map((p) => p.t_ms), d.tree.map((p) => p.cpu_pct), maxPoints)
      return { ...d, output: this.output, tree: keep.length === d.tree.length ? d.tree : keep.map((i) => d.tree[i]!), info: this.info(state, kind) }
    }
    const keep = lttbIndices(this.ticks.map((k) => k.t), this.ticks.map((k) => k.tree.cpu_pct), maxPoints)
    const tree = keep.map((i) => this.treePoint(i))
    // per-process series: gather each pid's rows (times and rows side by side, no per-row
    // objects), then decimate per process
    const series = new Map<number, { t: number[]; rows: (number | null)[][] }>()
    for (const tick of this.ticks) {
      for (const row of tick.rows) {
        const pid = row[0]
        if (typeof pid !== 'number') continue
        let s = series.get(pid)
        if (!s) series.set(pid, (s = { t: [], rows: [] }))
        s.t.push(tick.t)
        s.rows.push(row)
      }
    }
    // per-process lines are secondary to the tree's: fewer points, and only what they draw
    const perProcess = Math.min(maxPoints, 500)
    const processes: SessionSnapshot['processes'] = []
    for (const [pid, s] of series) {
      const idx = lttbIndices(s.t, s.rows.map((r) => (r[COL.cpu_user_pct] ?? 0) + (r[COL.cpu_system_pct] ?? 0)), perProcess)
      const v = (i: number, c: number): number | null => s.rows[i]![c] ?? null
      processes.push({
        pid,
        comm: this.processes.get(pid)?.comm ?? String(pid),
        t_ms: idx.map((i) => s.t[i]!),
        cpu_pct: idx.map((i) => {
          const u = v(i, COL.cpu_user_pct)
          const k = v(i, COL.cpu_system_pct)
          // as the live view adds them: unavailable only when both are
          return u === null && k === null ? null : pct((u ?? 0) + (k ?? 0))
        }),
        rss_bytes: idx.map((i) => v(i, COL.rss_bytes))
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

  /** Indices [lo, hi) of the ticks whose time lies in [fromMs, toMs] (ticks are in time order). */
  private tickRange(fromMs: number, toMs: number): [number, number] {
    return [this.firstTickAtOrAfter(fromMs, false), this.firstTickAtOrAfter(toMs, true)]
  }

  /** The first tick with t >= ms (or t > ms when `after`). */
  private firstTickAtOrAfter(ms: number, after: boolean): number {
    let lo = 0
    let hi = this.ticks.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const t = this.ticks[mid]!.t
      if (t < ms || (after && t === ms)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  breakdown(fromMs: number, toMs: number): Breakdown {
    if (this.digestOnly) return digestBreakdown(this.digest!, this.id, this.arch, this.processes, fromMs, toMs)
    const [lo, hi] = this.tickRange(fromMs, toMs)
    const sums = emptySums()
    for (let i = lo; i < hi; i++) addTick(sums, this.ticks[i]!)
    const firstT = lo > 0 ? this.ticks[lo - 1]!.t : 0
    const lastT = hi > lo ? this.ticks[hi - 1]!.t : firstT
    return toBreakdown(this.id, this.arch, this.processes, sums, firstT, lastT)
  }

  /** Sums of ticks [lo, hi), for a recording's digest. */
  sumTicks(lo: number, hi: number): RangeSums {
    const sums = emptySums()
    for (let i = lo; i < hi; i++) addTick(sums, this.ticks[i]!)
    return sums
  }
}

// What views draw needs no more digits than these; 17-digit floats made up most of a long
// recording's snapshot (and of every live tick batch).
function pct<T extends number | null>(v: T): T {
  return (v === null ? v : Math.round(v * 1000) / 1000) as T
}

function rate<T extends number | null>(v: T): T {
  return (v === null ? v : Math.round(v * 10) / 10) as T
}

export function rowToPoint(row: (number | null)[]): ProcessPoint {
  const p: Record<string, number | null> = { pid: row[0] ?? 0 }
  PROCESS_COLUMNS.forEach((col, i) => {
    p[col] = row[i + 1] ?? null
  })
  return p as unknown as ProcessPoint
}
