// One live session: a launched command or an attached process tree, sampled from /proc every
// interval, with syscall counts from the helper when it runs. Every tick goes to the recording
// file first and then to the in-memory store, so what the user sees is what was saved.
import { EventEmitter } from 'node:events'
import { StringDecoder } from 'node:string_decoder'
import type { EbpfStatus, Loss, SessionEvent } from '../../shared/contract'
import { appendDigest } from '../recording/digest'
import { buildDigest } from './digest'
import { PROCESS_COLUMNS, RECORDING_FORMAT, RECORDING_VERSION, type RecordLine, type RecordingHeader } from '../types/recording-format'
import { RecordingWriter, type WriteFailure } from '../recording/writer'
import { SessionStore } from '../store/store'
import { lossLevel, lossNotice } from '../store/losses'
import type { HelperConnection } from './ebpf'
import type {
  ErrnosMessage,
  ExecMessage,
  ForkMessage,
  ExitMessage,
  FileMessage,
  LatencyMessage,
  ThreadsMessage,
  FileNameMessage,
  NameOpMessage,
  OpenFailedMessage,
  PeerMessage,
  ProcessFigures,
  SlowMessage,
  DiskMessage,
  SocketMessage
} from '../helper/protocol'
import { FileUse } from '../helper/file-use'
import { NetUse } from '../helper/net-use'
import { LatencyUse } from '../helper/latency-use'
import { ThreadsUse } from '../helper/threads-use'
import { threadStates, type ThreadState } from '../proc/thread-states'
import { DiskUse } from '../helper/disk-use'
import { openFiles } from '../proc/open-files'
import { heldSockets } from '../proc/open-sockets'
import { exitUsage } from '../helper/exit-usage'
import { createSampler, type Sampler } from '../proc/sampler'
import type { ProcessSample } from '../types/samples'
import { launchCommand, type CommandStdin, type LaunchedCommand } from './launch-command'
import { hostArch, kernelRelease } from '../system'

export interface LiveSessionOptions {
  id: string
  recordingPath: string
  intervalMs: number
  helper: HelperConnection | null
  ebpf: EbpfStatus
  /** how long stop() waits after SIGTERM before SIGKILL */
  stopGraceMs?: number
  /**
   * What becomes of a launched command when its recording cannot be written, and when syscope
   * itself dies: 'kill' (the default) ends it; 'detach' leaves it running on its own.
   */
  onError?: OnError
}

export type OnError = 'kill' | 'detach'

/** A recording that could not be written: why, and how much of the session the file keeps. */
export interface RecordingFailure {
  path: string
  code: string
  reason: string
  /** the session's time (ms) up to which the file holds every tick */
  keptMs: number
  onError: OnError
}

export interface LaunchOptions extends LiveSessionOptions {
  argv: string[]
  cwd?: string
  env?: Record<string, string>
  stdin?: CommandStdin
  /** its output as it comes, from the first byte: `data` as read, `text` decoded */
  onOutput?: (o: { stream: 'stdout' | 'stderr'; data: Buffer; text: string }) => void
}

export interface AttachOptions extends LiveSessionOptions {
  pid: number
}

/**
 * Events: 'tick' (store index), 'event' (SessionEvent), 'output' ({stream, t_ms, text}),
 * 'ended' ({exitCode, exitSignal, message}), 'recording-failed' (RecordingFailure).
 */
export class LiveSession extends EventEmitter {
  readonly store: SessionStore
  state: 'running' | 'ended' = 'running'
  private writer: RecordingWriter
  private sampler: Sampler
  private timer: NodeJS.Timeout | null = null
  /** what starts a tick: the helper's ticks, or (without it, or once it stopped) a timer of ours */
  private clock: 'helper' | 'own' = 'helper'
  /** the session's first moment (performance.now()) */
  private readonly t0: number
  private helper: HelperConnection | null
  private pendingCounts = new Map<number, Map<number, [number, number, number]>>()
  private known = new Set<number>()
  private exited = new Set<number>()
  /** called once the helper has told all it will of a process (its exit, or that it left) */
  private toldAll = new Map<number, () => void>()
  private gap = false
  private child: LaunchedCommand | null = null
  private endPromise: Promise<void> | null = null
  private endRequested: { exitCode: number | null; exitSignal: string | null; message: string | null } | null = null
  private ticking = false

