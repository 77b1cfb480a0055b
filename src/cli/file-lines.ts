// The summary text's files section: one line per file over the whole tree, as a user asks "which
// files did it use" (the JSON keeps a row per process and file). A pipe's line names its ends.
import { filesByPath, pipeEnds, type FileSummaryRow } from '../shared/detail'
import { formatBytes, formatCount, formatDuration } from '../shared/format'

/** files listed, and names that failed to open */
const FILES_SHOWN = 10
const FAILED_SHOWN = 5

/** "4 processes", or the one pid */
const who = (pids: readonly number[]): string => (pids.length === 1 ? `pid ${pids[0]}` : `${formatCount(pids.length)} processes`)

/**
 * The files section: the files that moved the most bytes, then the names that failed to open
 * most often. With the network watched, sockets are its lines (a server's connections would
 * fill these): `socketsElsewhere`.
 */
export function fileLines(rows: readonly FileSummaryRow[], socketsElsewhere: boolean, comm: (pid: number) => string): string[] {
  const opened = rows.filter((f) => f.open_errors === 0)
  const shown = socketsElsewhere ? opened.filter((f) => f.kind !== 'socket') : opened
  const sockets = filesByPath(opened.filter((f) => f.kind === 'socket')).length
  const used = filesByPath(shown).sort((a, b) => b.read_bytes + b.write_bytes - (a.read_bytes + a.write_bytes) || b.opens - a.opens)
  const failed = filesByPath(rows.filter((f) => f.open_errors > 0)).sort(
    (a, b) => b.open_errors - a.open_errors || String(a.path).localeCompare(String(b.path))
  )
  const failedNames = failed.length === 1 ? '1 name' : `${formatCount(failed.length)} names`
  const also = socketsElsewhere && sockets ? ` (and ${formatCount(sockets)} socket${sockets === 1 ? '' : 's'}: network, below)` : ''
  const out = [`  files: ${formatCount(used.length)} used, ${failedNames} failed to open${also}`]
  if (used.length) out.push('    read        written     opens   time in calls   by           path')
  for (const f of used.slice(0, FILES_SHOWN)) {
    const ends = f.kind === 'pipe' ? pipeEnds(f, comm) : ''
    const path = f.path === null ? '(name not kept)' : `${f.path}${ends ? ` (${ends})` : ''}`
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
