// Process trees for the attach picker and the session's process table: flat or as a tree,
// filtered by a search that in tree mode keeps each match's ancestors (to place it) and its
// descendants (attaching to a process includes them), siblings sorted by the chosen column.
import type { ProcessListEntry } from '@shared/contract'
import { sortBy, type SortState, type Sortable } from './sort'

export interface TreeRow<T> {
  item: T
  depth: number
  /** has children in the full tree (whether or not they are shown) */
  hasChildren: boolean
  /** the search matched this row itself (not only kept as an ancestor or descendant) */
  match: boolean
}

interface Ids<T> {
  id: (item: T) => number
  parent: (item: T) => number
}

/**
 * Depth-first rows of the forest: a root is an item whose parent is not in the list. `keep`
 * narrows the rows (null: all); `collapsed` hides the descendants of those ids. A parent
 * cycle (pid reuse can make one) cannot lose items: whatever no root reaches becomes a root.
 */
export function forestRows<T>(
  items: readonly T[],
  ids: Ids<T>,
  order: (siblings: T[]) => T[],
  keep: ReadonlySet<number> | null = null,
  collapsed: ReadonlySet<number> = new Set(),
  matched: ReadonlySet<number> | null = null
): TreeRow<T>[] {
  const byId = new Map(items.map((p) => [ids.id(p), p]))
  const children = new Map<number, T[]>()
  const roots: T[] = []
  for (const p of items) {
    const parent = ids.parent(p)
    if (parent !== ids.id(p) && byId.has(parent)) {
      let c = children.get(parent)
      if (!c) children.set(parent, (c = []))
      c.push(p)
    } else roots.push(p)
  }
  const out: TreeRow<T>[] = []
  const seen = new Set<number>()
  const walk = (list: T[], depth: number): void => {
    for (const p of order(list)) {
      const id = ids.id(p)
      if (seen.has(id)) continue
      seen.add(id)
      const kids = children.get(id) ?? []
      if (!keep || keep.has(id)) out.push({ item: p, depth, hasChildren: kids.length > 0, match: matched ? matched.has(id) : true })
      if (!collapsed.has(id)) walk(kids, depth + 1)
      else for (const k of kids) markSeen(k)
    }
  }
  const markSeen = (p: T): void => {
    seen.add(ids.id(p))
    for (const k of children.get(ids.id(p)) ?? []) if (!seen.has(ids.id(k))) markSeen(k)
  }
  walk(roots, 0)
  const lost = items.filter((p) => !seen.has(ids.id(p)))
  if (lost.length) walk(lost, 0)
  return out
}

/** The ids a tree search keeps: every match, its ancestors and its descendants. */
export function keepForMatches<T>(items: readonly T[], ids: Ids<T>, isMatch: (item: T) => boolean): { keep: Set<number>; matched: Set<number> } {
  const byId = new Map(items.map((p) => [ids.id(p), p]))
  const children = new Map<number, number[]>()
  for (const p of items) {
    const parent = ids.parent(p)
    if (parent === ids.id(p)) continue
    let c = children.get(parent)
    if (!c) children.set(parent, (c = []))
    c.push(ids.id(p))
  }
  const keep = new Set<number>()
  const matched = new Set<number>()
  // ids whose whole subtree is already kept (an ancestor may be in `keep` without its subtree)
  const subtree = new Set<number>()
  for (const p of items) {
    if (!isMatch(p)) continue
    matched.add(ids.id(p))
    // ancestors, stopping where an earlier match already walked
    for (let a: T | undefined = byId.get(ids.parent(p)); a && !keep.has(ids.id(a)); a = byId.get(ids.parent(a))) keep.add(ids.id(a))
    const stack = [ids.id(p)]
    while (stack.length) {
      const id = stack.pop()!
      if (subtree.has(id)) continue
      subtree.add(id)
      keep.add(id)
      stack.push(...(children.get(id) ?? []))
    }
  }
  return { keep, matched }
}

// ---- the attach picker

export type PickerSortKey = 'pid' | 'user' | 'comm' | 'cpu_pct' | 'rss_bytes' | 'startedAtMs' | 'cmdline'
export type PickerRow = TreeRow<ProcessListEntry>

const PICKER_IDS: Ids<ProcessListEntry> = { id: (p) => p.pid, parent: (p) => p.ppid }

/**
 * Does a process match the search? A number is a PID and matches that process only: command
 * lines are full of numbers (Chromium's carry handles and ids), so a typed PID followed by Enter
 * must never attach to some other process whose arguments happen to contain it. Anything else
 * matches name, command line and user by substring, in any case.
 */
export function matchesProcess(p: ProcessListEntry, query: string): boolean {
  const q = query.trim().toLowerCase()
  if (!q) return true
  if (/^\d+$/.test(q)) return String(p.pid) === q
  return p.comm.toLowerCase().includes(q) || p.cmdline.toLowerCase().includes(q) || p.user.toLowerCase().includes(q)
}

const pickerValue = (p: ProcessListEntry, key: PickerSortKey): Sortable => p[key]

export function pickerRows(
  list: readonly ProcessListEntry[],
  query: string,
  mode: 'tree' | 'flat',
  sort: SortState<PickerSortKey> = { key: 'pid', dir: 'asc' }
): PickerRow[] {
  const order = (xs: ProcessListEntry[]): ProcessListEntry[] => sortBy(xs, sort, pickerValue)
  if (mode === 'flat') return order(list.filter((p) => matchesProcess(p, query))).map((item) => ({ item, depth: 0, hasChildren: false, match: true }))
  if (!query.trim()) return forestRows(list, PICKER_IDS, order)
  const { keep, matched } = keepForMatches(list, PICKER_IDS, (p) => matchesProcess(p, query))
  return forestRows(list, PICKER_IDS, order, keep, new Set(), matched)
}
