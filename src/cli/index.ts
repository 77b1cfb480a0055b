// The `syscope` command: record a command or a PID, summarise a recording, check eBPF
// readiness, or serve the UI to a browser. Shares every module with the desktop app.
import { parseArgs } from 'node:util'
import { homedir, constants as osConstants } from 'node:os'
import { join, resolve } from 'node:path'
import { SessionManager, openStore } from '../main/session/manager'
import { buildSummary } from '../main/analysis/summary'
import { formatSummary } from './format-summary'
import { ProgressLine } from './progress'
import { TerminalRelay } from './terminal'
import { doctorReport, formatDoctor } from '../main/doctor'
import type { LiveSession, RecordingFailure } from '../main/session/live'
import { CannotRunError } from '../main/session/launch-command'
import { printable } from '../shared/printable'

const USAGE = `syscope: profile a process tree — CPU, memory, I/O from /proc and every syscall from eBPF

Examples:
  syscope record -- tar -cf /tmp/x.tar /usr/share/doc
  syscope record --json --out run.syscope -- make -j2
  syscope record --pid 1234 --duration 10
  syscope summary run.syscope [--json]
  syscope doctor [--json]
  syscope serve [--port N]

Commands:
  record [--interval MS] [--out FILE] [--json] [--no-ebpf] [--as-root] [--on-error kill|detach]
         [--max-procs N] [--tty | --no-tty] [--detail | --no-detail] [--counts-only]
         [--slowest N] -- CMD [ARGS...]
      run CMD, profile it and all its descendants; exits with CMD's exit code
      --tty (the default when stdin is a terminal): CMD runs on a pseudo-terminal of its own, so
        vim, less or top work; what you type goes to it (Ctrl-C interrupts it, Ctrl-Z stops it and
        syscope with it until \`fg\`), its window size follows yours, and its output (stdout and
        stderr as one) is recorded. --no-tty (the default otherwise): CMD reads syscope's stdin
        and writes to pipes, its stdout and stderr kept apart.
      (--as-root: run the helper as root through pkexec for this one session, without setup)
      --on-error kill (the default): should the recording fail to be written (a full disk) or
        syscope die (even by kill -9), CMD is ended too (SIGTERM, then SIGKILL; on syscope's own
        death, SIGKILL to CMD and the rest of its process group)
      --on-error detach: CMD runs on in either case; syscope stops recording and leaves it
      Either way the file keeps every tick written before the failure, and syscope exits 1.
      --max-procs N: processes the syscall helper tracks at once (16..65536, default 1024); more
        are lost, and the summary says how many
      --detail: files and the network too (needs eBPF): every file each process used, how much
        and how long, the names it failed to open, stat-ed, unlinked or renamed; every socket,
        both ends, connects and their failures, bytes each way per peer. --no-detail (the
        default) leaves them out
      --counts-only: calls and failures (by errno) only, at the least cost to the command: the
        helper hooks syscall exits alone and reads no clock, so no time in syscalls, latency
        histograms or slowest calls; with --detail, files and sockets without their time in
        calls, and only a TCP connection's close seen. The default, timed mode has them all
      --slowest N: the slowest calls listed, 1..1000 (default 100)
  record --pid PID [--duration S] [--interval MS] [--out FILE] [--json] [--no-ebpf]
         [--detail | --no-detail] [--counts-only] [--slowest N]
      attach to a running process (and its descendants) until it exits, Ctrl-C, or S seconds;
      with --detail, the files it holds open as it is attached to are listed too ("held")
  summary FILE [--json]      summarise a recording
  doctor [--json]            is eBPF ready on this machine, which helper is used, what to fix
  serve [--port N]           the UI in a browser on 127.0.0.1 (prints the URL with its token)

Environment: SYSCOPE_HELPER names the helper binary to use.
Recordings go to --out (a new file in an existing directory: never over an existing file, never
through a symlink), or to ~/.local/share/syscope/recordings.
A closed stdout (\`syscope record ... | head -1\`) is not an error: syscope stops printing to it and
records on.
`

class UsageError extends Error {}

function dataDir(): string {
  return process.env.XDG_DATA_HOME ? join(process.env.XDG_DATA_HOME, 'syscope') : join(homedir(), '.local', 'share', 'syscope')
}

function positiveInt(v: string | undefined, what: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`${what} must be a whole number from ${min} to ${max}, not "${v}"`)
  return Number(v)
}

