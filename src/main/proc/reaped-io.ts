// The reaped-I/O ledger. A reaped process's I/O moves into its reaper's /proc/<pid>/io, so the
// tree's I/O is its live processes' plus what went to a reaper outside the tree. A tracked reaper
// owes what it was handed to the tree until an io read of it shows it; an orphan's (reaped by
// init, or the root reaped by syscope) stays in `orphans`.
import { IO_FIELDS, type TrackedProcess } from './tracked-process'

/**
 * The tree's I/O (rchar, wchar, read_bytes, write_bytes) that went to reapers outside it: each
 * byte once, children too short-lived to be sampled included. `unavailable`: how many processes
 * in `io` had that figure unavailable (the tree's is then unavailable).
 */
export interface OrphanIo {
  io: number[]
  unavailable: number[]
}

export class ReapedIoLedger {
  readonly orphans: OrphanIo = { io: [0, 0, 0, 0], unavailable: [0, 0, 0, 0] }

  /** `procs`: every process the sampler ever tracked (reapers are looked up by ppid) */
  constructor(private readonly procs: ReadonlyMap<number, TrackedProcess>) {}

  /**
   * A process's /proc/<pid>/io as its last thread exited ([rchar, wchar, read_bytes,
   * write_bytes], null: not kept), which the helper reads then: all it did, up to the end that
   * sampling misses. Given before the sample that finds the process reaped (the usual order: the
   * event comes at its exit, the reap is seen at the next tick), its reaper is handed exactly
   * what the kernel hands it. Returns the process's own part of it (less its reaped
   * descendants').
   */
  exitIo(p: TrackedProcess, io: readonly (number | null)[]): (number | null)[] {
    const final = IO_FIELDS.map((_, k) => {
      const v = io[k]
      return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : -1
    })
    const mine = final.map((v, k) => (v < 0 ? null : Math.max(0, v - p.reapedSeen[k]! - p.reaped[k]!)))
    const live = !p.gone || p.zombie
    if (p.handedTo === undefined && live) {
      // handed over when the sample finds it reaped, with these figures
      for (let k = 0; k < 4; k++) if (final[k]! > p[IO_FIELDS[k]!]) p[IO_FIELDS[k]!] = final[k]!
      p.ioFinal = true
    } else if (p.handedTo === undefined) {
      // gone before it was ever read: the kernel put all of it into its reaper's io
      this.handOver(p, final)
    } else if (p.handed) {
      // reaped before this came: hand over what its last reading missed
      const more = final.map((v, k) => (v < 0 || p.handed![k]! < 0 ? 0 : Math.max(0, v - p.handed![k]!)))
      for (let k = 0; k < 4; k++) p.handed[k]! += more[k]!
      if (p.handedTo) for (let k = 0; k < 4; k++) p.handedTo.reaped[k]! += more[k]!
      else this.addOrphanIo(more, 1)
    }
    return mine
  }

  /** p leaves tracking: what it handed to no tracked reaper leaves the tree with it. */
  untrack(p: TrackedProcess): void {
    if (p.handedTo === null && p.handed) this.addOrphanIo(p.handed, -1)
  }

  /**
   * p was reaped: `amount` (per IO_FIELDS, -1: unavailable) is what the kernel added to its
   * reaper's io. A tracked reaper (the nearest tracked ancestor not reaped in the same read) owes
   * it to the tree until an io read of it shows it; otherwise it stays in `orphans`.
   */
  handOver(p: TrackedProcess, amount: number[], gone?: Set<TrackedProcess>): void {
    let q = this.procs.get(p.ppid)
    while (q && gone?.has(q)) q = this.procs.get(q.ppid)
    const reaper = q && !q.gone && !q.zombie ? q : null
    p.handedTo = reaper
    p.handed = amount
    if (reaper) {
      for (let k = 0; k < 4; k++) if (amount[k]! >= 0) reaper.reaped[k]! += amount[k]!
      reaper.ioSoon = true
      reaper.idleSample = null
    } else this.addOrphanIo(amount, 1)
  }

  addOrphanIo(amount: number[], sign: 1 | -1): void {
    const g = this.orphans
    for (let k = 0; k < 4; k++) {
      if (amount[k]! < 0) g.unavailable[k]! += sign
      else g.io[k]! += sign * amount[k]!
    }
  }
}
