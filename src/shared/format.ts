// Units for people: bytes, durations and counts, shared by the CLI and the UI.

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let i = 0
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`
}

/** nanoseconds → "1.23 s", "45.6 ms", "789 µs", "12 ns" */
export function formatDuration(ns: number): string {
  if (ns >= 60e9) {
    const s = Math.round(ns / 1e9)
    return `${Math.floor(s / 60)} min ${s % 60} s`
  }
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(2)} s`
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(1)} ms`
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`
  return `${Math.round(ns)} ns`
}

/** 1234567 → "1.23M"; small counts stay exact */
export function formatCount(n: number): string {
  if (Math.abs(n) < 10_000) return String(Math.round(n))
  if (Math.abs(n) < 1e6) return `${(n / 1e3).toFixed(1)}k`
  if (Math.abs(n) < 1e9) return `${(n / 1e6).toFixed(2)}M`
  return `${(n / 1e9).toFixed(2)}G`
}
