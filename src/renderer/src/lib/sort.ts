// Sorting the syscall table by any column.
import type { SyscallRow } from '@shared/contract'

export type SortKey = 'name' | 'category' | 'calls' | 'calls_per_s' | 'errors' | 'time_ns'

export function sortRows(rows: SyscallRow[], key: SortKey, desc: boolean): SyscallRow[] {
  const dir = desc ? -1 : 1
  return [...rows].sort((a, b) => {
    const x = a[key]
    const y = b[key]
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))
    return c * dir || a.nr - b.nr
  })
}