async function record(argv: string[]): Promise<number> {
  const dash = argv.indexOf('--')
  const own = dash >= 0 ? argv.slice(0, dash) : argv
  const cmd = dash >= 0 ? argv.slice(dash + 1) : []
  const { values } = parseArgs({
    args: own,
    options: {
      interval: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      'no-ebpf': { type: 'boolean', default: false },
      'as-root': { type: 'boolean', default: false },
      pid: { type: 'string' },
      duration: { type: 'string' },
      'on-error': { type: 'string' },
      'max-procs': { type: 'string' },
      tty: { type: 'boolean', default: false },
      'no-tty': { type: 'boolean', default: false },
      detail: { type: 'boolean', default: false },
      'no-detail': { type: 'boolean', default: false },
      'counts-only': { type: 'boolean', default: false },
      slowest: { type: 'string' }
    },
    strict: true,
    allowPositionals: false
  })
  const intervalMs = positiveInt(values.interval, '--interval', 10, 60_000) ?? 100
  const pid = positiveInt(values.pid, '--pid', 1, 4_194_304)
  const duration = positiveInt(values.duration, '--duration', 1, 7 * 24 * 3600)
  if (pid === undefined && cmd.length === 0) throw new UsageError('name a command after `--`, or a process with --pid')
  if (pid !== undefined && cmd.length > 0) throw new UsageError('give either --pid or a command, not both')
  if (duration !== undefined && pid === undefined) throw new UsageError('--duration is for --pid; a command runs until it exits')
  const onError = values['on-error'] ?? 'kill'
  if (onError !== 'kill' && onError !== 'detach') throw new UsageError(`--on-error must be "kill" or "detach", not "${onError}"`)
  const maxProcs = positiveInt(values['max-procs'], '--max-procs', 16, 65536)
  if (values.tty && values['no-tty']) throw new UsageError('give --tty or --no-tty, not both')
  if (values.detail && values['no-detail']) throw new UsageError('give --detail or --no-detail, not both')
  const detail = values.detail
  const countsOnly = values['counts-only']
  const slowest = positiveInt(values.slowest, '--slowest', 1, 1000)
  if (countsOnly && slowest !== undefined) throw new UsageError('--slowest needs the timed mode (the counts-only mode keeps no durations): drop one of them')
  if (pid !== undefined && (values.tty || values['no-tty']))
    throw new UsageError('--tty and --no-tty are for a command; an attached process keeps its own terminal')
  const terminal = pid === undefined && (values.tty || (!values['no-tty'] && process.stdin.isTTY)) ? new TerminalRelay() : null
  const manager = new SessionManager({ dataDir: dataDir(), ebpf: maxProcs === undefined ? undefined : { helperArgs: ['--max-procs', String(maxProcs)] } })
  const stdout = new ClosableOutput(process.stdout)
  const stderr = new ClosableOutput(process.stderr)
  // our own lines while the command runs (on a pty our terminal is raw then: see TerminalRelay.text)
  const note = (text: string): void => stderr.write(terminal ? terminal.text(text) : text)
  const out = values.out ? resolve(values.out) : undefined
  const ebpf = !values['no-ebpf']
  const asRoot = values['as-root']
  let live: LiveSession | undefined
  let progress: ProgressLine | null = null
  // Ctrl-C: a launched command gets it (it runs in a session of its own, out of the terminal's
  // reach), as it would without syscope; a second one stops it (SIGTERM, then SIGKILL). For an
  // attached process, Ctrl-C detaches and leaves it running. On a pty, Ctrl-C is a byte that our
  // terminal in raw mode passes on and the command's terminal turns into its SIGINT: a SIGINT
  // here then comes from `kill`, and is handled the same. Listened to before the launch: the
  // command may print (and be interrupted) before the launch call returns; what came before
  // the session exists is applied to it as soon as it does.
  let interrupts = 0
  let early: 'SIGINT' | 'SIGTERM' | null = null
  const onSigint = (): void => {
    if (!live) early ??= 'SIGINT'
    else if (pid !== undefined) void live.detach()
    else if (interrupts++ === 0) live.interrupt()
    else void live.stop()
  }
  const onSigterm = (): void => {
    if (!live) early = 'SIGTERM'
    else void (pid !== undefined ? live.detach() : live.stop())
  }
  process.on('SIGINT', onSigint)
  process.on('SIGTERM', onSigterm)
  const unlisten = (): void => {
    process.off('SIGINT', onSigint)
    process.off('SIGTERM', onSigterm)
  }
  try {
    // The command reads the terminal (or whatever stdin syscope was given), and its output shows
    // as it comes (with --json its stdout goes to stderr: stdout is the summary's), around the
    // progress line: as it would without syscope.
    const onOutput = (o: { stream: 'stdout' | 'stderr'; data: Buffer }): void => {
      progress?.clear()
      ;(o.stream === 'stdout' && !values.json ? stdout : stderr).write(o.data)
    }
    const stdin = terminal ? { pty: terminal.request() } : 'inherit'
    live =
      pid !== undefined
        ? await manager.attach({ pid, intervalMs, ebpf, asRoot, detail, countsOnly, slowest }, out)
        : await manager.launch({ argv: cmd, intervalMs, ebpf, asRoot, detail, countsOnly, slowest }, out, { stdin, onOutput, onError })
  } catch (e) {
    unlisten()
    terminal?.finish()
    stderr.write(`syscope: ${printable((e as Error).message)}\n`)
    // 126 for a command found but not runnable, as a shell says it; 127 for every other way the
    // session could not start (a command not found, a pid, a recording that cannot be created)
    return e instanceof CannotRunError && e.code !== 'ENOENT' ? 126 : 127
  }
  let failed: RecordingFailure | null = null
  live.once('recording-failed', (f: RecordingFailure) => {
    failed = f
    progress?.clear()
    const fate =
      pid !== undefined || f.onError === 'detach' ? 'the command was left running' : 'the command is being ended (--on-error detach would leave it running)'
    note(
      `syscope: cannot write the recording ${printable(f.path)}: ${f.reason} (${f.code}); recording stopped, the file keeps about the first ${(f.keptMs / 1000).toFixed(1)} s; ${fate}\n`
    )
  })
  const status = live.store.header.ebpf
  if (asRoot && status.ready) note(`syscope: the syscall helper runs as root for this session (pkexec)\n`)
  if (!status.ready) note(`syscope: syscalls will be missing: ${status.problem}${status.fix ? `\n  fix: ${status.fix}` : ''}\n`)
  // on a pty the command owns the screen: no progress line drawn over it
  progress = new ProgressLine(process.stderr, live, terminal === null)
  if (early === 'SIGINT') onSigint()
  else if (early === 'SIGTERM') onSigterm()
  const timer = duration !== undefined ? setTimeout(() => void live.detach(), duration * 1000) : null
  if (pid !== undefined) {
    // an attached process that exits ends the session too
    live.on('event', (ev: { kind: string; pid?: number }) => {
      if (ev.kind === 'exit' && ev.pid === pid) void live.detach()
    })
    const poll = setInterval(() => {
      try {
        process.kill(pid, 0)
      } catch {
        clearInterval(poll)
        void live.detach()
      }
    }, 500)
    live.once('ended', () => clearInterval(poll))
  }
  try {
    await live.waitEnded()
  } finally {
    terminal?.finish()
  }
  if (timer) clearTimeout(timer)
  unlisten()
  progress.done()
  const summary = buildSummary(live.store, 'ended')
  stdout.write(values.json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary))
  if (failed) return 1
  const code = live.store.ended?.exit_code
  if (pid !== undefined) return 0
  if (typeof code === 'number') return code
  const sig = live.store.ended?.exit_signal
  return sig ? 128 + (signalNumber(sig) ?? 0) : 1
}

