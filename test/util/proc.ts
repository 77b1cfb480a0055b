// What /proc says of a process, for tests that wait until it is in a given state.
import { readFileSync, readdirSync } from 'node:fs'

/** the state letter of each thread of pid (R running, S asleep, …); [] once it is gone
 * (stat's state follows the last `)`, since comm may hold one) */
export function threadStates(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    })
  } catch {
    return []
  }
}

/** the comm of pid (what it exec'd last), or null once it is gone */
export function commOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  } catch {
    return null
  }
}
