// The compare view's "totals and peaks" rows: each figure of both recordings, and how it
// changed. A figure a recording does not know reads "unavailable", never 0 (a 50 ms command's
// samples saw nothing; the kernel's exit figures, when the recording has them, are exact).
import type { Comparison, ComparisonSide } from '@shared/contract'
import { NA, formatBytes, formatDelta, formatInt, formatMs, formatPct, formatRate, formatRatio } from './format'

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
export function callsChange(r: Comparison, row: Comparison['syscalls'][number]): { delta: string; ratio: string } {
  if (!r.a.syscalls_counted || !r.b.syscalls_counted) return { delta: NA, ratio: NA }
  return { delta: formatDelta(row.delta), ratio: formatRatio(row.ratio) }
}
