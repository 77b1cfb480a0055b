// Every argument that crosses from the renderer (or the browser bridge) is checked here: types,
// ranges and lengths. Bad input becomes an EINVAL error naming the argument, never a crash.
import type { ApiMethod, AttachRequest, LaunchRequest } from '../../shared/contract'
import { ApiError } from '../errors'

const MAX_ARGV = 4096
const MAX_ARG_LEN = 128 * 1024
const MAX_PATH = 4096
const MAX_ENV = 1024
const MAX_ID = 64

function fail(what: string, why: string): never {
  throw new ApiError('EINVAL', `${what}: ${why}`)
}

function str(v: unknown, what: string, max: number, allowEmpty = false): string {
  if (typeof v !== 'string') fail(what, `expected a string, got ${typeOf(v)}`)
  if (!allowEmpty && v.length === 0) fail(what, 'must not be empty')
  if (v.length > max) fail(what, `too long (${v.length} characters, at most ${max})`)
  if (v.includes('\0')) fail(what, 'must not contain NUL characters')
  return v
}

function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(what, `expected an integer, got ${typeOf(v)}`)
  if (v < min || v > max) fail(what, `${v} is out of range ${min}..${max}`)
  return v
}

function num(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(what, `expected a number, got ${typeOf(v)}`)
  if (v < min || v > max) fail(what, `${v} is out of range ${min}..${max}`)
  return v
}

function obj(v: unknown, what: string, allowed: string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(what, `expected an object, got ${typeOf(v)}`)
  for (const k of Object.keys(v)) if (!allowed.includes(k)) fail(what, `unknown field "${k.slice(0, 40)}"`)
  return v as Record<string, unknown>
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v
}

function optBool(v: unknown, what: string): boolean | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'boolean') fail(what, `expected true or false, got ${typeOf(v)}`)
  return v
}

const interval = (v: unknown): number | undefined => (v === undefined ? undefined : int(v, 'intervalMs', 10, 60_000))
const sessionId = (v: unknown): string => {
  const s = str(v, 'sessionId', MAX_ID)
  if (!/^[A-Za-z0-9_-]+$/.test(s)) fail('sessionId', 'contains characters a session id never has')
  return s
}

function launchRequest(v: unknown): LaunchRequest {
  const o = obj(v, 'launch request', ['argv', 'cwd', 'env', 'intervalMs', 'ebpf', 'asRoot', 'detail', 'countsOnly', 'slowest'])
  if (!Array.isArray(o.argv)) fail('argv', `expected a list of strings, got ${typeOf(o.argv)}`)
  if (o.argv.length === 0) fail('argv', 'is empty: name the program to run')
  if (o.argv.length > MAX_ARGV) fail('argv', `has ${o.argv.length} arguments, at most ${MAX_ARGV}`)
  const argv = o.argv.map((a, i) => str(a, `argv[${i}]`, MAX_ARG_LEN, i > 0))
  const req: LaunchRequest = { argv }
  if (o.cwd !== undefined) req.cwd = str(o.cwd, 'cwd', MAX_PATH)
  if (o.env !== undefined) {
    const env = obj(o.env, 'env', Object.keys(o.env as object))
    const keys = Object.keys(env)
    if (keys.length > MAX_ENV) fail('env', `has ${keys.length} variables, at most ${MAX_ENV}`)
    req.env = {}
    for (const k of keys) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || k.length > 256) fail('env', `"${k.slice(0, 40)}" is not a valid variable name`)
      req.env[k] = str(env[k], `env.${k}`, MAX_ARG_LEN, true)
    }
  }
  return withSessionOptions(o, req)
}

/** The options launch and attach share: interval, eBPF on/off, helper as root. */
function withSessionOptions<T extends LaunchRequest | AttachRequest>(o: Record<string, unknown>, req: T): T {
  const iv = interval(o.intervalMs)
  if (iv !== undefined) req.intervalMs = iv
  const eb = optBool(o.ebpf, 'ebpf')
  if (eb !== undefined) req.ebpf = eb
  const root = optBool(o.asRoot, 'asRoot')
  if (root !== undefined) req.asRoot = root
  const detail = optBool(o.detail, 'detail')
  if (detail !== undefined) req.detail = detail
  const countsOnly = optBool(o.countsOnly, 'countsOnly')
  if (countsOnly !== undefined) req.countsOnly = countsOnly
  if (o.slowest !== undefined) req.slowest = int(o.slowest, 'slowest', 1, 1000)
  if (req.countsOnly && req.slowest !== undefined) fail('slowest', 'needs the timed mode: the counts-only mode keeps no durations')
  return req
}

function attachRequest(v: unknown): AttachRequest {
  const o = obj(v, 'attach request', ['pid', 'intervalMs', 'ebpf', 'asRoot', 'detail', 'countsOnly', 'slowest'])
  return withSessionOptions(o, { pid: int(o.pid, 'pid', 1, 4_194_304) })
}

/** [sessionId, fromMs, toMs] of a range method's first three arguments */
function range(args: unknown[]): [string, number, number] {
  const from = num(args[1], 'fromMs', 0, 1e12)
  const to = num(args[2], 'toMs', 0, 1e12)
  if (to < from) fail('toMs', `${to} is before fromMs ${from}`)
  return [sessionId(args[0]), from, to]
}

function arity(args: unknown[], n: number, method: string): void {
  if (args.length !== n) fail(method, `expects ${n} argument(s), got ${args.length}`)
}

/** Returns the validated argument list for a method, or throws ApiError('EINVAL'). */
export function validateArgs(method: ApiMethod, args: unknown[]): unknown[] {
  switch (method) {
    case 'ebpfStatus':
    case 'listSessions':
    case 'listProcesses':
    case 'listRecordings':
    case 'setupDiagnose':
    case 'setupPlan':
    case 'setupApply':
    case 'setupUndo':
      arity(args, 0, method)
      return []
    case 'launch':
      arity(args, 1, method)
      return [launchRequest(args[0])]
    case 'attach':
      arity(args, 1, method)
      return [attachRequest(args[0])]
    case 'stop':
    case 'detach':
      arity(args, 1, method)
      return [sessionId(args[0])]
    case 'snapshot':
      arity(args, 2, method)
      return [sessionId(args[0]), int(args[1], 'maxPoints', 10, 100_000)]
    case 'detail':
    case 'latency': {
      // one process (the tables' clicked row, the latency pane's pick): null or left out for all
      if (args.length !== 3) arity(args, 4, method)
      const [id, from, to] = range(args)
      return [id, from, to, args[3] === undefined || args[3] === null ? null : int(args[3], 'pid', 1, 4_194_304)]
    }
    case 'breakdown':
    case 'wallTime':
    case 'disk': {
      arity(args, 3, method)
      return range(args)
    }
    case 'openRecording':
      arity(args, 1, method)
      return [str(args[0], 'path', MAX_PATH)]
    case 'exportRecording': {
      arity(args, 2, method)
      const f = args[1]
      if (f !== 'json' && f !== 'csv') fail('format', `expected "json" or "csv", got ${JSON.stringify(f)?.slice(0, 40)}`)
      return [sessionId(args[0]), f]
    }
    case 'compare':
      arity(args, 2, method)
      return [str(args[0], 'pathA', MAX_PATH), str(args[1], 'pathB', MAX_PATH)]
    case 'pickFile': {
      arity(args, 1, method)
      if (args[0] !== 'program' && args[0] !== 'recording') fail('purpose', 'expected "program" or "recording"')
      return [args[0]]
    }
  }
}
