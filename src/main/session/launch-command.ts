// Starting the user's command so that the helper counts it from its exec and not one syscall of
// the launcher before it: `syscope-launch` waits on a pipe until the helper has armed its pid,
// then execs. No shell is involved anywhere: argv goes to execvp as it is.
// On a pseudo-terminal (`stdin: { pty }`, for the command line on a terminal), the launcher forks:
// its child is the command (the pid armed, tracked and signalled here), and the launcher stays as
// its parent to relay the terminal to and from its own pipes, outside the tracked tree. So the
// command's output reaches this process through pipes either way.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Duplex, Readable, Writable } from 'node:stream'
import { constants } from 'node:os'
import { ApiError } from '../errors'
import type { HelperConnection } from './ebpf'
import { projectRoot } from '../paths'

/** The command runs on a pseudo-terminal of its own; what the caller (the CLI) gives. */
export interface PtyRequest {
  /** a terminal (the caller's fd) whose settings and window size the command's starts with; null: 80x24 */
  sizeFrom: number | null
  /** called with the command's terminal once it runs, before launchCommand returns */
  attach(t: CommandTerminal): void
}

/** The caller's side of the command's terminal. Its output comes as 'stdout' (a terminal has one). */
export interface CommandTerminal {
  /** what is typed to it (raw bytes: Ctrl-C as 0x03 makes its terminal send SIGINT) */
  write(data: Buffer): void
  /** the caller's input ended: the terminal's EOF character (^D) follows what was written */
  endInput(): void
  /** sizeFrom's window size changed: copy it (the command gets SIGWINCH) */
  resized(): void
  /**
   * sizeFrom was put in raw mode: turn its output processing off too (Node cannot), so that the
   * command's output, processed by its own terminal already, passes unchanged
   */
  rawOutput(): void
  /** `cb` runs when the command stops (Ctrl-Z through its terminal, or SIGSTOP) */
  onStop(cb: () => void): void
  /** continue a stopped command (SIGCONT to its process group) */
  resume(): void
}

/** default: none (/dev/null) */
export type CommandStdin = 'inherit' | { pty: PtyRequest }

export interface LaunchedCommand {
  pid: number
  /** its parent: this process, or on a pty the launcher relaying its terminal */
  ppid: number
  child: ChildProcess
  /** resolves when the command exits: code, or signal name */
  exited: Promise<{ code: number | null; signal: string | null }>
  /**
   * Its output from the first byte: what came before this is called is given first. (Node drops
   * what a child wrote to a pipe nobody listens to once it exits: under load, a short command
   * can be gone before its session is set up.)
   */
  onOutput(consumer: (stream: 'stdout' | 'stderr', data: Buffer) => void): void
  /** a signal to its process group (while it runs) */
  signal(sig: NodeJS.Signals): void
  /** SIGTERM to its process group, SIGKILL after graceMs */
  terminate(graceMs: number): Promise<void>
  /**
   * Left running: this process no longer waits for it or its output pipes to exit (once this
   * process exits, the command's writes to them fail with EPIPE, as after any reader's end).
   */
  release(): void
}

/** after the command exits, how long its output may still take to be read (ms) */
const OUTPUT_DRAIN_MS = 500

/** The command itself could not be exec'd (its errno is the code): not found, not executable. */
export class CannotRunError extends ApiError {}

export function launcherPath(): string {
  const candidates = [process.env.SYSCOPE_LAUNCH, join(projectRoot(), 'build', 'helper', 'syscope-launch'), '/usr/local/libexec/syscope/syscope-launch']
  for (const c of candidates) if (c && existsSync(c)) return c
  throw new ApiError('ENOENT', 'syscope-launch is missing: build it with `npm run setup`')
}

/**
 * `diesWithUs`: the command is killed (SIGKILL) should this process die first, even by `kill -9`
 * (the launcher sets PR_SET_PDEATHSIG before it execs); else it runs on, orphaned.
 */
