// The threads of a process as /proc/PID/task shows them now: name, state, the syscall each is in,
// and its CPU clock. For a process attached to, its threads that the kernel side never saw (no
// switch, no wakeup from the attach to the end: asleep throughout, or on a CPU throughout) are
// accounted from these, read at the attach and at the end.
import { readdirSync, readFileSync } from 'node:fs'
import { textOf } from './bytes-text'
import { parseStat } from './parse'

export interface ThreadState {
  comm: string
  /** stat's state letter: R, S, D, ... */
  state: string
  /** the syscall it is in (/proc/PID/task/TID/syscall), -1 blocked outside one, null running or
   * not readable */
  nr: number | null
  /** its CPU clock, ns (schedstat), null where the kernel keeps none */
  cpuNs: number | null
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'latin1')
  } catch {
    return null
  }
}

/** Each thread of pid by tid; empty when it is gone. */
export function threadStates(pid: number, procRoot = '/proc'): Map<number, ThreadState> {
  const out = new Map<number, ThreadState>()
  let tids: string[]
  try {
    tids = readdirSync(`${procRoot}/${pid}/task`)
  } catch {
    return out
  }
  for (const t of tids) {
    const dir = `${procRoot}/${pid}/task/${t}`
    let st
    try {
      st = parseStat(textOf(readFileSync(`${dir}/stat`)))
    } catch {
      continue // gone since the listing
    }
    if (!st) continue
    // "NR args... sp pc" in a syscall, "-1 sp pc" blocked outside one, "running"
    const sys = read(`${dir}/syscall`)
    const first = sys?.split(' ')[0]
    const nr = first === undefined || first === 'running' ? null : Number(first)
    const cpu = read(`${dir}/schedstat`)?.split(' ')[0]
    out.set(Number(t), { comm: st.comm, state: st.state, nr: Number.isInteger(nr) ? nr : null, cpuNs: cpu === undefined ? null : Number(cpu) })
  }
  return out
}