  private constructor(
    readonly kind: 'launch' | 'attach',
    readonly rootPid: number,
    header: RecordingHeader,
    private opts: LiveSessionOptions,
    /** the recording's file, created before the session started anything (RecordingWriter.reserve) */
    fd: number,
    /** its first moment, if before now: an attach's, when the helper began to track the process */
    t0 = performance.now()
  ) {
    super()
    this.t0 = t0
    this.t0Ns = Number(process.hrtime.bigint()) - (performance.now() - t0) * 1e6
    this.helper = opts.helper
    this.writer = new RecordingWriter(opts.recordingPath, header, fd)
    this.store = new SessionStore(header, opts.id, opts.recordingPath)
    this.writer.onFail((f) => this.recordingFailed(f))
    this.sampler = createSampler({ intervalMs: opts.intervalMs })
    if (!opts.ebpf.ready) this.gap = true
    const refused = opts.helper?.client.hello.detail_error
    if (refused)
      this.store.warnings.push(`files and the network are not watched: this kernel refused their programs (${refused}); syscalls are counted without them`)
  }

  static header(
    kind: 'launch' | 'attach',
    title: string,
    argv: string[] | null,
    cwd: string | null,
    rootPid: number,
    opts: LiveSessionOptions
  ): RecordingHeader {
    return {
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      created_ms: Date.now(),
      title,
      kind,
      argv,
      cwd,
      root_pid: rootPid,
      interval_ms: opts.intervalMs,
      arch: hostArch(),
      kernel: kernelRelease(),
      ebpf: opts.ebpf,
      process_columns: [...PROCESS_COLUMNS],
      detail: opts.helper?.client.hello.detail === true
    }
  }

  /**
   * Start a command so that the helper counts it from its exec, with all its descendants. Helper
   * events that arrive before this session subscribes are buffered by the HelperConnection, and
   * its output from the first byte is kept by launchCommand until this session takes it.
   */
  static async launch(opts: LaunchOptions): Promise<LiveSession> {
    // a recording that cannot be written stops the session before the command runs
    const fd = RecordingWriter.reserve(opts.recordingPath)
    let cmd: LaunchedCommand
    try {
      cmd = await launchCommand(
        { argv: opts.argv, cwd: opts.cwd, env: opts.env, stdin: opts.stdin, diesWithUs: (opts.onError ?? 'kill') === 'kill' },
        opts.helper
      )
    } catch (e) {
      RecordingWriter.abandon(fd, opts.recordingPath)
      throw e
    }
    const title = opts.argv.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')
    const s = new LiveSession('launch', cmd.pid, LiveSession.header('launch', title, opts.argv, opts.cwd ?? process.cwd(), cmd.pid, opts), opts, fd)
    s.child = cmd
    s.wireHelper()
    // forked before the sampler began, but all of it is the session's
    s.addProcess(cmd.pid, cmd.ppid, s.helper !== null, undefined, true)
    // a character split between two reads is decoded whole, in the later one
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') }
    cmd.onOutput((stream, d) => {
      const text = decoders[stream].write(d)
      opts.onOutput?.({ stream, data: d, text })
      s.output(stream, text)
    })
    void cmd.exited.then(({ code, signal }) => {
      // let one more tick collect the final counts the helper sends at exit. Those come before
      // its exit message, and may be many (the final figures of each file it used, with
      // --detail: tens of MB): end once the helper has said so, or it is gone (10 s at most)
      const end = (): void => s.requestEnd({ exitCode: code, exitSignal: signal, message: null })
      if (!s.helper || s.exited.has(cmd.pid)) return end()
      const guard = setTimeout(end, 10_000)
      s.toldAll.set(cmd.pid, () => {
        clearTimeout(guard)
        end()
      })
    })
    s.start()
    return s
  }

