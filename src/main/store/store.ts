// The in-memory model of one session, live or loaded from a recording: it is fed the same
// record lines that are written to the recording file, so a reopened recording answers every
// question exactly as the live session did.
import { lossWarnings } from './losses'
import type {
  Breakdown,
  CategoryId,
  ExitUsage,
  OutputChunk,
  ProcessInfo,
  ProcessPoint,
  SessionEvent,
  SessionInfo,
  SessionSnapshot,
  TickBatch,
  TreePoint
} from '../../shared/contract'
import { syscallName, syscallCategory } from '../../shared/syscalls/index'
import type { FileKind, PeerRecord, ProcessColumn, RecordLine, RecordingHeader, SlowCallRecord, SocketRecord } from '../types/recording-format'
import { HIST_BUCKETS } from '../../shared/histogram'
import { lttbIndices } from '../../shared/decimate'
import { ChangeLog } from './change-log'
import { ThreadTimes } from './thread-times'
import { DiskStore } from './disk-store'
import { digestBreakdown, type RecordingDigest } from './store-digest'
import { addCounts, toBreakdown, type Counts, type RangeSums, type SampledTotals } from './range'
import { SessionTicks, TREE_INDEX, lastKnown, nullable, seriesColumn, type SeriesReaders, type TreeField } from './session-ticks'
import { MAX_EVENTS, MAX_OBJECT_BYTES, MAX_PROCESSES, MAX_PROCESS_ROWS, MAX_ROWS_PER_TICK, MAX_TABLE_BYTES, MAX_TICKS } from '../types/limits'

const OUTPUT_KEEP_BYTES = 4 * 1024 * 1024

/**
 * What a store loaded from a file keeps at most (limits.ts): a recording can claim anything, and
 * each of these grows with the file. A live session's store is fed by the sampler and is not bounded.
 */
export interface StoreLimits {
  ticks: number
  processRows: number
  rowsPerTick: number
  processes: number
  events: number
  /** bytes of the tick tables */
  tableBytes: number
  /** estimated bytes of processes, events and per-process syscall counts */
  objectBytes: number
}

export const RECORDING_STORE_LIMITS: StoreLimits = {
  ticks: MAX_TICKS,
  processRows: MAX_PROCESS_ROWS,
  rowsPerTick: MAX_ROWS_PER_TICK,
  processes: MAX_PROCESSES,
  events: MAX_EVENTS,
  tableBytes: MAX_TABLE_BYTES,
  objectBytes: MAX_OBJECT_BYTES
}

const UNBOUNDED: StoreLimits = {
  ticks: Infinity,
  processRows: Infinity,
  rowsPerTick: Infinity,
  processes: Infinity,
  events: Infinity,
  tableBytes: Infinity,
  objectBytes: Infinity
}

/** An estimate of what an object the store keeps costs: its strings and a fixed part. */
const OBJECT_BYTES = 100
function stringBytes(...xs: unknown[]): number {
  let n = 0
  for (const x of xs) {
    if (typeof x === 'string') n += x.length + 16
    else if (Array.isArray(x)) n += stringBytes(...(x as unknown[])) + 16
  }
  return n
}

