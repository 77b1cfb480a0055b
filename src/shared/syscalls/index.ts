// Syscall names and categories for both architectures syscope runs on.
import type { CategoryId } from '../contract'
import { CATEGORY_OF } from './categories'
import { SYSCALLS_AARCH64, SYSCALLS_X86_64 } from './table.generated'

export type Arch = 'x86_64' | 'aarch64'

export const CATEGORY_IDS: readonly CategoryId[] = ['file_io', 'memory', 'process', 'network', 'time', 'ipc', 'security', 'signal', 'system', 'other']

/** Display labels and chart colours (distinct, readable on light and dark backgrounds). */
export const CATEGORIES: readonly { id: CategoryId; label: string; color: string }[] = [
  { id: 'file_io', label: 'File I/O', color: '#4e79a7' },
  { id: 'memory', label: 'Memory', color: '#f28e2b' },
  { id: 'process', label: 'Process', color: '#59a14f' },
  { id: 'network', label: 'Network', color: '#e15759' },
  { id: 'time', label: 'Time', color: '#b07aa1' },
  { id: 'ipc', label: 'IPC & sync', color: '#76b7b2' },
  { id: 'security', label: 'Security', color: '#edc948' },
  { id: 'signal', label: 'Signals', color: '#ff9da7' },
  { id: 'system', label: 'System', color: '#9c755f' },
  { id: 'other', label: 'Other', color: '#bab0ac' }
]

export function syscallTable(arch: Arch): Readonly<Record<number, string>> {
  return arch === 'aarch64' ? SYSCALLS_AARCH64 : SYSCALLS_X86_64
}

/** The syscall's name, or `sys_<nr>` for a number this table does not know. */
export function syscallName(arch: Arch, nr: number): string {
  return syscallTable(arch)[nr] ?? `sys_${nr}`
}

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

/** Per-syscall totals (nr → counts) folded into per-category totals. */
export function aggregateByCategory(arch: Arch, perNr: ReadonlyMap<number, CountTotals>): Map<CategoryId, CountTotals> {
  const out = new Map<CategoryId, CountTotals>()
  for (const [nr, c] of perNr) {
    const cat = categoryOf(arch, nr)
    const t = out.get(cat) ?? { calls: 0, errors: 0, time_ns: 0 }
    t.calls += c.calls
    t.errors += c.errors
    t.time_ns += c.time_ns
    out.set(cat, t)
  }
  return out
}
