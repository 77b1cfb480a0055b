// Syscall names and categories for the two architectures syscope runs on, shared by the main
// process (summaries, recordings) and the renderer (charts).
import type { CategoryId } from '../contract'
import { CATEGORY_OF } from './categories'
import { MAX_NR_AARCH64, MAX_NR_X86_64, SYSCALLS_AARCH64, SYSCALLS_X86_64 } from './table.generated'

export type Arch = 'x86_64' | 'aarch64'

export const ARCHES: readonly Arch[] = ['x86_64', 'aarch64']

export interface CategoryInfo {
  id: CategoryId
  label: string
  /** chart colour: at least 3:1 contrast on white and on #1e1e1e, and none close to another */
  color: string
}

/** The ten categories in display order, with labels and fixed chart colours. */
export const CATEGORIES: readonly CategoryInfo[] = [
  { id: 'file_io', label: 'File I/O', color: '#2563eb' },
  { id: 'memory', label: 'Memory', color: '#ea580c' },
  { id: 'process', label: 'Process', color: '#15803d' },
  { id: 'network', label: 'Network', color: '#0e7490' },
  { id: 'time', label: 'Time', color: '#a16207' },
  { id: 'ipc', label: 'IPC & sync', color: '#8b5cf6' },
  { id: 'security', label: 'Security', color: '#db2777' },
  { id: 'signal', label: 'Signals', color: '#d946ef' },
  { id: 'system', label: 'System', color: '#65a30d' },
  { id: 'other', label: 'Other', color: '#78716c' }
]

export const CATEGORY_IDS: readonly CategoryId[] = CATEGORIES.map((c) => c.id)

const INFO = new Map(CATEGORIES.map((c) => [c.id, c]))

/** Label and colour of a category. */
export function categoryInfo(id: CategoryId): CategoryInfo {
  // every CategoryId is in CATEGORIES (a test checks), so the fallback is never used
  return INFO.get(id) ?? { id, label: id, color: '#78716c' }
}

/** Number → name table of an architecture. */
export function syscallTable(arch: Arch): Readonly<Record<number, string>> {
  return arch === 'aarch64' ? SYSCALLS_AARCH64 : SYSCALLS_X86_64
}

/** The highest syscall number the table of an architecture names. */
export function maxSyscallNr(arch: Arch): number {
  return arch === 'aarch64' ? MAX_NR_AARCH64 : MAX_NR_X86_64
}

/** The syscall's name, or `sys_<nr>` for a number the table does not know (a newer kernel's). */
export function syscallName(arch: Arch, nr: number): string {
  const name = Number.isInteger(nr) && nr >= 0 ? syscallTable(arch)[nr] : undefined
  return name ?? `sys_${nr}`
}

/** The category of a syscall name; `other` for a name neither table has (such as `sys_<nr>`). */
export function syscallCategory(name: string): CategoryId {
  return CATEGORY_OF.get(name) ?? 'other'
}

export function categoryOf(arch: Arch, nr: number): CategoryId {
  return syscallCategory(syscallName(arch, nr))
}

export interface CountTotals {
  calls: number
  errors: number
  time_ns: number
}

/** Per-syscall totals keyed by syscall number: a Map, or a plain object as JSON gives it. */
export type CountsByNr = ReadonlyMap<number, CountTotals> | Readonly<{ [nr: string]: CountTotals }>

function isMap(counts: CountsByNr): counts is ReadonlyMap<number, CountTotals> {
  return counts instanceof Map
}

/**
 * Per-syscall totals folded into per-category totals. The result has all ten categories, in
 * display order, zeros included; keys that are not syscall numbers count as `other`, so the
 * category totals always add up to the input's.
 */
export function aggregateByCategory(arch: Arch, perNr: CountsByNr): Map<CategoryId, CountTotals> {
  const out = new Map<CategoryId, CountTotals>(CATEGORY_IDS.map((id) => [id, { calls: 0, errors: 0, time_ns: 0 }]))
  const entries: Iterable<[number | string, CountTotals]> = isMap(perNr) ? perNr.entries() : Object.entries(perNr)
  for (const [key, counts] of entries) {
    const nr = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : NaN
    const totals = out.get(categoryOf(arch, nr))
    if (!totals) continue
    totals.calls += counts.calls
    totals.errors += counts.errors
    totals.time_ns += counts.time_ns
  }
  return out
}
