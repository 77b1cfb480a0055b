// The summary text's files section: one line per file over the whole tree, as a user asks "which
// files did it use" (the JSON keeps a row per process and file). A pipe's line names its ends.
import { filesByPath, pipeEnds, type FileByPath, type FileSummaryRow } from '../shared/detail'
import { posix } from 'node:path'
import { printable } from '../shared/printable'
import { formatBytes, formatCount, formatCounted, formatDuration, formatProcesses } from '../shared/format'

/** files listed, and names that failed to open */
const FILES_SHOWN = 10
const FAILED_SHOWN = 5

/**
 * The files section: the files that moved the most bytes, then the names that failed to open
 * most often. With the network watched, sockets are its lines (a server's connections would
 * fill these): `socketsElsewhere`. The rows' paths are as the kernel gave them: each shown is
 * made printable here (comm gives printable names).
 */
export function fileLines(rows: readonly FileSummaryRow[], socketsElsewhere: boolean, comm: (pid: number) => string): string[] {
  // used: opened, read or written, held, or there when looked up by name at least once (a name
  // only ever missing is no file: the not-found line counts it; a readlink's EINVAL found one)
  const missing = (f: FileSummaryRow): number => (f.errnos.ENOENT ?? 0) + (f.errnos.ENOTDIR ?? 0)
  const found = (f: FileSummaryRow): boolean =>
    f.opens + f.reads + f.writes > 0 || f.held || f.stats + f.unlinks + f.renames_from + f.renames_to + f.mkdirs > missing(f)
  const opened = rows.filter((f) => f.open_errors === 0 && found(f))
  const shown = socketsElsewhere ? opened.filter((f) => f.kind !== 'socket') : opened
  const sockets = filesByPath(opened.filter((f) => f.kind === 'socket')).length
  const used = filesByPath(shown).sort((a, b) => b.read_bytes + b.write_bytes - (a.read_bytes + a.write_bytes) || b.opens - a.opens)
  const failed = filesByPath(rows.filter((f) => f.open_errors > 0)).sort(
    (a, b) => b.open_errors - a.open_errors || String(a.path).localeCompare(String(b.path))
  )
  const also = socketsElsewhere && sockets ? ` (and ${formatCounted(sockets, 'socket')}: network, below)` : ''
  const out = [`  files: ${formatCount(used.length)} used, ${formatCounted(failed.length, 'name')} failed to open${also}`]
  const shownUsed = used.slice(0, FILES_SHOWN)
  // the "by" column as wide as its widest ("python3 23981")
  const by = shownUsed.map((f) => formatProcesses(f.pids, comm))
  const byWidth = Math.max(12, ...by.map((b) => b.length))
  // --counts-only reads no clock: no time column then, rather than one of blanks
  const timed = used.some((f) => f.time_ns !== null)
  const time = (f: FileByPath): string => (timed ? `${formatDuration(f.time_ns ?? 0).padStart(13)}   ` : '')
  if (used.length) out.push(`    read        written     opens   ${timed ? 'time in calls   ' : ''}${'by'.padEnd(byWidth)} path`)
  shownUsed.forEach((f, i) => {
    const ends = f.kind === 'pipe' ? pipeEnds(f, comm) : ''
    const path = f.path === null ? '(name not kept)' : `${printable(f.path)}${ends ? ` (${ends})` : ''}`
    out.push(
      `    ${formatBytes(f.read_bytes).padEnd(11)} ${formatBytes(f.write_bytes).padEnd(11)} ${formatCount(f.opens).padStart(5)}   ${time(f)}${by[i]!.padEnd(byWidth)} ${path}`
    )
  })
  for (const f of failed.slice(0, FAILED_SHOWN)) {
    const why = Object.entries(f.open_errnos)
      .map(([e, n]) => `${e} ${formatCount(n)}`)
      .join(', ')
    out.push(`    failed to open ${printable(f.path ?? '')} (${formatProcesses(f.pids, comm)}): ${why}`)
  }
  const notThere = notFound(rows)
  if (notThere) out.push(notThere)
  return out
}

/** directories named in the not-found line */
const DIRS_SHOWN = 3

/**
 * The names looked up without an open (stat, access, readlink, unlink...) that did not exist: a
 * search path probed (a module resolver, an interpreter's path) is a classic finding. One line:
 * how many, and the directories most of them were looked for in; or a few names, each.
 */
function notFound(rows: readonly FileSummaryRow[]): string | null {
  const names = filesByPath(rows.filter((r) => r.open_errors === 0 && (r.errnos.ENOENT ?? 0) > 0 && r.path !== null))
  if (!names.length) return null
  const times = (n: number): string => (n === 1 ? 'once' : `${formatCount(n)} times`)
  // a few names: each, whole
  if (names.length <= DIRS_SHOWN) {
    const each = [...names].sort((a, b) => b.errnos.ENOENT! - a.errnos.ENOENT! || String(a.path).localeCompare(String(b.path)))
    return `    not there (ENOENT) when looked up by name: ${each.map((f) => `${printable(f.path!)} (${times(f.errnos.ENOENT!)})`).join(', ')}`
  }
  const lookups = names.reduce((n, f) => n + f.errnos.ENOENT!, 0)
  const inDir = new Map<string, number>()
  for (const f of names) {
    const dir = posix.dirname(f.path!)
    inDir.set(dir, (inDir.get(dir) ?? 0) + 1)
  }
  const most = [...inDir]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, DIRS_SHOWN)
    .map(([dir, n]) => `${printable(dir)} (${formatCount(n)})`)
  return `    not there (ENOENT) when looked up by name: ${formatCounted(names.length, 'name')}, ${times(lookups)}, most in ${most.join(', ')}`
}