export async function launchCommand(
  req: { argv: string[]; cwd?: string; env?: Record<string, string>; stdin?: CommandStdin; diesWithUs?: boolean },
  helper: HelperConnection | null
): Promise<LaunchedCommand> {
  const program = req.argv[0]
  if (!program) throw new ApiError('EINVAL', 'no program to run')
  if (req.cwd && !existsSync(req.cwd)) throw new ApiError('ENOENT', `working directory ${req.cwd} does not exist`)
  // fd 3: the go pipe (one byte = exec now); fd 4: errno text if exec fails (CLOEXEC in the launcher)
  const tie = req.diesWithUs === false ? [] : ['--die-with', String(process.pid)]
  const pty = typeof req.stdin === 'object' ? req.stdin.pty : null
  // on a pty: fd 5 the control socket (a 'pipe' is a socketpair: both ways), fd 6 sizeFrom
  const ptyArgs = pty ? ['--pty', '5', pty.sizeFrom === null ? '-' : '6'] : []
  // without one, tied to us: fd 5 the guard's socket (the guard SIGKILLs the command's process
  // group, its descendants with it, if we go without releasing it; on a pty the terminal's
  // hang-up does that)
  const guarded = !pty && tie.length > 0
  const guardArgs = guarded ? ['--guard', '5'] : []
  const stdio: StdioOptions = pty
    ? ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', pty.sizeFrom ?? 'ignore']
    : [req.stdin === 'inherit' ? 'inherit' : 'ignore', 'pipe', 'pipe', 'pipe', 'pipe', ...(guarded ? (['pipe'] as const) : [])]
  const child = spawn(launcherPath(), [...tie, ...guardArgs, ...ptyArgs, '3', '4', '--', ...req.argv], {
    cwd: req.cwd,
    env: { ...process.env, ...req.env },
    stdio,
    // its own process group, so stop() reaches the whole tree it starts
    detached: true
  })
  // listened to from the start (see onOutput)
  let early: [stream: 'stdout' | 'stderr', data: Buffer][] | null = []
  let consumer: ((stream: 'stdout' | 'stderr', data: Buffer) => void) | null = null
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]?.on('data', (d: Buffer) => (consumer ? consumer(stream, d) : early?.push([stream, d])))
  }
  const launcherPid = child.pid
  if (launcherPid === undefined) {
    const err = await new Promise<Error>((resolve) => child.once('error', resolve))
    throw new ApiError('EIO', `cannot start the launcher: ${err.message}`)
  }
  // 'exit' can come before the last of its output has been read: wait for its pipes to end too,
  // but not for long (a daemon it left behind may hold them open)
  const drained = Promise.all([child.stdout, child.stderr].map((s) => (s ? new Promise<void>((r) => s.once('close', () => r())) : Promise.resolve())))
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<void>((r) => (timer = setTimeout(r, OUTPUT_DRAIN_MS)))
      void Promise.race([drained, late]).then(() => {
        clearTimeout(timer)
        resolve({ code, signal })
      })
    })
  })
  const go = child.stdio[3] as Duplex
  const running = launcherRunning(go)
  const errPipe = child.stdio[4] as Readable
  let errText = ''
  errPipe.on('data', (d: Buffer) => (errText += d.toString()))
  const execResult = new Promise<void>((resolve) => errPipe.once('close', () => resolve()))
  // the launcher ended before the command could start: what it said, for the error (": ..." or "")
  const launcherGaveUp = async (): Promise<string> => {
    go.end()
    await exited
    const said = (early ?? [])
      .map(([, d]) => d.toString())
      .join('')
      .trim()
      .replace(/^syscope-launch: /, '')
    return said ? `: ${said}` : ''
  }
  const ctl = pty ? ((child.stdio as readonly unknown[])[5] as Duplex) : null
  let pid = launcherPid
  let stopped: (() => void) | null = null
  if (ctl) {
    const first = await ptyPid(ctl, (line) => (line === 'stopped' ? stopped?.() : undefined))
    if (first === null) throw new ApiError('EIO', `cannot run "${program}" on a pseudo-terminal${await launcherGaveUp()} (run it with --no-tty)`)
    pid = first
  }
  const guard = guarded ? ((child.stdio as readonly unknown[])[5] as Duplex) : null
  if (guard) {
    guard.on('error', () => {})
    // armed only once the guard runs: it is forked before the exec, and must not be tracked
    if (!(await guardStarted(guard))) throw new ApiError('EIO', `cannot start "${program}": the launcher could not start its guard${await launcherGaveUp()}`)
    // the command gone, what it left behind runs on, as it would without us
    void exited.then(() => releaseGuard(guard))
  }
  if (!(await running)) throw new ApiError('EIO', `cannot start "${program}": the launcher ended before it could run it${await launcherGaveUp()}`)
  try {
    if (helper) await helper.armLaunch(pid)
  } catch (e) {
    go.end() // EOF: the launcher exits 125 without exec
    throw e
  }
  go.end(Buffer.from([1]))
  await execResult
  if (errText.trim()) {
    const errno = Number(errText.trim())
    const name = Object.entries(constants.errno).find(([, v]) => v === errno)?.[0] ?? `errno ${errno}`
    await exited
    throw new CannotRunError(name, `cannot run "${program}": ${describeErrno(name)} (${name})`)
  }
  if (pty && ctl) {
    const input = child.stdin as Writable
    // the command gone, what is still typed has nowhere to go
    input.on('error', () => {})
    ctl.on('error', () => {})
    pty.attach({
      write: (data) => void (input.writable && input.write(data)),
      endInput: () => {
        input.end()
        if (ctl.writable) ctl.write('d')
      },
      resized: () => void (ctl.writable && ctl.write('w')),
      rawOutput: () => void (ctl.writable && ctl.write('r')),
      onStop: (cb) => (stopped = cb),
      resume: () => {
        if (child.exitCode === null && child.signalCode === null) signalGroup(pid, 'SIGCONT')
      }
    })
  }
  return {
    pid,
    ppid: pty ? launcherPid : process.pid,
    child,
    exited,
    onOutput(c) {
      consumer = c
      for (const [stream, d] of early ?? []) c(stream, d)
      early = null
    },
    signal(sig: NodeJS.Signals) {
      if (child.exitCode === null && child.signalCode === null) signalGroup(pid, sig)
    },
    release() {
      if (guard) releaseGuard(guard)
      child.unref()
      for (const s of child.stdio) (s as { unref?: () => void } | null)?.unref?.()
    },
    async terminate(graceMs: number) {
      if (child.exitCode !== null || child.signalCode !== null) return
      signalGroup(pid, 'SIGTERM')
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    }
  }
}