export class SessionStore {
  readonly header: RecordingHeader
  private readonly ticks = new SessionTicks()
  /** exitIo, exitCpuSeconds: its own I/O and CPU as it exited, when the helper read them */
  readonly processes = new Map<number, ProcessInfo & { uid: number | null; exitIo?: (number | null)[]; exitCpuSeconds?: number; exitUsage?: ExitUsage }>()
  /** every syscall of every process, whole session: pid → nr → counts */
  readonly perProcessSyscalls = new Map<number, Map<number, Counts>>()
  readonly events: SessionEvent[] = []
  /** files (recordings with header.detail): each file's path, and each (process, file) use and
   * failed open as last recorded (cumulative) */
  readonly fileNames = new Map<string, { parts: string[]; whole: boolean }>()
  readonly fileUses = new Map<string, { pid: number; file: string; kind: FileKind; v: number[]; firstMs: number; lastMs: number; held: boolean }>()
  readonly failedOpens = new Map<string, { pid: number; base: string | null; name: string; errno: number; count: number }>()
  /** network (recordings of version 4 on with header.detail): each (process, socket), and each
   * (process, socket, peer), as last recorded (cumulative) */
  readonly nameOps = new Map<string, { pid: number; op: string; base: string | null; name: string; count: number; errors: number; errno: number | null }>()
  readonly sockets = new Map<string, SocketRecord>()
  readonly peers = new Map<string, PeerRecord>()
  /** latency (recordings of version 5 on, timed mode): each (process, syscall)'s durations as a
   * log2 histogram with the extremes, cumulative; key "pid nr" */
  readonly latency = new Map<string, { pid: number; nr: number; min: number; max: number; hist: number[] }>()
  /** failed calls by (process, syscall, errno), cumulative; key "pid nr errno" */
  readonly errnos = new Map<string, { pid: number; nr: number; errno: number; count: number }>()
  /** the session's slowest calls, longest first (at most header.ebpf.slowest) */
  slowest: SlowCallRecord[] = []
  /** every thread's wall time (recordings with header.ebpf.threads), summed over the ticks */
  readonly threadTimes = new ThreadTimes()
  /** the changes over time of each of the above, for a time range's figures: key "f|sk|pr|fo|nm|l|x KEY" */
  readonly changes = new Map<string, ChangeLog>()
  /** block devices' requests and queues by tick (`dk` records) */
  readonly disk = new DiskStore()
  readonly output: OutputChunk[] = []
  readonly warnings: string[] = []
  ended: { t: number; exit_code: number | null; exit_signal: string | null; message: string | null } | null = null
  private outputBytes = 0
  private outputDropped = 0
  /**
   * Set when a limit was reached: which. Nothing more is kept (a loader stops reading there: the
   * store holds the recording's first part, and says so).
   */
  full: string | null = null
  /** estimated bytes of processes, events and per-process syscall counts (StoreLimits.objectBytes) */
  private objectBytes = 0

  /**
   * Set when a recording was opened from its digest: the ticks are not loaded, and the snapshot,
   * summary and range breakdowns (to one bucket) come from the digest.
   */
  digest: RecordingDigest | null = null

  constructor(
    header: RecordingHeader,
    readonly id: string,
    readonly recordingPath: string | null,
    private readonly limits: StoreLimits = UNBOUNDED
  ) {
    this.header = header
  }

  /** A reopened recording answered from its digest, without reading its ticks. */
  static fromDigest(header: RecordingHeader, digest: RecordingDigest, id: string, path: string): SessionStore {
    const s = new SessionStore(header, id, path)
    s.digest = digest
    for (const p of digest.snapshot.processInfo) s.processes.set(p.pid, { ...p, uid: null })
    s.events.push(...digest.snapshot.events)
    // what the helper read at each exit
    for (const ev of digest.snapshot.events) if (ev.kind === 'exit') s.applyEvent(ev)
    // output chunks name their session: this one now
    s.output.push(...digest.snapshot.output.map((o) => ({ ...o, sessionId: id })))
    s.warnings.push(...digest.snapshot.warnings)
    s.ended = digest.ended
    return s
  }

  /** Only the digest is loaded (see `digest`). */
  get digestOnly(): boolean {
    return this.digest !== null && this.ticks.count === 0
  }

  /** Ticks in memory: none for a recording answered from its digest. */
  get tickCount(): number {
    return this.ticks.count
  }

  /** When tick i ended, in ms since the session started. */
  tickTime(i: number): number {
    return this.ticks.time(i)
  }

  get arch(): 'x86_64' | 'aarch64' {
    return this.header.arch
  }

  /** The helper timed each call (the default); false for --counts-only, which reads no clock, so
   * its times are not known (the 0s it sends would say "no time"). Recordings before the field: timed. */
  get timed(): boolean {
    return (this.header.ebpf.timing ?? 'timed') === 'timed'
  }

