// The summary text's files section: one line per file over the whole tree, as a user asks "which
// files did it use" (the JSON keeps a row per process and file). A pipe's line names its ends.
import type { FileSummaryRow } from '../shared/detail'
import { formatBytes, formatCount, formatDuration } from '../shared/format'

/** files listed, and names that failed to open */
const FILES_SHOWN = 10
const FAILED_SHOWN = 5

interface ByPath {
  path: string | null
  kind: FileSummaryRow['kind']
  pids: number[]
  read_bytes: number
  write_bytes: number
  opens: number
  open_errors: number
  time_ns: number
  open_errnos: Record<string, number>
  /** pids that wrote to it, and that read from it */
  writers: number[]
  readers: number[]
}

/** the rows by path (a row whose name was not kept stays its own) */
function byPath(rows: readonly FileSummaryRow[]): ByPath[] {
  const by = new Map<string, ByPath>()
  for (const r of rows) {
    const key = r.path ?? `${r.pid} ${by.size}`
    let f = by.get(key)
    if (!f) {
      f = {
        path: r.path,
        kind: r.kind,
        pids: [],
        read_bytes: 0,
        write_bytes: 0,
        opens: 0,
        open_errors: 0,
        time_ns: 0,
        open_errnos: {},
        writers: [],
        readers: []
      }
      by.set(key, f)
    }
    f.pids.push(r.pid)
    f.read_bytes += r.read_bytes
    f.write_bytes += r.write_bytes
    f.opens += r.opens
    f.open_errors += r.open_errors
    f.time_ns += r.time_ns
    for (const [e, n] of Object.entries(r.open_errnos)) f.open_errnos[e] = (f.open_errnos[e] ?? 0) + n
    if (r.write_bytes > 0) f.writers.push(r.pid)
    if (r.read_bytes > 0) f.readers.push(r.pid)
  }
  return [...by.values()]
}

/** "4 processes", or the one pid */
const who = (pids: readonly number[]): string => (pids.length === 1 ? `pid ${pids[0]}` : `${formatCount(pids.length)} processes`)

/** "gzip → wc": a pipe's writers and readers by name (two at most each) */
function ends(f: ByPath, comm: (pid: number) => string): string {
  const names = (pids: readonly number[]): string => {
    const n = [...new Set(pids.map((p) => comm(p) || `pid ${p}`))]
    return n.length ? `${n.slice(0, 2).join(', ')}${n.length > 2 ? ' and others' : ''}` : '?'
  }
  return f.writers.length || f.readers.length ? ` (${names(f.writers)} → ${names(f.readers)})` : ''
}

/**
 * The files section: the files that moved the most bytes, then the names that failed to open
 * most often. With the network watched, sockets are its lines (a server's connections would
 * fill these): `socketsElsewhere`.
 */
export function fileLines(rows: readonly FileSummaryRow[], socketsElsewhere: boolean, comm: (pid: number) => string): string[] {
  const opened = rows.filter((f) => f.open_errors === 0)
  const shown = socketsElsewhere ? opened.filter((f) => f.kind !== 'socket') : opened
  const sockets = byPath(opened.filter((f) => f.kind === 'socket')).length
  const used = byPath(shown).sort((a, b) => b.read_bytes + b.write_bytes - (a.read_bytes + a.write_bytes) || b.opens - a.opens)
  const failed = byPath(rows.filter((f) => f.open_errors > 0)).sort((a, b) => b.open_errors - a.open_errors || String(a.path).localeCompare(String(b.path)))
  const failedNames = failed.length === 1 ? '1 name' : `${formatCount(failed.length)} names`
  const also = socketsElsewhere && sockets ? ` (and ${formatCount(sockets)} socket${sockets === 1 ? '' : 's'}: network, below)` : ''
  const out = [`  files: ${formatCount(used.length)} used, ${failedNames} failed to open${also}`]
  if (used.length) out.push('    read        written     opens   time in calls   by           path')
  for (const f of used.slice(0, FILES_SHOWN)) {
    const path = f.path === null ? '(name not kept)' : f.kind === 'pipe' ? `${f.path}${ends(f, comm)}` : f.path
    out.push(
      `    ${formatBytes(f.read_bytes).padEnd(11)} ${formatBytes(f.write_bytes).padEnd(11)} ${formatCount(f.opens).padStart(5)}   ${formatDuration(f.time_ns).padStart(13)}   ${who(f.pids).padEnd(12)} ${path}`
    )
  }
  for (const f of failed.slice(0, FAILED_SHOWN)) {
    const why = Object.entries(f.open_errnos)
      .map(([e, n]) => `${e} ${formatCount(n)}`)
      .join(', ')
    out.push(`    failed to open ${f.path ?? ''} (${who(f.pids)}): ${why}`)
  }
  return out
}
