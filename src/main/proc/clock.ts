// The kernel's clocks as /proc gives them: the tick that stat's times count in, when the machine
// booted (stat's starttime is ticks since then), and the boot clock now.
import { readFileSync } from 'node:fs'

/** USER_HZ: 100 on every Linux ABI syscope supports (x86_64, aarch64). */
export const CLK_TCK = 100

/** the boot time, ms since the epoch (/proc/stat btime), or null when unreadable */
export function bootTimeMs(procRoot = '/proc'): number | null {
  try {
    const m = readFileSync(`${procRoot}/stat`, 'utf8').match(/^btime (\d+)$/m)
    return m ? Number(m[1]) * 1000 : null
  } catch {
    return null
  }
}

/** the boot clock now in clock ticks, starttime's unit (/proc/uptime), or -1 when unreadable */
export function uptimeTicks(procRoot = '/proc'): number {
  try {
    const up = parseFloat(readFileSync(`${procRoot}/uptime`, 'latin1'))
    return Number.isFinite(up) ? Math.floor(up * CLK_TCK) : -1
  } catch {
    return -1
  }
}
