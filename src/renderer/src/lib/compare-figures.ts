// The compare view's "totals and peaks" rows: each figure of both recordings, and how it
// changed. A figure a recording does not know reads "unavailable", never 0 (a 50 ms command's
// samples saw nothing; the kernel's exit figures, when the recording has them, are exact).
import type { ComparedSyscall, Comparison, ComparisonSide } from '@shared/contract'
import { blockedLabel } from '@shared/wall-time'
import { NA, formatBytes, formatDelta, formatInt, formatMs, formatNs, formatPct, formatRate, formatRatio } from './format'

export const UNAVAILABLE = 'unavailable'

export interface CompareFigure {
  label: string
  a: number | null
  b: number | null
  /** formats a known value */
  fmt: (v: number) => string
  /** what an unknown value is known to be below, per side (max RSS of a run that never rose above its launcher) */
  atMost?: { a: number | null; b: number | null }
}

const seconds = (v: number): string => formatMs(v * 1000)

/** Every row, in the order the view shows them. */
export function compareFigures(r: Comparison): CompareFigure[] {
  // a recording made without eBPF counted no syscalls: its count is not known, not 0
  const calls = (s: ComparisonSide): number | null => (s.syscalls_counted ? s.total_calls : null)
  const rate = (s: ComparisonSide): number | null => (s.syscalls_counted && s.durationMs > 0 ? (s.total_calls * 1000) / s.durationMs : null)
  // the kernel's figures at exit, or unknown for a side that has none
  const usage = <K extends keyof NonNullable<ComparisonSide['usage']>>(s: ComparisonSide, k: K) => s.usage?.[k] ?? null
  const rssBound = (s: ComparisonSide): number | null => (s.usage && s.usage.max_rss_bytes === null ? (s.usage.max_rss_at_most_bytes ?? null) : null)
  return [
    { label: 'duration', a: r.a.durationMs, b: r.b.durationMs, fmt: formatMs },
    { label: 'syscalls', a: calls(r.a), b: calls(r.b), fmt: formatInt },
    { label: 'syscall rate', a: rate(r.a), b: rate(r.b), fmt: formatRate },
    { label: 'CPU peak', a: r.a.cpu_pct_peak, b: r.b.cpu_pct_peak, fmt: (v) => formatPct(v) },
    { label: 'CPU mean', a: r.a.cpu_pct_mean, b: r.b.cpu_pct_mean, fmt: (v) => formatPct(v) },
    { label: 'CPU time', a: r.a.cpu_seconds, b: r.b.cpu_seconds, fmt: seconds },
    { label: 'CPU user', a: usage(r.a, 'user_seconds'), b: usage(r.b, 'user_seconds'), fmt: seconds },
    { label: 'CPU system', a: usage(r.a, 'system_seconds'), b: usage(r.b, 'system_seconds'), fmt: seconds },
    { label: 'RSS peak', a: r.a.rss_peak_bytes, b: r.b.rss_peak_bytes, fmt: formatBytes },
    {
      label: 'max RSS',
      a: usage(r.a, 'max_rss_bytes'),
      b: usage(r.b, 'max_rss_bytes'),
      fmt: formatBytes,
      atMost: { a: rssBound(r.a), b: rssBound(r.b) }
    },
    { label: 'minor faults', a: usage(r.a, 'minor_faults'), b: usage(r.b, 'minor_faults'), fmt: formatInt },
    { label: 'major faults', a: usage(r.a, 'major_faults'), b: usage(r.b, 'major_faults'), fmt: formatInt },
    { label: 'voluntary switches', a: usage(r.a, 'vol_ctxsw'), b: usage(r.b, 'vol_ctxsw'), fmt: formatInt },
    { label: 'involuntary switches', a: usage(r.a, 'invol_ctxsw'), b: usage(r.b, 'invol_ctxsw'), fmt: formatInt },
    { label: 'processes', a: r.a.processes, b: r.b.processes, fmt: formatInt },
    { label: 'processes at once', a: r.a.peak_processes, b: r.b.peak_processes, fmt: formatInt }
  ]
}