  /** Attach to a running process and the descendants it has and will have. */
  static async attach(opts: AttachOptions): Promise<LiveSession> {
    const { readProcessIdentity } = await import('./identity')
    const ident = await readProcessIdentity(opts.pid)
    const title = `${ident.comm} (pid ${opts.pid})`
    const fd = RecordingWriter.reserve(opts.recordingPath)
    // the session starts as the helper starts tracking: its threads are accounted from then
    const t0 = performance.now()
    try {
      if (opts.helper) await opts.helper.track(opts.pid, true)
    } catch (e) {
      RecordingWriter.abandon(fd, opts.recordingPath)
      throw e
    }
    const s = new LiveSession('attach', opts.pid, LiveSession.header('attach', title, ident.cmdline, null, opts.pid, opts), opts, fd, t0)
    s.wireHelper()
    s.addProcess(opts.pid, ident.ppid, s.helper !== null)
    if (s.helper) s.noteAttached(opts.pid, 0)
    // children that exist already: the helper's fork tracking only sees new ones
    for (const child of await s.sampler.discoverChildren()) {
      let traced = false
      if (s.helper) {
        try {
          const at = s.now() * 1e6
          await s.helper.track(child.pid, true)
          s.noteAttached(child.pid, at)
          traced = true
        } catch (e) {
          s.notice('warning', `pid ${child.pid}: ${(e as Error).message}`)
        }
      }
      s.addProcess(child.pid, child.ppid, traced)
    }
    // what they hold open already: the files monitor meets a file only when a call uses it
    if (s.helper && s.store.header.detail === true) {
      for (const pid of s.known) {
        const files = await openFiles(pid)
        for (const f of files) s.fileUse.held(pid, f.file, f.kind, f.parts)
        // and what its sockets are: both ends, a listener, TCP's state
        const sockets = files.filter((f) => f.kind === 'socket').map((f) => f.file)
        for (const [file, sock] of await heldSockets(pid, sockets)) s.netUse.held(pid, file, sock)
      }
    }
    s.start()
    return s
  }

  /** how many process reads the sampler made, and left out for processes that did not run */
  get samplerReads(): { read: number; skipped: number } {
    return { ...this.sampler.reads }
  }

  /**
   * With the helper, its tick starts ours: the process wakes once per tick, not once for the
   * helper's counts and again for sampling, and the counts and run reports of the helper's tick
   * are in before the sample. Its period is set to ours. Should its ticks stop without it closing,
   * our own clock takes over after three periods; without the helper, it ticks from the start.
   */
  private start(): void {
    const h = this.helper
    if (!h) return this.ownClock()
    void h.setInterval(this.opts.intervalMs).catch(() => undefined)
    h.on('tick', () => {
      if (this.clock === 'own') return
      this.timer?.refresh()
      void this.tick()
    })
    this.timer = setTimeout(() => this.ownClock(), 3 * this.opts.intervalMs)
  }