  /** Feed one record line (the same lines the recording file holds). */
  ingest(line: RecordLine): void {
    if (this.full !== null) return
    const l = this.limits
    if (this.objectBytes > l.objectBytes) {
      this.full = `more than ${l.objectBytes} bytes of processes, events and syscall counts`
      return
    }
    switch (line.k) {
      case 'c':
        if (!this.ticks.knows(line.pid) && this.ticks.pidCount >= l.processes) this.full = `more than ${l.processes} processes`
        else this.addCounts(line.t, line.pid, line.sys)
        break
      case 's':
        this.addSample(line)
        break
      case 'p':
        if (!this.processes.has(line.pid) && this.processes.size >= l.processes) this.full = `more than ${l.processes} processes`
        else if (!this.processes.has(line.pid)) {
          this.objectBytes += OBJECT_BYTES + stringBytes(line.comm, line.cmdline)
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
        if (this.events.length >= l.events) {
          this.full = `more than ${l.events} events`
          break
        }
        this.events.push(line.ev)
        this.objectBytes += OBJECT_BYTES + stringBytes(...Object.values(line.ev))
        this.applyEvent(line.ev)
        break
      case 'o':
        this.keepOutput({ sessionId: this.id, stream: line.s, t_ms: line.t, text: line.d })
        break
      case 'end':
        this.ended = { t: line.t, exit_code: line.exit_code, exit_signal: line.exit_signal, message: line.message }
        break
      case 'fn':
        if (!this.fileNames.has(line.file)) {
          this.objectBytes += OBJECT_BYTES + stringBytes(line.file, line.parts)
          this.fileNames.set(line.file, { parts: line.parts, whole: line.whole })
        }
        break
      case 'f': {
        const key = `${line.pid} ${line.file}`
        const had = this.fileUses.get(key)
        if (!had) this.objectBytes += OBJECT_BYTES + stringBytes(line.file) + 8 * line.v.length
        this.fileUses.set(key, {
          pid: line.pid,
          file: line.file,
          kind: line.kind,
          v: line.v,
          firstMs: had?.firstMs ?? line.t,
          lastMs: line.t,
          held: line.held === true || had?.held === true
        })
        this.logChange(`f ${key}`, line.t, line.v)
        break
      }
      case 'nm': {
        const { k: _k, t: _t, ...op } = line
        const key = `${line.pid} ${line.op} ${line.base ?? ''} ${line.name}`
        if (!this.nameOps.has(key)) this.objectBytes += OBJECT_BYTES + stringBytes(line.name, line.base)
        this.nameOps.set(key, op)
        this.logChange(`nm ${key}`, line.t, [line.count, line.errors])
        break
      }
      case 'sk': {
        const { k: _k, t: _t, ...socket } = line
        const key = `${line.pid} ${line.file}`
        if (!this.sockets.has(key)) this.objectBytes += OBJECT_BYTES + stringBytes(line.file, line.local, line.remote)
        this.sockets.set(key, socket)
        this.logChange(`sk ${key}`, line.t, line.v)
        break
      }
      case 'pr': {
        const { k: _k, t: _t, ...peer } = line
        const key = `${line.pid} ${line.file} ${line.peer}`
        if (!this.peers.has(key)) this.objectBytes += OBJECT_BYTES + stringBytes(line.file, line.peer, line.remote)
        this.peers.set(key, peer)
        this.logChange(`pr ${key}`, line.t, line.v)
        break
      }
      case 'l':
        for (const [nr, min, max, pairs] of line.sys) this.addLatency(line.t, line.pid, nr, min, max, pairs)
        break
      case 'x':
        for (const [nr, errno, count] of line.e) {
          const key = `${line.pid} ${nr} ${errno}`
          if (!this.errnos.has(key)) this.objectBytes += OBJECT_BYTES
          this.errnos.set(key, { pid: line.pid, nr, errno, count })
          this.logChange(`x ${key}`, line.t, [count])
        }
        break
      case 'sl':
        this.addSlowest(line.calls)
        break
      case 'th':
        this.objectBytes += this.threadTimes.add(line.t, line.pid, line.th, OBJECT_BYTES)
        break
      case 'dk': {
        const { k: _k, ...tick } = line
        this.objectBytes += this.disk.add(tick)
        break
      }
      case 'fo': {
        const key = `${line.pid} ${line.base ?? ''} ${line.name}`
        if (!this.failedOpens.has(key)) this.objectBytes += OBJECT_BYTES + stringBytes(line.name, line.base)
        this.failedOpens.set(key, { pid: line.pid, base: line.base, name: line.name, errno: line.errno, count: line.count })
        this.logChange(`fo ${key}`, line.t, [line.count])
        break
      }
    }
  }

  /** Keeps one change of a cumulative record (its time and values); see ChangeLog.add. */
  private logChange(key: string, t: number, v: number[], mergeWithinMs = 0): void {
    let log = this.changes.get(key)
    if (!log) {
      this.changes.set(key, (log = new ChangeLog(v.length)))
      this.objectBytes += OBJECT_BYTES
    }
    this.objectBytes += log.add(t, v, mergeWithinMs)
  }

  /** A tick's new durations of one (process, syscall): a histogram changes nearly every tick,
   * so its changes are kept a second apart (a range's histogram is exact to a second). */
  private addLatency(t: number, pid: number, nr: number, min: number, max: number, pairs: number[]): void {
    const key = `${pid} ${nr}`
    let l = this.latency.get(key)
    if (!l) {
      this.latency.set(key, (l = { pid, nr, min, max, hist: new Array<number>(HIST_BUCKETS).fill(0) }))
      this.objectBytes += OBJECT_BYTES + 8 * HIST_BUCKETS
    }
    l.min = min
    l.max = max
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const k = pairs[i]!
      if (k >= 0 && k < HIST_BUCKETS) l.hist[k] = l.hist[k]! + pairs[i + 1]!
    }
    this.logChange(`l ${key}`, t, l.hist, 1000)
  }

