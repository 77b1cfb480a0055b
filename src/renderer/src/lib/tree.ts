// The attach picker's rows: flat or as a tree, filtered by a search that in tree mode keeps
// the matches' ancestors (to place them) and their descendants (what attaching includes).
import type { ProcessListEntry } from '@shared/contract'

export interface PickerRow {
  p: ProcessListEntry
  depth: number
}

export function matches(p: ProcessListEntry, q: string): boolean {
  if (!q) return true
  const s = q.toLowerCase()
  return String(p.pid) === s || p.comm.toLowerCase().includes(s) || p.cmdline.toLowerCase().includes(s) || p.user.toLowerCase().includes(s)
}

export function pickerRows(list: ProcessListEntry[], query: string, mode: 'tree' | 'flat'): PickerRow[] {
  const q = query.trim()
  if (mode === 'flat') return list.filter((p) => matches(p, q)).map((p) => ({ p, depth: 0 }))
  const byPid = new Map(list.map((p) => [p.pid, p]))
  const children = new Map<number, ProcessListEntry[]>()
  for (const p of list) {
    const parent = byPid.has(p.ppid) ? p.ppid : 0
    let c = children.get(parent)
    if (!c) children.set(parent, (c = []))
    c.push(p)
  }
  const keep = new Set<number>()
  if (q) {
    for (const p of list) {
      if (!matches(p, q)) continue
      // ancestors
      for (let a: ProcessListEntry | undefined = p; a && !keep.has(a.pid); a = byPid.get(a.ppid)) keep.add(a.pid)
      keep.add(p.pid)
      // descendants
      const stack = [...(children.get(p.pid) ?? [])]
      while (stack.length) {
        const c = stack.pop()!
        if (keep.has(c.pid)) continue
        keep.add(c.pid)
        stack.push(...(children.get(c.pid) ?? []))
      }
    }
  }
  const out: PickerRow[] = []
  const walk = (parent: number, depth: number): void => {
    for (const p of (children.get(parent) ?? []).sort((a, b) => a.pid - b.pid)) {
      if (!q || keep.has(p.pid)) out.push({ p, depth })
      walk(p.pid, depth + 1)
    }
  }
  walk(0, 0)
  return out
}
