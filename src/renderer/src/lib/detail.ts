// What the Files and Network tables share: their text filter and the pid a click picked.

/** Rows of `pid` (null: every pid) with `query` in one of their texts (case-insensitive). */
export function filterDetailRows<T extends { pid: number }>(rows: readonly T[], query: string, pid: number | null, texts: (row: T) => (string | null)[]): T[] {
  const q = query.trim().toLowerCase()
  return rows.filter((r) => (pid === null || r.pid === pid) && (!q || [String(r.pid), ...texts(r)].some((t) => t !== null && t.toLowerCase().includes(q))))
}

/** A failed open's errnos as the table shows them: "ENOENT", or "ENOENT 2, EACCES 1". */
export function errnoText(errnos: Record<string, number>): string {
  const e = Object.entries(errnos)
  return e.length === 1 ? e[0]![0] : e.map(([name, n]) => `${name} ${n}`).join(', ')
}
