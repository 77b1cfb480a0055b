// Waiting for an event in a test: poll for it with a deadline instead of sleeping a guessed
// time, so a test holds on an idle machine and on a loaded one alike. The deadline is only a
// guard against a hang; a passing test never waits for it.

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
    if (v) return v
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}
