// What the kernel knows about a process at its exit, as getrusage(2) and wait4 give it to its
// parent (/usr/bin/time -v prints the same): known exactly however short the process lived,
// where /proc sampling sees nothing of a process that lived less than a tick.
import type { ExitUsage } from '../../shared/contract'
import type { ExitMessage, ProcessFigures } from './protocol'

/**
 * User and system seconds as the kernel reports them (cputime_adjust): its user and system
 * times are tick-sampled, so they are scaled to add up to the exact run time, in their ratio.
 */
export function splitRunTime(userNs: number, systemNs: number, runNs: number): [number, number] {
  if (systemNs === 0) return [runNs, 0]
  if (userNs === 0) return [0, runNs]
  const system = (runNs * systemNs) / (userNs + systemNs)
  return [runNs - system, system]
}

type Complete = Required<Omit<ProcessFigures, 'io'>>
const complete = (f: ProcessFigures | undefined): f is Complete => !!f && !!f.cpu_ns && f.maxrss_bytes !== undefined && !!f.faults && !!f.ctxsw

/**
 * A process's usage from its exit figures, less what it had used before counting started
 * (`before`: a launched command's launcher, and the fork of the app it came from). Its max RSS
 * is known only where it rose above the launcher's: the kernel keeps one high-water mark across
 * exec. null when the helper sent no figures (an older helper).
 */
export function exitUsage(m: ExitMessage, before?: ProcessFigures): ExitUsage | null {
  if (!complete(m)) return null
  const b = complete(before) ? before : null
  const less = (v: number, k: number): number => Math.max(0, v - k)
  const cpu = m.cpu_ns.map((v, k) => less(v, b ? b.cpu_ns[k]! : 0))
  const [user, system] = splitRunTime(cpu[0]!, cpu[1]!, cpu[2]!)
  return {
    user_seconds: user / 1e9,
    system_seconds: system / 1e9,
    ...(!b || m.maxrss_bytes > b.maxrss_bytes ? { max_rss_bytes: m.maxrss_bytes } : { max_rss_bytes: null, max_rss_at_most_bytes: b.maxrss_bytes }),
    minor_faults: less(m.faults[0], b ? b.faults[0] : 0),
    major_faults: less(m.faults[1], b ? b.faults[1] : 0),
    vol_ctxsw: less(m.ctxsw[0], b ? b.ctxsw[0] : 0),
    invol_ctxsw: less(m.ctxsw[1], b ? b.ctxsw[1] : 0)
  }
}
