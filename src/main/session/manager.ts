// All sessions of one app (or CLI) instance: live ones and reopened recordings, the recordings
// folder, and the events the UI subscribes to.
import { EventEmitter } from 'node:events'
import { closeSync, existsSync, mkdirSync, readdirSync, readSync, rmSync, statSync } from 'node:fs'
import { createNewFile, writeAll } from '../recording/writer'
import { basename, join } from 'node:path'
import { inflateRawSync, constants } from 'node:zlib'
import { randomBytes } from 'node:crypto'
import {
  type DetailRows,
  type LatencyRows,
  type WallTimeRows,
  type DiskRows,
  Events,
  type AttachRequest,
  type Comparison,
  type ComparisonSide,
  type LaunchRequest,
  type RecordingEntry,
  type SessionInfo,
  type SessionSnapshot,
  type Breakdown,
  type ExportFormat,
  type EbpfStatus
} from '../../shared/contract'
import { ApiError } from '../errors'
import { buildSummary, buildTimelineCsv } from '../analysis/summary'
import { buildFiles } from '../analysis/files'
import { buildNetwork } from '../analysis/network'
import { compareFiles, comparePeers } from '../analysis/compare-detail'
import { detailRates } from '../analysis/detail-rates'
import { latencyRows } from '../analysis/latency'
import { wallTimeRows } from '../analysis/threads'
import { diskRows } from '../analysis/disk'
import type { Summary } from '../types/summary'
import { RECORDING_EXTENSION, type RecordingHeader } from '../types/recording-format'
import { readDigest, readDigestLocator } from '../recording/digest'
import { openRecording, parseHeader, RecordingError } from '../recording/reader'
import { openRegularFileSync } from '../recording/open-file'
import { RECORDING_STORE_LIMITS, SessionStore } from '../store/store'
import { LiveSession, type LaunchOptions } from './live'
import { connectHelper, type EbpfOptions } from './ebpf'

export interface ManagerOptions {
  /** recordings go to `${dataDir}/recordings` */
  dataDir: string
  ebpf?: EbpfOptions
  defaultIntervalMs?: number
  /** stop(): SIGTERM, then SIGKILL after this long (default 3 s) */
  stopGraceMs?: number
}

type Entry = { live: LiveSession; store: SessionStore } | { live: null; store: SessionStore }

export class SessionManager {
  readonly events = new EventEmitter()
  private sessions = new Map<string, Entry>()
  private sentTicks = new Map<string, number>()
  readonly recordingsDir: string

  constructor(private opts: ManagerOptions) {
    this.recordingsDir = join(opts.dataDir, 'recordings')
    this.events.setMaxListeners(50)
  }

  private newId(): string {
    return randomBytes(6).toString('hex')
  }

