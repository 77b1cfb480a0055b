// Connecting a session to the syscall helper, and saying in plain words why syscalls are
// missing when it cannot run. Events the helper sends before the session subscribes are kept,
// so nothing between `launch` and the first tick is lost.
import { EventEmitter } from 'node:events'
import type { EbpfStatus } from '../../shared/contract'
import { locateHelper } from '../helper/locate'
import { startHelper, type HelperClient } from '../helper/client'

export interface EbpfOptions {
  /** explicit helper binary (else SYSCOPE_HELPER, the installed one, the build tree's) */
  helperPath?: string
  /** extra helper arguments, e.g. ['--mode', 'raw_tp'] */
  helperArgs?: string[]
  /** run the helper as root through pkexec, for this session only */
  asRoot?: boolean
  /** files: which files each process used and how much (the helper's --detail) */
  detail?: boolean
  /** calls and failures only (the helper's --counts-only) */
  countsOnly?: boolean
  /** the slowest calls kept (the helper's --slowest) */
  slowest?: number
}

const EVENTS = [
  'counts',
  'ran',
  'fork',
  'exec',
  'exit',
  'untracked',
  'tick',
  'drops',
  'file',
  'file_name',
  'open_failed',
  'name_op',
  'socket',
  'peer',
  'latency',
  'errnos',
  'slow',
  'threads',
  'disk',
  'close'
] as const

/** The helper as a session sees it: requests, buffered events, and release when done. */
export class HelperConnection extends EventEmitter {
  private buffered: [string, unknown][] | null = []
  private closed = false

  constructor(
    readonly client: HelperClient,
    readonly status: EbpfStatus
  ) {
    super()
    for (const ev of EVENTS) {
      client.on(ev, (payload: unknown) => {
        if (ev === 'close') this.closed = true
        if (this.buffered) this.buffered.push([ev, payload])
        else this.emit(ev, payload)
      })
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- EventEmitter.on's own signature
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    super.on(event, listener)
    // the first subscriber gets everything that arrived before it
    if (this.buffered) {
      const pending = this.buffered
      this.buffered = null
      queueMicrotask(() => {
        for (const [ev, payload] of pending) this.emit(ev, payload)
      })
    }
    return this
  }

  /** It names, each tick, the tracked processes that ran (`ran` events): the sampler then leaves sleeping ones unread. */
  get reportsRuns(): boolean {
    return this.client.hello.runs === true
  }

  /** The helper's tick period (ms, 10..60000): its counts and run reports come once per tick. */
  setInterval(ms: number): Promise<void> {
    return this.client.setInterval(ms).then(() => undefined)
  }

  /** Arm a launcher's pid: counting starts at its next exec, with its descendants. */
  armLaunch(pid: number): Promise<void> {
    return this.client.launch(pid).then(() => undefined)
  }

  track(pid: number, descendants: boolean): Promise<void> {
    return this.client.track(pid, descendants).then(() => undefined)
  }

  untrack(pid: number): Promise<void> {
    return this.client.untrack(pid).then(() => undefined)
  }

  /** Final tick, detach, exit; never throws (a dead helper is already released). */
  async release(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.client.shutdown().catch(() => undefined)
  }
}

export async function connectHelper(wanted: boolean, opts: EbpfOptions = {}): Promise<{ helper: HelperConnection | null; status: EbpfStatus }> {
  if (!wanted) {
    return {
      helper: null,
      status: {
        ready: false,
        mode: null,
        helperPath: null,
        helperReason: null,
        problem: 'syscall tracing was turned off for this session (--no-ebpf)',
        fix: null
      }
    }
  }
  const located = locateHelper(opts.helperPath)
  if (!located.path) {
    return {
      helper: null,
      status: {
        ready: false,
        mode: null,
        helperPath: null,
        helperReason: located.reason,
        problem: `the syscall helper was not found: ${located.reason}`,
        fix: 'build it with `npm run setup`, or install it with the guided setup (`syscope doctor` says how)'
      }
    }
  }
  try {
    const args = [
      ...(opts.helperArgs ?? []),
      ...(opts.detail ? ['--detail'] : []),
      ...(opts.countsOnly ? ['--counts-only'] : []),
      ...(opts.slowest !== undefined ? ['--slowest', String(opts.slowest)] : [])
    ]
    // pkexec closes every fd above 2, so the socket travels as the helper's stdin and stdout
    const client = opts.asRoot
      ? await startHelper({ helperPath: located.path, args, wrapper: ['pkexec', '--disable-internal-agent'], io: 'stdio', helloTimeoutMs: 120_000 })
      : await startHelper({ helperPath: located.path, args })
    const reason = opts.asRoot ? `running as root through pkexec, for this session only (${located.path})` : located.reason
    const hello = client.hello
    const status: EbpfStatus = {
      ready: true,
      mode: hello.mode,
      helperPath: located.path,
      helperReason: reason,
      problem: null,
      fix: null,
      timing: hello.timing ?? 'timed',
      slowest: hello.slowest ?? 0,
      threads: hello.threads ?? false,
      disk: hello.disk ?? false,
      ...(hello.disk ? { diskSubmitter: hello.disk_submitter ?? 'issue' } : {})
    }
    return { helper: new HelperConnection(client, status), status }
  } catch (e) {
    const err = e as Error & { fix?: string }
    return {
      helper: null,
      status: {
        ready: false,
        mode: null,
        helperPath: located.path,
        helperReason: located.reason,
        problem: err.message,
        fix: err.fix ?? fixFor(err.message, located.path)
      }
    }
  }
}

function fixFor(message: string, path: string): string {
  if (/cap_bpf|capabilit|EPERM|Operation not permitted/i.test(message)) {
    return `run the guided setup (Setup view, or \`syscope doctor\`), or: sudo setcap cap_bpf,cap_perfmon=ep ${path}`
  }
  if (/BTF/i.test(message)) return 'this kernel has no BTF (/sys/kernel/btf/vmlinux); use a kernel built with CONFIG_DEBUG_INFO_BTF=y'
  return 'run `syscope doctor` for a full diagnosis'
}