/** One side's cell: the value, or that it is not known. */
export function figureCell(f: CompareFigure, side: 'a' | 'b'): string {
  const v = f[side]
  return v !== null && Number.isFinite(v) ? f.fmt(v) : UNAVAILABLE
}

/** What is known of a value that is not (its hover text), if anything. */
export function figureBound(f: CompareFigure, side: 'a' | 'b'): string | undefined {
  const bound = f.atMost?.[side]
  return f[side] === null && bound !== null && bound !== undefined ? `at most ${f.fmt(bound)}: it never rose above what its launcher had` : undefined
}

/** B − A with its sign; not known when either side is not. */
export function figureDelta(f: CompareFigure): string {
  if (f.a === null || f.b === null) return NA
  return (f.b >= f.a ? '+' : '−') + f.fmt(Math.abs(f.b - f.a))
}

/** B / A: "new" when A was 0 and B is not. */
export function figureRatio(f: CompareFigure): string {
  if (f.a === null || f.b === null) return NA
  if (f.a === 0) return f.b === 0 ? '1.00×' : 'new'
  return formatRatio(f.b / f.a)
}

/** One side's calls of a syscall: a recording made without eBPF counted none, which is not 0. */
export function callsCell(side: ComparisonSide, calls: number): string {
  return side.syscalls_counted ? formatInt(calls) : UNAVAILABLE
}

/** A syscall's change from A to B, when both sides counted syscalls. */
export function callsChange(r: Comparison, row: ComparedSyscall): { delta: string; ratio: string } {
  if (!r.a.syscalls_counted || !r.b.syscalls_counted) return { delta: NA, ratio: NA }
  return { delta: formatDelta(row.delta), ratio: formatRatio(row.ratio) }
}

/** blocked_by rows compared, at most (the rest is in the sessions' own panes) */
export const WALL_REASONS = 8

/**
 * Where the time went in each, as rows like compareFigures': the tree's thread time, its parts,
 * and the reasons it was blocked that weighed most in either (WALL_REASONS at most). Empty when
 * neither recording has wall time; a side without it reads unavailable.
 */
export function compareWallFigures(r: Comparison): CompareFigure[] {
  const [a, b] = [r.a.wall, r.b.wall]
  if (!a && !b) return []
  const ns = (v: number): string => formatNs(v)
  const row = (label: string, get: (w: NonNullable<ComparisonSide['wall']>) => number | null): CompareFigure => ({
    label,
    a: a ? get(a) : null,
    b: b ? get(b) : null,
    fmt: ns
  })
  // by what the panes call it: "read on a pipe" and "read on a socket" are two
  const by = (w: NonNullable<ComparisonSide['wall']>, name: string): number => w.blocked_by.find((x) => blockedLabel(x) === name)?.ns ?? 0
  const weight = new Map<string, number>()
  for (const w of [a, b]) for (const x of w?.blocked_by ?? []) weight.set(blockedLabel(x), Math.max(weight.get(blockedLabel(x)) ?? 0, x.ns))
  const reasons = [...weight]
    .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
    .slice(0, WALL_REASONS)
    .map(([name]) => row(`blocked in ${name}`, (w) => by(w, name)))
  return [
    row('thread time', (w) => w.wall_ns),
    row('elapsed', (w) => w.elapsed_ns),
    row('on a CPU', (w) => w.on_cpu_ns),
    row('in syscalls, on a CPU', (w) => w.on_cpu_system_ns),
    row('waiting for a CPU', (w) => w.runqueue_ns),
    row('blocked', (w) => w.blocked_ns),
    ...reasons
  ]
}

/** One side's time in a syscall's calls: not known where that side did not time them. */
export function timeCell(ns: number | null): string {
  return ns === null ? UNAVAILABLE : formatNs(ns)
}

/** A syscall's time from A to B, when both sides timed it. */
export function timeChange(row: ComparedSyscall): number | null {
  return row.a_time_ns === null || row.b_time_ns === null ? null : row.b_time_ns - row.a_time_ns
}