  private recordingPath(title: string): string {
    mkdirSync(this.recordingsDir, { recursive: true, mode: 0o700 })
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')
    const slug = title.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 40) || 'session'
    // sessions started in the same second under the same name are told apart by the random part:
    // 32 bits, and never one a file here already has (with 16 bits, a fresh-check run that made
    // three short sessions in one second was refused: "already exists"). The file is still
    // created exclusively, so a name taken meanwhile is refused, never overwritten.
    for (;;) {
      const path = join(this.recordingsDir, `${stamp}-${slug}-${randomBytes(4).toString('hex')}${RECORDING_EXTENSION}`)
      if (!existsSync(path)) return path
    }
  }

  /** The helper a launch or attach asks for (its options, over this manager's). */
  private connect(req: LaunchRequest | AttachRequest): ReturnType<typeof connectHelper> {
    const { asRoot, detail, countsOnly, slowest } = req
    return connectHelper(req.ebpf !== false, { ...this.opts.ebpf, asRoot, detail, countsOnly, slowest })
  }

  /**
   * `local`, for the command line: `stdin: 'inherit'` gives the command this process's stdin (the
   * terminal); `onOutput` sees its output from the first byte (before this returns).
   */
  async launch(req: LaunchRequest, recordingPath?: string, local: Pick<LaunchOptions, 'stdin' | 'onOutput' | 'onError'> = {}): Promise<LiveSession> {
    const { helper, status } = await this.connect(req)
    const id = this.newId()
    const name = basename(req.argv[0] ?? 'command')
    try {
      const live = await LiveSession.launch({
        id,
        argv: req.argv,
        cwd: req.cwd,
        env: req.env,
        stdin: local.stdin,
        onOutput: local.onOutput,
        onError: local.onError,
        intervalMs: req.intervalMs ?? this.opts.defaultIntervalMs ?? 100,
        recordingPath: recordingPath ?? this.recordingPath(name),
        helper,
        ebpf: status,
        stopGraceMs: this.opts.stopGraceMs
      })
      this.adopt(live)
      return live
    } catch (e) {
      await helper?.release()
      throw e
    }
  }

  async attach(req: AttachRequest, recordingPath?: string): Promise<LiveSession> {
    const { helper, status } = await this.connect(req)
    const id = this.newId()
    try {
      const live = await LiveSession.attach({
        id,
        pid: req.pid,
        intervalMs: req.intervalMs ?? this.opts.defaultIntervalMs ?? 100,
        recordingPath: recordingPath ?? this.recordingPath(`pid${req.pid}`),
        helper,
        ebpf: status
      })
      this.adopt(live)
      return live
    } catch (e) {
      await helper?.release()
      throw e
    }
  }

  private adopt(live: LiveSession): void {
    const id = live.store.id
    this.sessions.set(id, { live, store: live.store })
    this.sentTicks.set(id, 0)
    live.on('tick', () => {
      const from = this.sentTicks.get(id) ?? 0
      this.sentTicks.set(id, live.store.tickCount)
      this.events.emit(Events.sessionTicks, live.store.tickBatch(from))
    })
    live.on('event', (event) => this.events.emit(Events.sessionEvent, { sessionId: id, event }))
    live.on('output', (o: { stream: 'stdout' | 'stderr'; t_ms: number; text: string }) => this.events.emit(Events.sessionOutput, { sessionId: id, ...o }))
    live.on('ended', (r: { exitCode: number | null; exitSignal: string | null; message: string | null }) =>
      this.events.emit(Events.sessionEnded, { sessionId: id, ...r })
    )
  }

  private entry(id: string): Entry {
    const e = this.sessions.get(id)
    if (!e) throw new ApiError('ENOENT', `no session "${id}": it was closed, or the id is wrong`)
    return e
  }

  info(id: string): SessionInfo {
    const e = this.entry(id)
    return e.live ? e.store.info(e.live.state) : e.store.info('ended', 'recording')
  }

  list(): SessionInfo[] {
    return [...this.sessions.keys()].map((id) => this.info(id))
  }

  async stop(id: string): Promise<void> {
    const e = this.entry(id)
    if (!e.live) throw new ApiError('EINVAL', 'a reopened recording cannot be stopped')
    await e.live.stop()
  }

  async detach(id: string): Promise<void> {
    const e = this.entry(id)
    if (!e.live) throw new ApiError('EINVAL', 'a reopened recording cannot be detached')
    await e.live.detach()
  }

  snapshot(id: string, maxPoints: number): SessionSnapshot {
    const e = this.entry(id)
    return e.live ? e.store.snapshot(e.live.state, maxPoints) : e.store.snapshot('ended', maxPoints, 'recording')
  }

  breakdown(id: string, fromMs: number, toMs: number): Breakdown {
    return this.entry(id).store.breakdown(fromMs, toMs)
  }

  /** The files and sockets of [fromMs, toMs]; a recording opened from its digest loads its records first. */
  async detail(id: string, fromMs: number, toMs: number, pid: number | null = null): Promise<DetailRows> {
    const e = this.entry(id)
    // the digest keeps only the whole run's rows: a range needs each record's changes
    if (e.store.digestOnly && e.store.header.detail === true && e.store.recordingPath) e.store = await loadStore(e.store.recordingPath, id)
    const range = { fromMs, toMs }
    return {
      sessionId: id,
      from_ms: fromMs,
      to_ms: toMs,
      files: buildFiles(e.store, range),
      network: buildNetwork(e.store, range),
      rates: detailRates(e.store, range, pid)
    }
  }

  /** Each syscall's durations and errnos in [fromMs, toMs] (of one process: pid), and the
   * slowest calls in it. */
  async latency(id: string, fromMs: number, toMs: number, pid: number | null = null): Promise<LatencyRows> {
    return latencyRows(await this.rangeStore(id), { fromMs, toMs }, pid)
  }

  /** A session's store with every record's changes: a recording opened from its digest (which
   * keeps only the whole run's figures) loads its records first. */
  private async rangeStore(id: string): Promise<SessionStore> {
    const e = this.entry(id)
    if (e.store.digestOnly && e.store.recordingPath) e.store = await loadStore(e.store.recordingPath, id)
    return e.store
  }

  /** Every thread's wall time in [fromMs, toMs], and the top threads' lanes (as latency()). */
  async wallTime(id: string, fromMs: number, toMs: number): Promise<WallTimeRows> {
    return wallTimeRows(await this.rangeStore(id), { fromMs, toMs })
  }

  /** Each block device's requests in [fromMs, toMs] (as latency()). */
  async disk(id: string, fromMs: number, toMs: number): Promise<DiskRows> {
    return diskRows(await this.rangeStore(id), { fromMs, toMs })
  }

  async open(path: string): Promise<SessionInfo> {
    const store = await openStore(path, this.newId())
    this.sessions.set(store.id, { live: null, store })
    return store.info('ended', 'recording')
  }

  async exportSession(id: string, format: ExportFormat): Promise<{ path: string }> {
    const e = this.entry(id)
    const base = e.store.recordingPath ?? join(this.recordingsDir, `session-${id}${RECORDING_EXTENSION}`)
    const path = base.replace(/\.syscope$/, '') + (format === 'json' ? '.summary.json' : '.timeline.csv')
    const state = e.live ? e.live.state : 'ended'
    // the CSV has every tick: a recording opened from its digest loads them now
    if (format === 'csv' && e.store.digestOnly && e.store.recordingPath) e.store = await loadStore(e.store.recordingPath, id)
    const text = format === 'json' ? JSON.stringify(buildSummary(e.store, state), null, 2) + '\n' : buildTimelineCsv(e.store)
    // a shared directory may hold a file or symlink planted under this name: never write through it
    let fd: number
    try {
      fd = createNewFile(path, 'export')
    } catch (err) {
      const e = err as Error & { code?: string }
      throw new ApiError(e.code ?? 'EIO', e.message)
    }
    try {
      writeAll(fd, Buffer.from(text))
    } catch (err) {
      closeSync(fd)
      rmSync(path, { force: true })
      throw new ApiError((err as NodeJS.ErrnoException).code ?? 'EIO', `cannot write the export ${path}: ${(err as Error).message}`)
    }
    closeSync(fd)
    return { path }
  }

  async compare(pathA: string, pathB: string): Promise<Comparison> {
    const a = await openStore(pathA, 'a')
    const b = await openStore(pathB, 'b')
    const ba = a.breakdown(0, Number.MAX_SAFE_INTEGER)
    const bb = b.breakdown(0, Number.MAX_SAFE_INTEGER)
    const names = new Map<string, { category: Breakdown['syscalls'][number]['category']; a: number; b: number }>()
    for (const s of ba.syscalls) names.set(s.name, { category: s.category, a: s.calls, b: 0 })
    for (const s of bb.syscalls) {
      const v = names.get(s.name) ?? { category: s.category, a: 0, b: 0 }
      v.b = s.calls
      names.set(s.name, v)
    }
    const sa = buildSummary(a, 'ended')
    const sb = buildSummary(b, 'ended')
    const [timesA, timesB] = [sa, sb].map((s) => new Map(s.ebpf.syscalls?.per_syscall.map((r) => [r.name, r]) ?? []))
    return {
      a: side(pathA, a, ba, sa),
      b: side(pathB, b, bb, sb),
      files: compareFiles(sa.files, sb.files),
      peers: comparePeers(sa.network_peers, sb.network_peers),
      syscalls: [...names.entries()]
        .map(([name, v]) => ({
          name,
          category: v.category,
          a_calls: v.a,
          b_calls: v.b,
          delta: v.b - v.a,
          ratio: v.a ? v.b / v.a : null,
          // a side without the syscall spent no time in it, if it timed calls at all
          a_time_ns: timesA!.get(name)?.time_ns ?? (sa.ebpf.mode === 'timed' ? 0 : null),
          b_time_ns: timesB!.get(name)?.time_ns ?? (sb.ebpf.mode === 'timed' ? 0 : null),
          a_p99_ns: timesA!.get(name)?.p99_ns ?? null,
          b_p99_ns: timesB!.get(name)?.p99_ns ?? null
        }))
        .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || x.name.localeCompare(y.name))
    }
  }

  listRecordings(): RecordingEntry[] {
    let files: string[]
    try {
      files = readdirSync(this.recordingsDir).filter((f) => f.endsWith(RECORDING_EXTENSION))
    } catch {
      return []
    }
    const out: RecordingEntry[] = []
    for (const f of files) {
      const path = join(this.recordingsDir, f)
      const live = [...this.sessions.values()].find((e) => e.store.recordingPath === path)
      const header = live ? live.store.header : readHeader(path)
      if (!header) continue
      out.push({
        path,
        title: header.title,
        startedAtMs: header.created_ms,
        durationMs: live ? live.store.durationMs() : (readDigestLocator(path)?.duration_ms ?? 0),
        sizeBytes: statSync(path).size
      })
    }
    return out.sort((x, y) => y.startedAtMs - x.startedAtMs)
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.sessions.values()].flatMap((e) => (e.live ? [e.live.stop()] : [])))
  }
}

