// A files row of a summary (FileSummaryRow) for tests that build them: zeros, then the figures given.
import type { FileSummaryRow } from '../../src/shared/detail'

export function fileRow(pid: number, path: string | null, kind: FileSummaryRow['kind'], figures: Partial<FileSummaryRow> = {}): FileSummaryRow {
  return {
    pid,
    path,
    kind,
    opens: 0,
    open_errors: 0,
    reads: 0,
    read_bytes: 0,
    writes: 0,
    write_bytes: 0,
    io_errors: 0,
    time_ns: 0,
    stats: 0,
    unlinks: 0,
    renames_from: 0,
    renames_to: 0,
    mkdirs: 0,
    name_errors: 0,
    errnos: {},
    open_errnos: {},
    first_ms: 0,
    last_ms: 0,
    held: false,
    ...figures
  }
}