  private ownClock(): void {
    if (this.clock === 'own' || this.state === 'ended') return
    if (this.timer) clearTimeout(this.timer)
    this.clock = 'own'
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs)
  }

  /** files and network: what the helper said since the last tick (--detail) */
  private fileUse = new FileUse()
  private netUse = new NetUse((tNs) => this.msOfKernel(tNs))
  /** latency, errnos and the slowest calls since the last tick */
  private latencyUse = new LatencyUse((tNs) => this.msOfKernel(tNs))
  /** every thread's wall time since the last tick */
  private threadsUse = new ThreadsUse((tNs) => Math.round(tNs - this.t0Ns))
  /** block devices' requests and queues since the last tick */
  private diskUse = new DiskUse()

  /** processes attached to: when the helper began to track each (session ns), and their threads
   * then (the ones the kernel side never sees are accounted from these at the end) */
  private attached = new Map<number, { atNs: number; threads: Map<number, ThreadState> }>()

  /** the kernel side ran out of thread records: a thread it did not tell of may have had events */
  private threadRecordsLost = false

  private noteAttached(pid: number, atNs: number): void {
    if (this.helper?.status.threads) this.attached.set(pid, { atNs, threads: threadStates(pid) })
  }

  /** launched processes: what they used before counting started at their exec (exitUsage) */
  private before = new Map<number, ProcessFigures>()

  private now(): number {
    return Math.round(performance.now() - this.t0)
  }

  /** t0 on the kernel's monotonic clock, which Node's hrtime reads on Linux (the helper's t_ns) */
  private readonly t0Ns: number

  /** a time the kernel gave (monotonic ns) as the session's ms; what a launched command did
   * before the session's first moment (it starts as the session is set up) is at 0 */
  private msOfKernel(tNs: number): number {
    return Math.max(0, Math.round((tNs - this.t0Ns) / 1e6))
  }

  private wireHelper(): void {
    const h = this.helper
    if (!h) return
    h.on('counts', (m: { pid: number; sys: [number, number, number, number][] }) => {
      let per = this.pendingCounts.get(m.pid)
      if (!per) this.pendingCounts.set(m.pid, (per = new Map()))
      for (const [nr, c, e, ns] of m.sys) {
        const v = per.get(nr)
        if (v) {
          v[0] += c
          v[1] += e
          v[2] += ns
        } else per.set(nr, [c, e, ns])
      }
    })
    h.on('ran', (m: { pids: number[] }) => this.sampler.ran(m.pids))
    h.on('file', (m: FileMessage) => this.fileUse.file(m))
    h.on('file_name', (m: FileNameMessage) => this.fileUse.name(m))
    h.on('open_failed', (m: OpenFailedMessage) => this.fileUse.openFailed(m))
    h.on('name_op', (m: NameOpMessage) => this.fileUse.nameOp(m))
    h.on('socket', (m: SocketMessage) => this.netUse.socket(m))
    h.on('peer', (m: PeerMessage) => this.netUse.peer(m))
    h.on('latency', (m: LatencyMessage) => this.latencyUse.add(m))
    h.on('errnos', (m: ErrnosMessage) => this.latencyUse.errno(m))
    h.on('slow', (m: SlowMessage) => this.latencyUse.slowCalls(m))
    h.on('threads', (m: ThreadsMessage) => this.threadsUse.add(m))
    h.on('disk', (m: DiskMessage) => this.diskUse.add(m))
    h.on('fork', (m: ForkMessage) => {
      this.addProcess(m.pid, m.ppid, true, m.comm)
      this.event({ kind: 'fork', t_ms: this.now(), pid: m.pid, ppid: m.ppid })
    })
    h.on('exec', (m: ExecMessage) => {
      if (m.before) this.before.set(m.pid, m.before)
      // the helper tells of it once the new program is in place: its command line is readable
      const cmdline = this.sampler.execed(m.pid, m.comm)
      this.event({ kind: 'exec', t_ms: this.now(), pid: m.pid, comm: m.comm, filename: m.filename, ...(cmdline ? { cmdline } : {}) })
    })
    h.on('exit', (m: ExitMessage) => {
      this.exited.add(m.pid)
      this.toldAll.get(m.pid)?.()
      // it ran to exit: read it next tick, so that it is not counted on after its reaper has it
      this.sampler.ran([m.pid])
      // its I/O and CPU up to its very end, which /proc sampling alone cannot see (nor anything
      // of a process that lived less than a tick)
      const io = m.io ? this.sampler.exitIo(m.pid, m.io) : null
      const cpu = m.cpu_ns ? { cpu_seconds: m.cpu_ns[2] / 1e9 } : {}
      const usage = exitUsage(m, this.before.get(m.pid))
      this.before.delete(m.pid)
      this.event({
        kind: 'exit',
        t_ms: this.now(),
        pid: m.pid,
        code: m.signal ? null : m.code,
        signal: m.signal || null,
        ...(io ? { io } : {}),
        ...cpu,
        ...(usage ? { usage } : {})
      })
    })
    h.on('untracked', (m: { pid: number; reason: string }) => {
      this.toldAll.get(m.pid)?.()
      this.sampler.runsReported(m.pid, false)
      this.notice('warning', `pid ${m.pid} is no longer traced: ${m.reason}`)
    })
    h.on('drops', (loss: Loss) => {
      if (loss.threads) this.threadRecordsLost = true
      const message = lossNotice(loss)
      if (message) this.event({ kind: 'notice', t_ms: this.now(), level: lossLevel(loss), message, loss })
    })
    h.on('close', (why: string) => {
      for (const done of this.toldAll.values()) done()
      // letGoOfHelper() lets go of it before releasing it: its exit then is ours, not a failure
      if (this.helper !== h) return
      this.helper = null
      this.gap = true
      this.sampler.stopRunReports()
      this.ownClock()
      this.notice('error', `the syscall helper stopped: ${why}. /proc sampling goes on; syscalls are missing from here on`)
    })
  }

  /**
   * `traced`: the helper tracks it (and so reports its runs, if it can). `forkComm`: the name it
   * was forked with, for a child gone before /proc could be read (a shell's subshell).
   * `sessionsOwn`: all its CPU and I/O are the session's (the launched command)
   */
  private addProcess(pid: number, ppid: number, traced: boolean, forkComm?: string, sessionsOwn = false): void {
    if (this.known.has(pid)) return
    this.known.add(pid)
    this.sampler.track(pid, ppid, sessionsOwn)
    if (traced && this.helper?.reportsRuns) this.sampler.runsReported(pid, true)
    const info = this.sampler.describe(pid)
    this.record({
      k: 'p',
      pid,
      ppid,
      comm: info?.comm ?? forkComm ?? '',
      cmdline: info?.cmdline ?? [],
      start_ms: info?.start_ms ?? null,
      uid: info?.uid ?? null
    })
  }

  private record(line: RecordLine): void {
    this.writer.write(line)
    this.store.ingest(line)
  }

  private event(ev: SessionEvent): void {
    this.record({ k: 'e', ev })
    this.emit('event', ev)
  }

  private notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.event({ kind: 'notice', t_ms: this.now(), level, message })
  }

  private output(stream: 'stdout' | 'stderr', text: string): void {
    if (!text) return
    const t = this.now()
    this.record({ k: 'o', t, s: stream, d: text })
    this.emit('output', { stream, t_ms: t, text })
  }

  /**
   * The recording cannot be written (a full disk): the session stops here, as the user chose for
   * the command. The file keeps every whole tick before the failure (the writer cut it back).
   */
  private recordingFailed(f: WriteFailure): void {
    // the writer cut the file back to its last whole flush: the tick that flush ended
    const keptMs = this.writer.keptMs
    const onError = this.opts.onError ?? 'kill'
    const reason = f.message.replace(/^[A-Z]+: /, '').replace(/, \w+$/, '')
    this.store.warnings.push(
      `the recording could not be written after ${(this.now() / 1000).toFixed(1)} s (${reason}): the file keeps about the first ${(keptMs / 1000).toFixed(1)} s, and the session stopped there`
    )
    this.emit('recording-failed', { path: this.opts.recordingPath, code: f.code, reason, keptMs, onError } satisfies RecordingFailure)
    if (this.child && onError === 'kill') void this.child.terminate(this.opts.stopGraceMs ?? 3000)
    else {
      this.child?.release()
      this.requestEnd({ exitCode: null, exitSignal: null, message: 'detached: the recording could not be written' })
    }
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.state === 'ended') return
    this.ticking = true
    try {
      const helped = this.helper !== null
      // The last tick is one that starts with the end asked for: the helper's final tick (its
      // answer to release) is in before we record. An end asked for while a tick runs waits for
      // the next one, or the helper's figures up to the end, still on their way, would be lost.
      const ending = this.endRequested !== null
      if (ending) {
        const timed = this.helper?.status.timing === 'timed'
        // as the helper stops tracking them: where its figures of the threads it saw end
        const endNs = this.now() * 1e6
        await this.letGoOfHelper()
        // it has sent every thread it saw: the others slept (or ran) throughout
        if (!this.threadRecordsLost)
          for (const [pid, a] of this.attached) if (!this.exited.has(pid)) this.threadsUse.addUnseen(pid, a.atNs, endNs, a.threads, threadStates(pid), timed)
      }
      if (!helped) for (const c of await this.sampler.discoverChildren()) this.addProcess(c.pid, c.ppid, false)
      const sample = await this.sampler.sampleOnce()
      const t = this.now()
      for (const [pid, per] of this.pendingCounts) {
        this.record({ k: 'c', t, pid, sys: [...per].map(([nr, [c, e, ns]]) => [nr, c, e, ns]) })
      }
      this.pendingCounts.clear()
      const files = this.fileUse.drain()
      for (const n of files.names) this.record({ k: 'fn', file: n.file, parts: n.parts, whole: n.whole })
      for (const u of files.uses) this.record({ k: 'f', t, pid: u.pid, file: u.file, kind: u.kind, v: u.v, ...(u.held ? { held: true as const } : {}) })
      for (const f of files.failed) this.record({ k: 'fo', t, pid: f.pid, base: f.base, name: f.name, errno: f.errno, count: f.count })
      for (const n of files.nameOps) this.record({ k: 'nm', t, ...n })
      const net = this.netUse.drain()
      for (const sk of net.sockets) this.record({ k: 'sk', t, ...sk })
      for (const p of net.peers) this.record({ k: 'pr', t, ...p })
      const lat = await this.latencyUse.drain()
      for (const l of lat.latency) this.record({ k: 'l', t, ...l })
      for (const x of lat.errnos) this.record({ k: 'x', t, ...x })
      if (lat.slow.length) this.record({ k: 'sl', t, calls: lat.slow })
      for (const th of this.threadsUse.drain()) this.record({ k: 'th', t, ...th })
      for (const dk of this.diskUse.drain()) this.record({ k: 'dk', t, ...dk })
      const rows = sample.processes.map((p) => toRow(p))
      this.record({ k: 's', t, tree: sample.totals, p: rows, gap: this.gap })
      this.writer.flush(t)
      this.emit('tick', this.store.tickCount - 1)
      if (ending) await this.finish()
    } catch (e) {
      this.notice('error', `sampling failed: ${(e as Error).message}`)
    } finally {
      this.ticking = false
    }
  }

  private requestEnd(r: { exitCode: number | null; exitSignal: string | null; message: string | null }): void {
    if (!this.endRequested) this.endRequested = r
  }

  /** SIGTERM to the launched command's process group, then SIGKILL after the grace period. */
  /**
   * A launched command runs in a session of its own (so that stopping it reaches everything it
   * started), so a terminal's Ctrl-C reaches syscope alone: this passes it on to the command's
   * process group, as the shell would have.
   */
  interrupt(): void {
    this.child?.signal('SIGINT')
  }

  async stop(): Promise<void> {
    if (this.state === 'ended') return
    if (this.child) {
      await this.child.terminate(this.opts.stopGraceMs ?? 3000)
      await this.waitEnded()
    } else await this.detach()
  }

  /** Stop watching; the process is left untouched. */
  async detach(): Promise<void> {
    if (this.state === 'ended') return
    this.requestEnd({ exitCode: null, exitSignal: null, message: 'detached' })
    await this.waitEnded()
  }

  waitEnded(): Promise<void> {
    if (this.state === 'ended') return Promise.resolve()
    return new Promise((resolve) => this.once('ended', () => resolve()))
  }

  /**
   * Untrack what we attached to and release the helper, which answers with a final tick: its
   * figures since its last tick (disk requests, the slowest calls, losses) reach our accumulators
   * before release returns, for the caller to record. We let go of it first, so that its exit
   * is ours, not a failure.
   */
  private async letGoOfHelper(): Promise<void> {
    const h = this.helper
    if (!h) return
    this.helper = null
    if (this.kind === 'attach') for (const pid of this.known) if (!this.exited.has(pid)) await h.untrack(pid).catch(() => undefined)
    await h.release()
  }

  private async finish(): Promise<void> {
    if (this.endPromise) return this.endPromise
    this.endPromise = (async () => {
      if (this.timer) clearTimeout(this.timer)
      this.timer = null
      // the tick that calls this let go of the helper first and recorded its final figures
      const r = this.endRequested ?? { exitCode: null, exitSignal: null, message: null }
      this.sampler.close()
      this.record({ k: 'end', t: this.now(), exit_code: r.exitCode, exit_signal: r.exitSignal, message: r.message })
      await this.writer.close()
      // a file cut short by a failed write has no digest: it loads tick by tick, with a warning
      if (!this.writer.failed) this.writeDigest()
      this.state = 'ended'
      this.emit('ended', r)
    })()
    return this.endPromise
  }

  /** The digest lets the recording reopen at once; without it (write failed) it loads tick by tick. */
  private writeDigest(): void {
    if (!this.store.recordingPath) return
    try {
      appendDigest(this.store.recordingPath, buildDigest(this.store))
    } catch (e) {
      const ev: SessionEvent = {
        kind: 'notice',
        t_ms: this.now(),
        level: 'warning',
        message: `the recording's digest could not be written (${(e as Error).message}); it will open more slowly`
      }
      this.store.ingest({ k: 'e', ev })
      this.emit('event', ev)
    }
  }
}

function toRow(p: ProcessSample): (number | null)[] {
  return [p.pid, ...PROCESS_COLUMNS.map((c) => p[c])]
}
