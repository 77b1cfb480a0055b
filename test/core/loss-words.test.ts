// What the helper lost, in words: a table that was full says so; what the kernel did not show
// and the helper filled in from the kernel's own figures (a thread's switch onto or off a CPU,
// a thread first seen after it began) says that instead, never "its tables were full".
import { describe, expect, it } from 'vitest'
import { filledIn, lossLevel, lossNotice, lossWarnings, type LossSource } from '../../src/main/store/losses'
import type { Loss, SessionEvent } from '../../src/shared/contract'

function source(losses: [number, Loss][]): LossSource {
  const events: SessionEvent[] = losses.map(([t_ms, loss]) => ({ kind: 'notice', t_ms, level: 'warning', message: lossNotice(loss) ?? '', loss }))
  return { events, header: { ebpf: { ready: true } }, tickCount: 0, tickTime: () => 0, syscallGapAt: () => false }
}

describe('loss words', () => {
  it('says nothing when nothing was lost', () => {
    expect(lossNotice({})).toBeNull()
    expect(lossNotice({ procs: 0, switches: 0 })).toBeNull()
  })

  it('says a table was full for what did not fit, and filled in for what the kernel did not show', () => {
    expect(lossNotice({ procs: 3 })).toBe('the helper lost 3 process(es) (their syscalls are not counted): its tables were full')
    const filled = lossNotice({ switches: 2, late_threads: 1 })!
    expect(filled).toMatch(/^the kernel did not show the helper 2 switch\(es\) of a thread onto or off a CPU .*, 1 thread\(s\) first seen after they began/)
    expect(filled).not.toMatch(/tables were full/)
    const both = lossNotice({ disk: 5, switches: 1 })!
    expect(both.split('; ')).toHaveLength(2)
    expect(both).toMatch(/^the helper lost 5 disk request\(s\) not timed: its tables were full; the kernel did not show the helper 1 switch/)
    // a notice of what was only filled in is for information; with a loss beside it, a warning
    expect(lossLevel({ switches: 2 })).toBe('info')
    expect(lossLevel({ switches: 2, disk: 1 })).toBe('warning')
  })

  it('sums each loss over the session in the summary warnings, with when; what was filled in is a note, not a warning', () => {
    const s = source([
      [1500, { switches: 1 }],
      [4200, { switches: 2, threads: 4 }]
    ])
    const w = lossWarnings(s)
    expect(w).toHaveLength(1)
    expect(w[0]).toMatch(/^4 thread\(s\) had their time not accounted \(the helper's thread table was full, at 4\.2 s\)/)
    const f = filledIn(s)!
    expect([f.switches, f.late_threads]).toEqual([3, 0])
    expect(f.notes).toHaveLength(1)
    expect(f.notes[0]).toMatch(
      /^3 switch\(es\) of a thread onto or off a CPU were not shown by the kernel's tracepoint \(between 1\.5 s and 4\.2 s\): the thread's own CPU clock/
    )
    expect(filledIn(source([]))).toEqual({ switches: 0, late_threads: 0, notes: [] })
  })
})