function side(path: string, store: SessionStore, b: Breakdown, s: Summary): ComparisonSide {
  return {
    path,
    title: store.header.title,
    durationMs: store.durationMs(),
    total_calls: b.total_calls,
    by_category: b.by_category.map((c) => ({ category: c.category, calls: c.calls, share: b.total_calls ? c.calls / b.total_calls : 0 })),
    cpu_pct_peak: s.proc.tree.peak_cpu_pct,
    cpu_pct_mean: s.proc.tree.mean_cpu_pct,
    rss_peak_bytes: s.proc.tree.peak_rss_bytes,
    cpu_seconds: s.proc.tree.cpu_seconds,
    usage: s.proc.tree.usage,
    syscalls_counted: s.ebpf.available,
    processes: s.proc.processes.length,
    peak_processes: s.proc.tree.peak_processes,
    wall: s.proc.tree.time ?? null,
    syscalls_timed: s.ebpf.available && s.ebpf.mode === 'timed'
  }
}

/** A recording, from its digest when it has one (at once), else tick by tick. */
export async function openStore(path: string, id: string): Promise<SessionStore> {
  const read = readDigest(path)
  let problem = read.problem
  if (read.digest) {
    const header = readHeader(path)
    if (header) {
      const store = SessionStore.fromDigest(header, read.digest, id, path)
      problem = digestFailure(store)
      if (problem === null) {
        if (read.ticksDamaged) {
          store.warnings.push(
            `the recording's ticks are damaged (they do not match the checksum written with its digest): what is shown comes from its digest, which is intact, but exporting its ticks will fail`
          )
        }
        return store
      }
    }
  }
  const store = await loadStore(path, id)
  if (problem) store.warnings.push(`${problem}: its ticks were loaded instead`)
  return store
}

