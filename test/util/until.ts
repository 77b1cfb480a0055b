// Waiting for an event in a test: poll for it with a deadline instead of sleeping a guessed
// time, so a test holds on an idle machine and on a loaded one alike. The deadline is only a
// guard against a hang; a passing test never waits for it.
import { readFileSync, readdirSync } from 'node:fs'

export interface UntilOptions {
  /** give up after this long (default 20 s: generous, since a passing run never waits for it) */
  timeoutMs?: number
  /** time between two looks (default 10 ms) */
  intervalMs?: number
}

/**
 * Resolves with the first truthy value predicate returns (it may be async); throws
 * `timed out after N ms waiting until <what>` once timeoutMs has passed without one.
 */
export async function until<T>(what: string, predicate: () => T | Promise<T>, opts: UntilOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 20_000
  const intervalMs = opts.intervalMs ?? 10
  const end = performance.now() + timeoutMs
  for (;;) {
    const v = await predicate()
    if (v) return v as NonNullable<T>
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

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
