// Parsers for /proc/<pid>/ files, from text to plain values. Pure: tests feed them fixtures.

export interface StatFields {
  comm: string
  state: string
  ppid: number
  minflt: number
  majflt: number
  utime_ticks: number
  stime_ticks: number
  cutime_ticks: number
  cstime_ticks: number
  num_threads: number
  starttime_ticks: number
  rss_pages: number
}

/** /proc/<pid>/stat. comm ends at the LAST ')': a comm may itself contain ") (". */
export function parseStat(text: string): StatFields | null {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open || text.charCodeAt(close + 1) !== 32) return null
  // after comm: state(0) ppid(1) pgrp sid tty tpgid flags minflt(7) cminflt majflt(9) cmajflt
  // utime(11) stime(12) cutime(13) cstime(14) priority nice num_threads(17) itrealvalue starttime(19)
  // vsize rss(21)
  const f: number[] = []
  let at = close + 2
  for (let i = 0; i <= 21; i++) {
    let end = text.indexOf(' ', at)
    if (end < 0) end = text.length
    if (at >= end) return null
    f.push(i === 0 ? text.charCodeAt(at) : decimal(text, at, end))
    at = end + 1
  }
  return {
    comm: text.slice(open + 1, close),
    state: String.fromCharCode(f[0]!),
    ppid: f[1]!,
    minflt: f[7]!,
    majflt: f[9]!,
    utime_ticks: f[11]!,
    stime_ticks: f[12]!,
    cutime_ticks: f[13]!,
    cstime_ticks: f[14]!,
    num_threads: f[17]!,
    starttime_ticks: f[19]!,
    rss_pages: f[21]!
  }
}

/** the unsigned decimal in text[from, to) (stopping at the first non-digit); NaN if none */
function decimal(text: string, from: number, to: number): number {
  let v = 0
  let i = from
  for (; i < to; i++) {
    const c = text.charCodeAt(i) - 48
    if (c < 0 || c > 9) break
    v = v * 10 + c
  }
  return i === from ? NaN : v
}

export interface StatusFields {
  uid: number | null
  vm_rss_bytes: number | null
  vm_hwm_bytes: number | null
  vm_swap_bytes: number | null
  voluntary_ctxt_switches: number | null
  nonvoluntary_ctxt_switches: number | null
}

/** "Key:<blanks>value" lines (status, io, smaps_rollup): the number after each key, in keys'
 * order; NaN where a key is missing or has no number */
function keyedNumbers(text: string, keys: readonly string[]): number[] {
  const out = keys.map(() => NaN)
  let at = 0
  while (at < text.length) {
    let end = text.indexOf('\n', at)
    if (end < 0) end = text.length
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!
      if (text.charCodeAt(at + key.length) === 58 /* : */ && text.startsWith(key, at)) {
        let v = at + key.length + 1
        while (text.charCodeAt(v) === 32 || text.charCodeAt(v) === 9) v++
        out[k] = decimal(text, v, end)
        break
      }
    }
    at = end + 1
  }
  return out
}

const orNull = (v: number | undefined): number | null => (v === undefined || Number.isNaN(v) ? null : v)
const kbOrNull = (v: number | undefined): number | null => (v === undefined || Number.isNaN(v) ? null : v * 1024)

const STATUS_KEYS = ['Uid', 'VmRSS', 'VmHWM', 'VmSwap', 'voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches'] as const

export function parseStatus(text: string): StatusFields {
  const [uid, rss, hwm, swap, vol, invol] = keyedNumbers(text, STATUS_KEYS)
  return {
    uid: orNull(uid),
    vm_rss_bytes: kbOrNull(rss),
    vm_hwm_bytes: kbOrNull(hwm),
    vm_swap_bytes: kbOrNull(swap),
    voluntary_ctxt_switches: orNull(vol),
    nonvoluntary_ctxt_switches: orNull(invol)
  }
}

export interface IoFields {
  rchar: number
  wchar: number
  read_bytes: number
  write_bytes: number
}

const IO_KEYS = ['rchar', 'wchar', 'read_bytes', 'write_bytes'] as const

export function parseIo(text: string): IoFields | null {
  const [rchar, wchar, rb, wb] = keyedNumbers(text, IO_KEYS).map(orNull)
  if (rchar == null || wchar == null || rb == null || wb == null) return null
  return { rchar, wchar, read_bytes: rb, write_bytes: wb }
}

export interface SmapsRollup {
  rss_bytes: number | null
  pss_bytes: number | null
  swap_bytes: number | null
}

const SMAPS_KEYS = ['Rss', 'Pss', 'Swap'] as const

export function parseSmapsRollup(text: string): SmapsRollup {
  const [rss, pss, swap] = keyedNumbers(text, SMAPS_KEYS)
  return { rss_bytes: kbOrNull(rss), pss_bytes: kbOrNull(pss), swap_bytes: kbOrNull(swap) }
}

/** NUL-separated argv; a kernel thread (or zombie) has none. */
export function parseCmdline(text: string): string[] {
  if (text === '') return []
  const parts = text.split('\0')
  if (parts[parts.length - 1] === '') parts.pop()
  return parts
}