/**
 * Whether a store opened from its digest answers what is asked of it: the digest's shape is
 * checked when it is read, and this catches what a shape check can miss, before any view asks.
 */
function digestFailure(store: SessionStore): string | null {
  try {
    store.snapshot('ended', 2000, 'recording')
    const d = store.durationMs()
    store.breakdown(0, Number.MAX_SAFE_INTEGER)
    store.breakdown(d / 3, (2 * d) / 3)
    buildSummary(store, 'ended')
    return null
  } catch (e) {
    return `its digest is damaged (${(e as Error).message})`
  }
}

/** A recording with every tick (a live-equivalent store), fed record by record as they are read. */
export async function loadStore(path: string, id: string): Promise<SessionStore> {
  try {
    const rec = await openRecording(path)
    const store = new SessionStore(rec.header, id, path, RECORDING_STORE_LIMITS)
    for await (const line of rec.lines) {
      store.ingest(line)
      // leaving the loop closes the file
      if (store.full !== null) break
    }
    store.warnings.push(...rec.warnings, ...store.limitWarnings())
    return store
  } catch (e) {
    // damage deep in the file is found while the store is being fed: it is thrown away then
    if (e instanceof RecordingError) throw new ApiError(e.code, e.message)
    throw e
  }
}

/** The header line only, from the first few KiB of the file; null when it is not a readable recording. */
function readHeader(path: string): RecordingHeader | null {
  try {
    const { fd } = openRegularFileSync(path)
    const buf = Buffer.alloc(HEADER_READ_BYTES)
    let n: number
    try {
      n = readSync(fd, buf, 0, buf.length, 0)
    } finally {
      closeSync(fd)
    }
    if (n < 18 || buf[0] !== 0x1f || buf[1] !== 0x8b) return null
    // skip the 10-byte gzip header (syscope writes no optional fields). The least that holds the
    // header line: damage further on (found when the ticks are read) must not hide the file.
    // 16 KiB inflate to at most ~16.5 MiB.
    for (let end = 1024; ; end *= 4) {
      let text: Buffer | null = null
      try {
        text = inflateRawSync(buf.subarray(10, Math.min(end, n)), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 32 * 1024 * 1024 })
      } catch {
        // damaged within these bytes: the header may still be whole in fewer... or not at all
      }
      const nl = text ? text.indexOf(0x0a) : -1
      if (text && nl >= 0) return parseHeader(text.subarray(0, nl).toString('utf8'), path)
      if (end >= n) return null
    }
  } catch {
    return null
  }
}

const HEADER_READ_BYTES = 16384

export type { EbpfStatus }
