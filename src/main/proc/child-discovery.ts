// Finding a tracked tree's new children by scanning /proc, for sessions whose helper does not
// report forks (no eBPF): a process whose parent is in the tree joins it.
import type { ProcReader } from './row'
import { SLOW_PERIOD_MS } from './read-schedule'
import type { TrackedProcess } from './tracked-process'

export class ChildDiscovery {
  /** ppid of pids outside the tree, so a scan reads stat only for new pids */
  private parents = new Map<number, number>()
  private parentsAt = -Infinity

  /**
   * Processes whose parent is in the tree and that the tree does not know yet (no eBPF). The
   * ppid of a pid outside the tree is remembered: a tick lists /proc and reads stat only for
   * pids it has not seen. A ppid changes only when the parent exits (to a subreaper or init);
   * what is remembered is forgotten when its pid leaves the listing and all of it every second,
   * so neither a reused pid nor a reparented process is missed for longer than that.
   */
  find(reader: ProcReader, tracked: ReadonlyMap<number, unknown>, live: readonly TrackedProcess[]): { pid: number; ppid: number }[] {
    const now = performance.now()
    const old = now - this.parentsAt > SLOW_PERIOD_MS ? new Map<number, number>() : this.parents
    if (old !== this.parents) this.parentsAt = now
    let pids: ArrayLike<number>
    try {
      pids = reader.pids()
    } catch {
      return []
    }
    const parents = new Map<number, number>()
    for (let i = 0; i < pids.length; i++) {
      const pid = pids[i]!
      if (tracked.has(pid)) continue
      const ppid = old.get(pid) ?? reader.parentOf(pid)
      if (ppid >= 0) parents.set(pid, ppid)
    }
    this.parents = parents
    // a child's child may appear in the same scan: repeat until nothing new is found
    const inTree = new Set<number>()
    for (const p of live) inTree.add(p.pid)
    const found: { pid: number; ppid: number }[] = []
    let grew = true
    while (grew) {
      grew = false
      for (const [pid, ppid] of parents) {
        if (inTree.has(ppid) && !inTree.has(pid)) {
          found.push({ pid, ppid })
          inTree.add(pid)
          grew = true
        }
      }
    }
    return found
  }
}
