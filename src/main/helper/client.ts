// The Node side of the helper: spawn it with a socketpair on fd 3, say hello, then typed
// requests that resolve on `ok` and reject on `error`, and events for everything else.
import { spawn, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { Duplex } from 'node:stream'
import { LOSS_KINDS, type Loss } from '../../shared/contract'
import { helloLine, messageLines, parseMessage, requestLine, type HelperRequest, type HelloMessage, type HelperMessage } from './protocol'

/** how long a helper started may take to load its programs and say hello */
export const HELLO_TIMEOUT_MS = 10_000

export class HelperError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly fix?: string
  ) {
    super(message)
  }
}

export interface StartOptions {
  helperPath: string
  args?: string[]
  /** run the helper through another program, e.g. ['setpriv', '--reuid=65534', ...] or ['pkexec'] */
  wrapper?: string[]
  /**
   * 'fd3' (default): the socketpair is the helper's fd 3. 'stdio': its stdin and stdout are the
   * two ends (each a socketpair too), for launchers that close fds above 2, as pkexec does.
   */
  io?: 'fd3' | 'stdio'
  helloTimeoutMs?: number
  requestTimeoutMs?: number
}

const STDERR_KEEP = 8192

/**
 * Events: counts, tick, fork, exec, exit, untracked, helper-error (the helper's messages), 'drops' when a drop
 * counter grows, 'protocol-error' for messages the helper should never send, 'close' (a reason
 * string) when the helper is gone.
 */
export class HelperClient extends EventEmitter {
  hello!: HelloMessage
  private nextId = 1
  private pending = new Map<number, { resolve: (m: HelperMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>()
  private stderrTail = ''
  private closed = false
  /** the helper's loss counters at the last tick that moved them (cumulative) */
  private lastDrops: Loss = {}
  readonly exited: Promise<{ code: number | null; signal: string | null }>

  constructor(
    readonly child: ChildProcess,
    private sock: Duplex,
    private requestTimeoutMs: number
  ) {
    super()
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-STDERR_KEEP)
    })
    sock.on(
      'data',
      messageLines(
        (line) => this.onLine(line),
        () => this.emit('protocol-error', 'a helper message exceeded 64 KiB')
      )
    )
    sock.on('error', () => undefined)
    sock.on('close', () => void this.onClose())
  }

  get stderr(): string {
    return this.stderrTail
  }

  private onLine(line: string): void {
    const m = parseMessage(line)
    if (m.type === 'invalid') {
      this.emit('protocol-error', m.reason)
      return
    }
    if ((m.type === 'ok' || m.type === 'error') && m.id !== undefined && this.pending.has(m.id)) {
      const p = this.pending.get(m.id)!
      this.pending.delete(m.id)
      clearTimeout(p.timer)
      if (m.type === 'ok') p.resolve(m)
      else p.reject(new HelperError(m.message, m.code))
      return
    }
    if (m.type === 'tick') {
      // an older helper names fewer kinds: those it does not name lost nothing
      const lost: Loss = {}
      for (const k of LOSS_KINDS) {
        const n = (m.drops[k] ?? 0) - (this.lastDrops[k] ?? 0)
        if (n > 0) lost[k] = n
      }
      if (Object.keys(lost).length) {
        this.emit('drops', lost)
        this.lastDrops = { ...m.drops }
      }
    }
    // 'error' is special to EventEmitter (throws without a listener): the helper's are 'helper-error'
    this.emit(m.type === 'error' ? 'helper-error' : m.type, m)
  }

  private async onClose(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const { code, signal } = await this.exited
    const why = signal ? `killed by ${signal}` : `exited with code ${code}`
    const detail = this.stderrTail.trim().split('\n').slice(-2).join(' ')
    const err = new HelperError(`the helper ${why}${detail ? `: ${detail}` : ''}`, 'EHELPER')
    for (const p of this.pending.values()) {
      clearTimeout(p.timer)
      p.reject(err)
    }
    this.pending.clear()
    this.emit('close', err.message)
  }

  /** Send a raw request line (tests use this to send malformed input). */
  sendRaw(line: string): void {
    if (!this.closed) this.sock.write(line)
  }

  private request(r: HelperRequest): Promise<HelperMessage> {
    if (this.closed) return Promise.reject(new HelperError('the helper is not running', 'EHELPER'))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new HelperError(`the helper did not answer "${r.verb}" within ${this.requestTimeoutMs} ms`, 'ETIMEDOUT'))
      }, this.requestTimeoutMs)
      this.pending.set(id, { resolve, reject, timer })
      this.sock.write(requestLine(id, r))
    })
  }

  track(pid: number, descendants: boolean): Promise<HelperMessage> {
    return this.request({ verb: 'track', pid, descendants })
  }

  launch(pid: number): Promise<HelperMessage> {
    return this.request({ verb: 'launch', pid })
  }

  untrack(pid: number): Promise<HelperMessage> {
    return this.request({ verb: 'untrack', pid })
  }

  setInterval(ms: number): Promise<HelperMessage> {
    return this.request({ verb: 'interval', ms })
  }

  /** Final tick, then the helper detaches everything and exits. */
  async shutdown(): Promise<void> {
    if (this.closed) return
    await this.request({ verb: 'shutdown' }).catch(() => undefined)
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    await this.exited
    clearTimeout(killer)
  }

  /** Close our end of the socket without a shutdown request (the app went away). */
  abandon(): void {
    this.sock.destroy()
  }
}

export async function startHelper(opts: StartOptions): Promise<HelperClient> {
  const wrapper = opts.wrapper ?? []
  const [cmd, ...pre] = wrapper.length ? wrapper : [opts.helperPath]
  const args = wrapper.length ? [...pre, opts.helperPath, ...(opts.args ?? [])] : [...(opts.args ?? [])]
  // libuv creates every 'pipe' stdio entry as an AF_UNIX socketpair: fd 3 is a socket only we hold
  const stdio = opts.io === 'stdio'
  if (stdio) args.push('--io', 'stdio')
  const child = spawn(cmd!, args, { stdio: stdio ? ['pipe', 'pipe', 'pipe'] : ['ignore', 'ignore', 'pipe', 'pipe'] })
  const sock = stdio ? Duplex.from({ readable: child.stdout!, writable: child.stdin! }) : (child.stdio[3] as Duplex)
  const client = new HelperClient(child, sock, opts.requestTimeoutMs ?? 5000)
  const hello = await new Promise<HelloMessage>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new HelperError(`the helper did not say hello within ${opts.helloTimeoutMs ?? HELLO_TIMEOUT_MS} ms`, 'ETIMEDOUT'))
    }, opts.helloTimeoutMs ?? HELLO_TIMEOUT_MS)
    const onError = (m: { code: string; message: string }): void => {
      clearTimeout(timer)
      reject(new HelperError(m.message, m.code))
    }
    client.once('helper-error', onError)
    client.once('hello', (m: HelloMessage) => {
      clearTimeout(timer)
      client.off('helper-error', onError)
      resolve(m)
    })
    client.once('close', (why: string) => {
      clearTimeout(timer)
      reject(new HelperError(why, 'EHELPER'))
    })
    child.once('error', (e) => {
      clearTimeout(timer)
      reject(new HelperError(`cannot start ${opts.helperPath}: ${e.message}`, 'ENOENT'))
    })
    sock.write(helloLine())
  })
  client.hello = hello
  return client
}