/**
 * stdout or stderr that may be closed by its reader (`syscope record ... | head -1`): EPIPE then
 * only stops what is printed there; the recording goes on, and the exit code is the usual one.
 */
class ClosableOutput {
  private open = true

  constructor(private stream: NodeJS.WriteStream) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') this.open = false
      else throw e
    })
  }

  write(data: string | Buffer): void {
    if (this.open && !this.stream.destroyed) this.stream.write(data)
  }
}

function signalNumber(name: string): number | undefined {
  return (osConstants.signals as Record<string, number>)[name]
}

async function summary(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true })
  if (positionals.length !== 1) throw new UsageError('summary takes one recording file')
  const store = await openStore(resolve(positionals[0]!), 'cli')
  for (const w of store.warnings) process.stderr.write(`syscope: warning: ${printable(w)}\n`)
  const s = buildSummary(store, 'ended')
  process.stdout.write(values.json ? JSON.stringify(s, null, 2) + '\n' : formatSummary(s))
  return 0
}

async function doctor(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, strict: true })
  const report = await doctorReport()
  process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : formatDoctor(report))
  return report.ready ? 0 : 1
}

async function serveCmd(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { port: { type: 'string' }, renderer: { type: 'string' } }, strict: true })
  const port = positiveInt(values.port, '--port', 1, 65535)
  const { createBackend } = await import('../main/api/backend')
  const { serve } = await import('../main/serve')
  const rendererDir = resolve(values.renderer ?? new URL('../renderer', import.meta.url).pathname)
  const backend = createBackend({ dataDir: dataDir() })
  const handle = await serve(backend, { rendererDir, port })
  process.stdout.write(`syscope serving on ${handle.url}\n`)
  await new Promise<void>((done) => {
    const stop = (): void => done()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await backend.shutdown()
  await handle.close()
  return 0
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv
  try {
    switch (cmd) {
      case 'record':
        return await record(rest)
      case 'summary':
        return await summary(rest)
      case 'doctor':
        return await doctor(rest)
      case 'serve':
        return await serveCmd(rest)
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(USAGE)
        return cmd === undefined ? 2 : 0
      default:
        throw new UsageError(`unknown command "${cmd}"`)
    }
  } catch (e) {
    const err = e as Error & { code?: string }
    if (
      e instanceof UsageError ||
      err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ||
      err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
    ) {
      process.stderr.write(`syscope: ${printable(err.message)}\nRun \`syscope --help\` for usage.\n`)
      return 2
    }
    process.stderr.write(`syscope: ${printable(err.message)}\n`)
    return 1
  }
}

process.exitCode = await main(process.argv.slice(2))
