// Is eBPF ready for this user, which helper would be used and why, and what exactly to fix.
// The facts come from the helper itself (`syscope-helper --diagnose`), run as this user, so the
// answer reflects this user's privileges and this helper file's capabilities.
import { execFile } from 'node:child_process'
import type { EbpfStatus } from '../shared/contract'
import { HELLO_TIMEOUT_MS } from './helper/client'
import { locateHelper } from './helper/locate'
import type { EbpfOptions } from './session/ebpf'

export interface DoctorProblem {
  id: string
  message: string
  fix: string | null
}

export interface DoctorReport {
  ready: boolean
  helper: { path: string | null; reason: string; build: string | null }
  mode: string | null
  problems: DoctorProblem[]
  /** the helper's own --diagnose output, unchanged */
  diagnose: Record<string, unknown> | null
}

export function runDiagnose(helperPath: string, args: string[] = []): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(helperPath, [...args, '--diagnose'], { timeout: 15_000, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      // --diagnose exits non-zero when not ready but still prints its JSON
      try {
        resolve(JSON.parse(stdout) as Record<string, unknown>)
      } catch {
        reject(new Error(`${helperPath} --diagnose failed: ${(stderr || err?.message || 'no output').trim()}`))
      }
    })
  })
}

export async function doctorReport(opts: EbpfOptions = {}): Promise<DoctorReport> {
  const located = locateHelper(opts.helperPath)
  if (!located.path) {
    return {
      ready: false,
      helper: { path: null, reason: located.reason, build: null },
      mode: null,
      problems: [
        {
          id: 'helper-missing',
          message: `no syscall helper found: ${located.reason}`,
          fix: 'run `npm run setup` to build it, then the guided setup to install it'
        }
      ],
      diagnose: null
    }
  }
  let diag: Record<string, unknown>
  try {
    diag = await runDiagnose(located.path, opts.helperArgs)
  } catch (e) {
    return {
      ready: false,
      helper: { path: located.path, reason: located.reason, build: null },
      mode: null,
      problems: [{ id: 'helper-broken', message: (e as Error).message, fix: 'rebuild the helper with `npm run setup`' }],
      diagnose: null
    }
  }
  const problems = Array.isArray(diag.problems)
    ? (diag.problems as Record<string, unknown>[]).map((p) => ({
        id: typeof p.id === 'string' ? p.id : 'problem',
        message: typeof p.message === 'string' ? p.message : '',
        fix: typeof p.fix === 'string' ? p.fix : null
      }))
    : []
  return {
    ready: diag.ready === true,
    helper: { path: located.path, reason: located.reason, build: typeof diag.build === 'string' ? diag.build : null },
    mode: pickMode(diag),
    problems,
    diagnose: diag
  }
}

/** The first attach mode the helper says would work, in the helper's order of preference. */
function pickMode(diag: Record<string, unknown>): string | null {
  const modes = diag.attach_modes
  if (modes && typeof modes === 'object') {
    for (const m of ['tp_btf', 'raw_tp', 'tracepoint']) {
      const v = (modes as Record<string, unknown>)[m]
      if (v === true || (typeof v === 'object' && v !== null && (v as { ok?: unknown }).ok === true)) return m
    }
  }
  return typeof diag.mode === 'string' ? diag.mode : null
}

let cached: { at: number; status: EbpfStatus } | null = null

export async function ebpfReadiness(opts: EbpfOptions = {}): Promise<EbpfStatus> {
  if (cached && Date.now() - cached.at < 5000) return cached.status
  const r = await doctorReport(opts)
  const first = r.problems[0]
  const status: EbpfStatus = {
    ready: r.ready,
    mode: r.mode,
    helperPath: r.helper.path,
    helperReason: r.helper.reason,
    problem: r.ready ? null : (first?.message ?? 'the helper is not ready'),
    fix: r.ready ? null : (first?.fix ?? null)
  }
  cached = { at: Date.now(), status }
  return status
}

export function forgetReadiness(): void {
  cached = null
}

