// Numbers for people, in the units a developer expects: binary bytes (KiB/MiB/GiB), durations
// from ns to minutes, per-second rates. Unavailable values (null) show as an em dash, never 0.

import { formatBytes as formatSize } from '@shared/format'

export const NA = '—'

/** 1536 → "1.50 KiB" (src/shared/format.ts); unavailable: "—". */
export function formatBytes(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NA : formatSize(n)
}

export function formatBytesRate(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NA : `${formatBytes(n)}/s`
}

/** A compact count: 950 → "950", 12345 → "12.3k", 4.5e6 → "4.50M". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NA
  const a = Math.abs(n)
  const sign = n < 0 ? '−' : ''
  if (a < 1000) return `${sign}${Number.isInteger(a) ? a : a < 10 ? a.toFixed(1) : Math.round(a)}`
  for (const [limit, div, unit] of [
    [1e6, 1e3, 'k'],
    [1e9, 1e6, 'M'],
    [1e12, 1e9, 'G']
  ] as const) {
    if (a < limit) {
      const v = a / div
      return `${sign}${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)}${unit}`
    }
  }
  return `${sign}${(a / 1e12).toFixed(1)}T`
}

/** An exact integer with thousands separators: 1234567 → "1,234,567". */
export function formatInt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NA
  const s = Math.round(Math.abs(n))
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return n < 0 ? `−${s}` : s
}

/** Events per second: 12345 → "12.3k/s". */
export function formatRate(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? NA : `${formatCount(n)}/s`
}

/** nanoseconds → "12 ns", "789 µs", "45.6 ms", "1.23 s", "2 min 5 s" */
export function formatNs(ns: number | null | undefined): string {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return NA
  const a = Math.abs(ns)
  const sign = ns < 0 ? '−' : ''
  const three = (v: number): string => v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)
  if (a < 1e3) return `${sign}${Math.round(a)} ns`
  if (a < 1e6) return `${sign}${three(a / 1e3)} µs`
  if (a < 1e9) return `${sign}${three(a / 1e6)} ms`
  if (a < 60e9) return `${sign}${three(a / 1e9)} s`
  const s = Math.round(a / 1e9)
  if (s < 3600) return `${sign}${Math.floor(s / 60)} min ${s % 60} s`
  return `${sign}${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}

/** milliseconds → the same units as formatNs */
export function formatMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? NA : formatNs(ms * 1e6)
}

/** 12.345 → "12.3 %" (CPU: 100 % is one core) */
export function formatPct(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return NA
  return `${v.toFixed(digits)} %`
}

/** Whether a span of the time axis is long enough (ten minutes) for its labels in minutes. */
export const isLongRun = (spanMs: number): boolean => spanMs >= 600_000

/** A position on a session's time axis (ms since its start): "12.5 s"; in a long run
 * (isLongRun), "2:05", or "1:02:03" past an hour. */
export function formatOffset(ms: number, longRun = false): string {
  const s = ms / 1000
  if (!longRun) return `${s.toFixed(s < 10 ? 2 : 1)} s`
  const whole = Math.floor(s)
  const h = Math.floor(whole / 3600)
  const m = Math.floor((whole % 3600) / 60)
  const sec = String(whole % 60).padStart(2, '0')
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`
}

/** A selected range of a session, as the breakdown header shows it: "1.2–3.4 s". */
export function formatRange(fromMs: number, toMs: number): string {
  return `${(fromMs / 1000).toFixed(1)}–${(toMs / 1000).toFixed(1)} s`
}

/** b relative to a: "+12", "−3", "0" */
export function formatDelta(n: number): string {
  if (n === 0) return '0'
  return n > 0 ? `+${formatInt(n)}` : formatInt(n)
}

/** b / a: "2.50×"; null (a was 0) reads "new" */
export function formatRatio(r: number | null): string {
  if (r === null) return 'new'
  if (!Number.isFinite(r)) return NA
  return `${r.toFixed(r < 10 ? 2 : r < 100 ? 1 : 0)}×`
}

/** Wall-clock time of an epoch timestamp, local, to the second. */
export function formatDateTime(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined) return NA
  const d = new Date(epochMs)
  const p = (v: number): string => String(v).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

/** For HTML that ECharts inserts (tooltips): process names and paths are not ours to trust. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}