  /** Calls that joined the slowest: the longest `slowest` of all kept, longest first. */
  private addSlowest(calls: SlowCallRecord[]): void {
    const n = this.header.ebpf.slowest || 100
    const all = [...this.slowest, ...calls]
    all.sort((a, b) => b.dur_ns - a.dur_ns || a.t_ms - b.t_ms)
    this.slowest = all.slice(0, n)
  }

  private addSample(line: Extract<RecordLine, { k: 's' }>): void {
    const l = this.limits
    const rows = line.p.length
    if (rows > l.rowsPerTick) this.full = `a sample of more than ${l.rowsPerTick} processes`
    else if (this.ticks.count >= l.ticks) this.full = `more than ${l.ticks} ticks`
    else if (this.ticks.rowCount + rows > l.processRows) this.full = `more than ${l.processRows} process rows`
    else if (this.ticks.pidCount + rows > l.processes && this.ticks.pidCount + this.newPids(line.p) > l.processes)
      this.full = `more than ${l.processes} processes`
    else if (this.ticks.tableBytes > l.tableBytes) this.full = `more than ${l.tableBytes} bytes of ticks`
    else this.ticks.addSample(line)
  }

  /** Pids of `rows` not seen before (counted only near the limit: it costs a lookup per row). */
  private newPids(rows: unknown[][]): number {
    const seen = new Set<number>()
    for (const row of rows) {
      const pid = typeof row[0] === 'number' ? row[0] : NaN
      if (!this.ticks.knows(pid)) seen.add(pid)
    }
    return seen.size
  }

  /** What a limit left out, as a warning (none for a store within its limits). */
  limitWarnings(): string[] {
    if (this.full === null) return []
    return [`the recording has ${this.full}, the most syscope loads of a recording: only its first ${this.ticks.count} ticks were loaded`]
  }

  private addCounts(t: number, pid: number, sys: [number, number, number, number][]): void {
    let perNr = this.perProcessSyscalls.get(pid)
    if (!perNr) this.perProcessSyscalls.set(pid, (perNr = new Map()))
    const before = perNr.size
    for (const [nr, calls, errors, ns] of sys) {
      addCounts(perNr, nr, calls, errors, ns)
      // and over time, for one process's syscalls in a range (the latency pane): kept 5 s apart
      // (1 s, as durations are, cost 12 MB more for bench:store's hour of 50 processes; 5 s, 6 MB)
      this.logChange(`n ${pid} ${nr}`, t, perNr.get(nr)!, 5000)
    }
    this.objectBytes += (perNr.size - before) * OBJECT_BYTES
    this.ticks.addCounts(pid, sys)
  }

