// Sorting tables by any column, both ways: numbers numerically, text naturally, unavailable
// values (null) last in either direction so they never crowd the top of a table.

export type SortDir = 'asc' | 'desc'
export interface SortState<K extends string> {
  key: K
  dir: SortDir
}

export type Sortable = number | string | null | undefined

export function compareValues(a: Sortable, b: Sortable): number {
  const an = a === null || a === undefined || (typeof a === 'number' && Number.isNaN(a))
  const bn = b === null || b === undefined || (typeof b === 'number' && Number.isNaN(b))
  if (an || bn) return an === bn ? 0 : an ? 1 : -1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' })
}

/** A sorted copy; ties keep their input order (Array.prototype.sort is stable). */
export function sortBy<T, K extends string>(rows: readonly T[], state: SortState<K>, value: (row: T, key: K) => Sortable): T[] {
  const sign = state.dir === 'desc' ? -1 : 1
  return [...rows].sort((x, y) => {
    const a = value(x, state.key)
    const b = value(y, state.key)
    const nullish = (v: Sortable): boolean => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))
    // nulls last whatever the direction
    if (nullish(a) || nullish(b)) return compareValues(a, b)
    return sign * compareValues(a, b)
  })
}

/** Clicking a column: the same column flips, another starts with its natural direction. */
export function nextSort<K extends string>(state: SortState<K>, key: K, firstDir: SortDir = 'desc'): SortState<K> {
  if (state.key === key) return { key, dir: state.dir === 'desc' ? 'asc' : 'desc' }
  return { key, dir: firstDir }
}