export function formatDoctor(r: DoctorReport): string {
  const lines = [`eBPF: ${r.ready ? `ready (${r.mode ?? 'mode unknown'})` : 'NOT ready'}`, `helper: ${r.helper.path ?? 'none'} (${r.helper.reason})`]
  if (r.helper.build) lines.push(`helper build: ${r.helper.build}`)
  for (const p of r.problems) {
    lines.push(`- ${p.message}`)
    if (p.fix) lines.push(`  fix: ${p.fix}`)
  }
  // ready, but not in the best mode: why tp_btf could not be had (the helper falls back silently)
  const best = (r.diagnose?.attach_modes as Record<string, { ok: boolean; error?: string }> | undefined)?.tp_btf
  if (r.ready && r.mode !== 'tp_btf' && best && !best.ok)
    lines.push(
      `- tp_btf, the best mode, could not be used: ${best.error ?? 'no reason given'}`,
      `  ${r.mode ?? 'another mode'} is used instead: it counts the same, at a higher cost, and does not say what a blocked read or write was blocked on`
    )
  const detail = detailProbe(r)
  if (detail) lines.push(...detailLines(detail, r.mode))
  const counts = countsOnlyDetailProbe(r)
  if (counts) lines.push(...countsOnlyDetailLines(counts, detail))
  return lines.join('\n') + '\n'
}

/** what the helper found of --detail's programs (files and network): null where it did not try
 * (no mode works, or a helper from before it said) */
export interface DetailProbe {
  ok: boolean
  /** the mode they loaded in (or were refused in): the first that takes them, as a session's */
  mode?: string
  load_ms: number
  error?: string
  /** the load took so long that the helper stopped it */
  stopped?: boolean
}

export function detailProbe(r: DoctorReport): DetailProbe | null {
  return probeOf(r.diagnose?.detail)
}

/** the same for --detail with --counts-only, whose programs are others (null: not tried) */
export function countsOnlyDetailProbe(r: DoctorReport): DetailProbe | null {
  return probeOf(r.diagnose?.detail_counts_only)
}

function probeOf(v: unknown): DetailProbe | null {
  const d = v as Partial<DetailProbe> | null | undefined
  return d && typeof d.ok === 'boolean' && typeof d.load_ms === 'number'
    ? {
        ok: d.ok,
        ...(typeof d.mode === 'string' ? { mode: d.mode } : {}),
        load_ms: d.load_ms,
        ...(typeof d.error === 'string' ? { error: d.error } : {}),
        ...(d.stopped === true ? { stopped: true } : {})
      }
    : null
}

/** --counts-only --detail: said where it differs from --detail alone (refused, stopped, another
 * mode) */
function countsOnlyDetailLines(c: DetailProbe, detail: DetailProbe | null): string[] {
  if (c.stopped)
    return [
      `- files and network with --counts-only: ${c.error ?? 'the kernel took too long to load them'}`,
      `  a session with --counts-only --detail may not start (the app waits ${HELLO_TIMEOUT_MS / 1000} s for the helper); with --detail alone, or --counts-only alone, it does`
    ]
  if (!c.ok)
    return [
      `- files and network with --counts-only cannot be had on this kernel: ${c.error ?? 'no reason given'}`,
      '  a session with --counts-only --detail counts syscalls without them, and says so'
    ]
  return detail?.ok && c.mode && detail.mode && c.mode !== detail.mode ? [`files and network with --counts-only: ready in the ${c.mode} mode`] : []
}

/** a load this long makes a session with --detail start visibly later */
export const SLOW_LOAD_MS = 3000

/** mode: the one a session without --detail uses */
function detailLines(d: DetailProbe, mode: string | null | undefined): string[] {
  const took = `${(d.load_ms / 1000).toFixed(1)} s`
  if (d.stopped)
    return [
      `- files and network (--detail): ${d.error ?? `the kernel took more than ${took} to load them`}`,
      `  a session with --detail may not start (the app waits ${HELLO_TIMEOUT_MS / 1000} s for the helper); without it, it does`
    ]
  if (!d.ok)
    return [
      `- files and network (--detail) cannot be had on this kernel: ${d.error ?? 'no reason given'}`,
      '  a session asked for them counts syscalls without them, and says so'
    ]
  // tp_btf's programs for them need a kfunc of Linux 6.2 (bpf_rdonly_cast); raw_tp's do without
  const other = d.mode && mode && d.mode !== mode ? ` in the ${d.mode} mode (a session with --detail uses it)` : ''
  return d.load_ms >= SLOW_LOAD_MS
    ? [`files and network (--detail): ready${other}, but the kernel takes ${took} to load them: a session with --detail starts that much later`]
    : [`files and network (--detail): ready${other}`]
}