  private applyEvent(ev: SessionEvent): void {
    const p = 'pid' in ev ? this.processes.get(ev.pid) : undefined
    if (!p) return
    if (ev.kind === 'exit') {
      p.exitedAtMs = ev.t_ms
      p.exitCode = ev.code
      p.exitSignal = ev.signal
      if (ev.io) p.exitIo = ev.io
      if (ev.cpu_seconds !== undefined) p.exitCpuSeconds = ev.cpu_seconds
      if (ev.usage) p.exitUsage = ev.usage
    } else if (ev.kind === 'exec') {
      p.comm = ev.comm
      // its command line was read as it forked, the parent's then: the exec's is its own
      if (ev.cmdline) {
        this.objectBytes += stringBytes('', ev.cmdline)
        p.cmdline = ev.cmdline
      }
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
    const n = this.ticks.count
    return Math.max(n > 0 ? this.ticks.time(n - 1) : 0, this.ended?.t ?? 0)
  }

  info(state: 'running' | 'ended', kind?: SessionInfo['kind']): SessionInfo {
    const h = this.header
    return {
      id: this.id,
      kind: kind ?? h.kind,
      recordedKind: h.kind,
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
    const ticks = this.ticks
    if (!(i >= 0 && i < ticks.count)) throw new RangeError(`no tick ${i}`)
    const t = ticks.time(i)
    const prevT = i > 0 ? ticks.time(i - 1) : Math.max(0, t - this.header.interval_ms)
    const seconds = Math.max(1e-3, (t - prevT) / 1000)
    const byCat: Partial<Record<CategoryId, number>> = {}
    let errors = 0
    ticks.forEachSyscall(i, (nr, calls, errs) => {
      const cat = syscallCategory(syscallName(this.arch, nr))
      byCat[cat] = (byCat[cat] ?? 0) + calls / seconds
      errors += errs
    })
    for (const c of Object.keys(byCat) as CategoryId[]) byCat[c] = rate(byCat[c]!)
    const figures = ticks.treeFigures(i)
    const v = (f: TreeField): number | null => nullable(figures.values[TREE_INDEX[f]]!)
    return {
      t_ms: t,
      cpu_pct: pct(v('cpu_pct')),
      rss_bytes: v('rss_bytes'),
      pss_bytes: v('pss_bytes'),
      read_bytes_per_s: rate(v('read_bytes_per_s')),
      write_bytes_per_s: rate(v('write_bytes_per_s')),
      threads: v('threads'),
      fds: v('fds'),
      processes: v('processes') as number,
      syscalls_per_s: byCat,
      errors_per_s: rate(errors / seconds),
      syscall_gap: figures.gap
    }
  }

  processPoints(i: number): ProcessPoint[] {
    return i >= 0 && i < this.ticks.count ? this.ticks.processPoints(i, null) : []
  }

  /** Ticks from index `from` on, as the live view receives them. */
  tickBatch(from: number): TickBatch {
    const tree: TreePoint[] = []
    const processes: TickBatch['processes'] = []
    // one set of readers for every tick: each block of a process's rows is decoded once
    const readers: SeriesReaders = new Map()
    for (let i = Math.max(0, from); i < this.ticks.count; i++) {
      tree.push(this.treePoint(i))
      processes.push({ t_ms: this.ticks.time(i), points: this.ticks.processPoints(i, readers) })
    }
    return { sessionId: this.id, tree, processes }
  }

  snapshot(state: 'running' | 'ended', maxPoints: number, kind?: SessionInfo['kind']): SessionSnapshot {
    if (this.digestOnly) {
      const d = this.digest!.snapshot
      const keep = lttbIndices(
        d.tree.map((p) => p.t_ms),
        d.tree.map((p) => p.cpu_pct),
        maxPoints
      )
      return { ...d, output: this.output, tree: keep.length === d.tree.length ? d.tree : keep.map((i) => d.tree[i]!), info: this.info(state, kind) }
    }
    const times = this.ticks.timeView()
    const keep = lttbIndices(times, zeroForUnavailable(this.ticks.treeColumn('cpu_pct')), maxPoints)
    const tree = keep.map((i) => this.treePoint(i))
    // per-process lines are secondary to the tree's: fewer points, and only what they draw
    const perProcess = Math.min(maxPoints, 500)
    const processes: SessionSnapshot['processes'] = []
    for (const series of this.ticks.series) {
      // rows without a pid belong to no process's line
      if (series.pid !== series.pid) continue
      const ticks = series.ticks()
      const t = ticks.map((tick) => times[tick]!)
      const user = series.column(seriesColumn('cpu_user_pct'))
      const system = series.column(seriesColumn('cpu_system_pct'))
      const rss = series.column(seriesColumn('rss_bytes'))
      const drawn = new Float64Array(series.length)
      for (let k = 0; k < drawn.length; k++) drawn[k] = (user[k]! === user[k]! ? user[k]! : 0) + (system[k]! === system[k]! ? system[k]! : 0)
      const idx = lttbIndices(t, drawn, perProcess)
      processes.push({
        pid: series.pid,
        comm: this.processes.get(series.pid)?.comm ?? String(series.pid),
        t_ms: idx.map((k) => t[k]!),
        // as the live view adds them: unavailable only when both are
        cpu_pct: idx.map((k) => (user[k]! !== user[k]! && system[k]! !== system[k]! ? null : pct(drawn[k]!))),
        rss_bytes: idx.map((k) => nullable(rss[k]!))
      })
    }
    const warnings = [...this.warnings, ...lossWarnings(this)]
    // (the command's output itself went where its stdout and stderr go, whole)
    if (this.outputDropped > 0)
      warnings.push(
        `${this.outputDropped} bytes of program output are in the recording but past the first ${OUTPUT_KEEP_BYTES >> 20} MiB the output view holds`
      )
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

  /** Whether syscalls were missing at tick i (the helper was gone). */
  syscallGapAt(i: number): boolean {
    return this.ticks.treeFigures(i).gap
  }

  /** One figure of the tree at every tick (NaN: unavailable). */
  treeColumn(field: TreeField): Float64Array {
    return this.ticks.treeColumn(field)
  }

  /** The pids that have process rows, in the order of their first row. */
  processPids(): number[] {
    return this.ticks.series.filter((s) => s.pid === s.pid).map((s) => s.pid)
  }

  /** One figure of a process at each of its rows, oldest first (NaN: unavailable). */
  processColumn(pid: number, column: ProcessColumn): Float64Array {
    return this.ticks.seriesOf(pid)?.column(seriesColumn(column)) ?? new Float64Array(0)
  }

  /** Indices [lo, hi) of the ticks whose time lies in [fromMs, toMs] (ticks are in time order). */
  private tickRange(fromMs: number, toMs: number): [number, number] {
    return [this.firstTickAtOrAfter(fromMs, false), this.firstTickAtOrAfter(toMs, true)]
  }

  /** The first tick with t >= ms (or t > ms when `after`). */
  private firstTickAtOrAfter(ms: number, after: boolean): number {
    let lo = 0
    let hi = this.ticks.count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const t = this.ticks.time(mid)
      if (t < ms || (after && t === ms)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  breakdown(fromMs: number, toMs: number): Breakdown {
    if (this.digestOnly) return digestBreakdown(this.digest!, this.id, this.arch, this.processes, fromMs, toMs)
    const [lo, hi] = this.tickRange(fromMs, toMs)
    const firstT = lo > 0 ? this.ticks.time(lo - 1) : 0
    const lastT = hi > lo ? this.ticks.time(hi - 1) : firstT
    // a process that exited in the range: what its exit's figures add after its last sample
    const lastSampled = (pid: number): SampledTotals => ({
      cpu_seconds: lastKnown(this.processColumn(pid, 'cpu_seconds')),
      rchar: lastKnown(this.processColumn(pid, 'rchar_bytes')),
      wchar: lastKnown(this.processColumn(pid, 'wchar_bytes'))
    })
    return toBreakdown(this.id, this.arch, this.processes, this.ticks.sums(lo, hi), firstT, lastT, lastSampled)
  }

  /** Sums of ticks [lo, hi), for a recording's digest. */
  sumTicks(lo: number, hi: number): RangeSums {
    return this.ticks.sums(lo, hi)
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

/** LTTB counts an unavailable value as 0. */
function zeroForUnavailable(v: Float64Array): Float64Array {
  for (let i = 0; i < v.length; i++) if (v[i]! !== v[i]!) v[i] = 0
  return v
}
