// Units for people: bytes, durations and counts, shared by the CLI and the UI.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

/** v (at least 1) to three significant digits: 1.50, 12.3, 123; a carry takes the shorter form (9.996 → "10.0") */
function threeDigits(v: number): string {
  for (const decimals of [2, 1]) {
    const below = 10 ** (3 - decimals)
    if (v < below) {
      const s = v.toFixed(decimals)
      if (Number(s) < below) return s
    }
  }
  return v.toFixed(0)
}

/**
 * 1536 → "1.50 KiB": binary units, whole bytes, three significant digits past them. The unit is
 * chosen after rounding, so 1023.96 KiB reads "1.00 MiB", never "1024 KiB". The one byte
 * formatter of the CLI and the views (the renderer adds "—" for unavailable).
 */
export function formatBytes(n: number): string {
  const sign = n < 0 ? '\u2212' : ''
  let v = Math.abs(n)
  let i = 0
  const text = (): string => (i === 0 ? String(Math.round(v)) : threeDigits(v))
  while (i < BYTE_UNITS.length - 1 && Number(text()) >= 1024) {
    v /= 1024
    i++
  }
  return `${sign}${text()} ${BYTE_UNITS[i]}`
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

/** "1 peer", "7 peers", "1.2k processes" (plural: when not what + "s") */
export function formatCounted(n: number, what: string, plural = `${what}s`): string {
  return `${formatCount(n)} ${n === 1 ? what : plural}`
}

/** one process: "python3 4242", or "pid 4242" where its name was never read */
export function formatProcess(pid: number, comm: string): string {
  return comm ? `${comm} ${pid}` : `pid ${pid}`
}

/** who did something: "python3 4242" for one process, "curl ×5" for several of one name, "3
 * processes" for more (comm: a process's name, '' where never read) */
export function formatProcesses(pids: readonly number[], comm: (pid: number) => string): string {
  if (pids.length === 1) return formatProcess(pids[0]!, comm(pids[0]!))
  const names = new Set(pids.map(comm))
  const [name] = names
  return names.size === 1 && name ? `${name} ×${formatCount(pids.length)}` : formatCounted(pids.length, 'process', 'processes')
}

/** a process by its name, or by its pid where its name was never read */
export function formatProcessName(pid: number, comm: string): string {
  return comm || `pid ${pid}`
}
