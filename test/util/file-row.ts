// A files row of a summary (FileSummaryRow) for tests that build them: empty, then the figures given.
import { emptyFileRow, type FileSummaryRow } from '../../src/shared/detail'

export function fileRow(pid: number, path: string | null, kind: FileSummaryRow['kind'], figures: Partial<FileSummaryRow> = {}): FileSummaryRow {
  return { ...emptyFileRow(pid, path, kind), first_ms: 0, last_ms: 0, ...figures }
}