/**
 * The command's pid as the launcher says it on a pty ("pid N", once its process group is the
 * terminal's foreground), or null if the launcher ended without one; later lines go to `onLine`.
 */
function ptyPid(ctl: Readable, onLine: (line: string) => void): Promise<number | null> {
  return new Promise((resolve) => {
    let buf = ''
    let pid: number | null = null
    ctl.on('data', (d: Buffer) => {
      buf += d.toString()
      let nl
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        const m = /^pid (\d+)$/.exec(line)
        if (pid === null && m) resolve((pid = Number(m[1])))
        else onLine(line)
      }
    })
    ctl.once('close', () => resolve(null))
  })
}

/**
 * True once the launcher runs (its byte on the go socket, written before it waits there); false
 * if it ended without it. Only then is its pid armed: the spawn returns as soon as the launcher's
 * exec has closed its close-on-exec fds, before the kernel's exec event, and a pid armed in
 * between would have that exec taken for the command's (the launcher's read and close counted).
 */
export function launcherRunning(go: Readable): Promise<boolean> {
  return new Promise((resolve) => {
    const onData = (): void => {
      go.off('data', onData)
      resolve(true)
    }
    go.on('data', onData)
    go.once('end', () => resolve(false))
    go.once('close', () => resolve(false))
  })
}

/** True once the launcher says its guard runs ("guarded"); false if it ended without it. */
function guardStarted(guard: Duplex): Promise<boolean> {
  return new Promise((resolve) => {
    let said = ''
    const onData = (d: Buffer): void => {
      said += d.toString()
      if (said.includes('guarded\n')) {
        guard.off('data', onData)
        resolve(true)
      }
    }
    guard.on('data', onData)
    guard.once('close', () => resolve(false))
  })
}

/** The guard leaves the command's process group alone and exits. */
function releaseGuard(guard: Duplex & { unref?: () => void }): void {
  if (guard.writable) guard.end('r')
  guard.unref?.()
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig)
  } catch {
    try {
      process.kill(pid, sig)
    } catch {
      /* already gone */
    }
  }
}

function describeErrno(name: string): string {
  const text: Record<string, string> = {
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    ENOEXEC: 'Exec format error',
    ENOTDIR: 'Not a directory',
    ELOOP: 'Too many levels of symbolic links',
    E2BIG: 'Argument list too long',
    ENOMEM: 'Out of memory',
    ETXTBSY: 'Text file busy'
  }
  return text[name] ?? 'exec failed'
}
