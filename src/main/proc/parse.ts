// Parsers for /proc/<pid>/ files, from text to plain values. Pure: tests feed them fixtures.

export interface StatFields {
  comm: string
  state: string
  ppid: number
  minflt: number
  majflt: number
  utime_ticks: number
  stime_ticks: number
  num_threads: number
  starttime_ticks: number
}

/** /proc/<pid>/stat. comm ends at the LAST ')': a comm may itself contain ") (". */
export function parseStat(text: string): StatFields | null {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) return null
  const f = text.slice(close + 2).trim().split(' ')
  // after comm: state(0) ppid(1) pgrp sid tty tpgid flags minflt(7) cminflt majflt(9) cmajflt
  // utime(11) stime(12) cutime cstime priority nice num_threads(17) itrealvalue starttime(19)
  if (f.length < 20) return null
  const n = (i: number): number => Number(f[i])
  return {
    comm: text.slice(open + 1, close),
    state: f[0] ?? '?',
    ppid: n(1),
    minflt: n(7),
    majflt: n(9),
    utime_ticks: n(11),
    stime_ticks: n(12),
    num_threads: n(17),
    starttime_ticks: n(19)
  }
}

export interface StatusFields {
  uid: number | null
  vm_rss_bytes: number | null
  vm_hwm_bytes: number | null
  vm_swap_bytes: number | null
  voluntary_ctxt_switches: number | null
  nonvoluntary_ctxt_switches: number | null
}

export function parseStatus(text: string): StatusFields {
  const kb = (name: string): number | null => {
    const m = text.match(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm'))
    return m ? Number(m[1]) * 1024 : null
  }
  const num = (name: string): number | null => {
    const m = text.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'))
    return m ? Number(m[1]) : null
  }
  return {
    uid: num('Uid'),
    vm_rss_bytes: kb('VmRSS'),
    vm_hwm_bytes: kb('VmHWM'),
    vm_swap_bytes: kb('VmSwap'),
    voluntary_ctxt_switches: num('voluntary_ctxt_switches'),
    nonvoluntary_ctxt_switches: num('nonvoluntary_ctxt_switches')
  }
}

export interface IoFields {
  rchar: number
  wchar: number
  read_bytes: number
  write_bytes: number
}

export function parseIo(text: string): IoFields | null {
  const get = (k: string): number | null => {
    const m = text.match(new RegExp(`^${k}: (\\d+)$`, 'm'))
    return m ? Number(m[1]) : null
  }
  const rchar = get('rchar')
  const wchar = get('wchar')
  const rb = get('read_bytes')
  const wb = get('write_bytes')
  if (rchar === null || wchar === null || rb === null || wb === null) return null
  return { rchar, wchar, read_bytes: rb, write_bytes: wb }
}

export interface SmapsRollup {
  rss_bytes: number | null
  pss_bytes: number | null
  swap_bytes: number | null
}

export function parseSmapsRollup(text: string): SmapsRollup {
  const kb = (name: string): number | null => {
    const m = text.match(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm'))
    return m ? Number(m[1]) * 1024 : null
  }
  return { rss_bytes: kb('Rss'), pss_bytes: kb('Pss'), swap_bytes: kb('Swap') }
}

/** NUL-separated argv; a kernel thread (or zombie) has none. */
export function parseCmdline(text: string): string[] {
  if (text === '') return []
  const parts = text.split('\0')
  if (parts[parts.length - 1] === '') parts.pop()
  return parts
}
