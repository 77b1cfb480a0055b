// Loads a recording. A truncated file (the app was killed) loads what is there with a warning;
// a file that is not a syscope recording, or is from a newer syscope, gets a clear error.
import { readFileSync } from 'node:fs'
import { constants, gunzipSync } from 'node:zlib'
import { RECORDING_FORMAT, RECORDING_VERSION, type RecordLine, type RecordingHeader } from './format'
import { readDigestLocator } from './digest'

export class RecordingError extends Error {
  constructor(
    message: string,
    readonly code: 'ENOENT' | 'EACCES' | 'EFOREIGN' | 'ENEWER' | 'ECORRUPT'
  ) {
    super(message)
  }
}

export interface LoadedRecording {
  header: RecordingHeader
  lines: RecordLine[]
  warnings: string[]
}

const RECORD_KINDS = new Set(['s', 'c', 'p', 'e', 'o', 'end'])

/** A recording whose header is read; its records are parsed as `lines` is iterated. */
export interface OpenedRecording {
  header: RecordingHeader
  lines: Iterable<RecordLine>
  /** complete once `lines` has been iterated */
  warnings: string[]
}

export function loadRecording(path: string): LoadedRecording {
  const rec = openRecording(path)
  const lines = [...rec.lines]
  return { header: rec.header, lines, warnings: rec.warnings }
}

/**
 * The header now, the records one by one: a store fed while they are parsed holds one line at a
 * time, where an hour's lines parsed all at once take most of a GB.
 */
export function openRecording(path: string): OpenedRecording {
  let raw: Buffer
  try {
    raw = readFileSync(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new RecordingError(`${path}: no such file`, 'ENOENT')
    if (code === 'EACCES') throw new RecordingError(`${path}: permission denied`, 'EACCES')
    if (code === 'EISDIR') throw new RecordingError(`${path}: is a directory, not a recording`, 'EFOREIGN')
    throw e
  }
  if (raw.length < 2 || raw[0] !== 0x1f || raw[1] !== 0x8b) {
    throw new RecordingError(`${path} is not a syscope recording (it is not gzip-compressed; syscope recordings end in .syscope)`, 'EFOREIGN')
  }
  const warnings: string[] = []
  // the digest after the ticks (digest.ts) is not needed to load them
  const digest = readDigestLocator(path)
  if (digest) raw = raw.subarray(0, digest.offset)
  let text: string
  try {
    text = gunzipSync(raw).toString('utf8')
  } catch {
    try {
      // A killed app leaves a stream without its gzip trailer: decode what was sync-flushed.
      text = gunzipSync(raw, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8')
    } catch (e) {
      throw new RecordingError(`${path} is corrupt: ${(e as Error).message}`, 'ECORRUPT')
    }
    warnings.push('the recording was not closed properly (the app or machine stopped while recording); loaded everything up to the last complete tick')
  }
  const parts = text.split('\n')
  const first = parts[0] ?? ''
  let header: RecordingHeader
  try {
    header = JSON.parse(first) as RecordingHeader
  } catch {
    throw new RecordingError(`${path} is not a syscope recording (no header line)`, 'EFOREIGN')
  }
  if (typeof header !== 'object' || header === null || header.format !== RECORDING_FORMAT) {
    throw new RecordingError(`${path} is not a syscope recording (its header does not say "${RECORDING_FORMAT}")`, 'EFOREIGN')
  }
  if (typeof header.version !== 'number' || header.version > RECORDING_VERSION) {
    throw new RecordingError(
      `${path} was written by a newer syscope (recording format ${String(header.version)}; this syscope reads up to ${RECORDING_VERSION}): update syscope to open it`,
      'ENEWER'
    )
  }
  return { header, lines: records(parts, warnings), warnings }
}

function* records(parts: string[], warnings: string[]): Generator<RecordLine> {
  let bad = 0
  const last = parts.length - 1
  // Ticks are complete only when their sample line arrived: counts wait for the next record, and
  // those of a cut tick at the end are dropped.
  let counts: RecordLine[] = []
  for (let i = 1; i < parts.length; i++) {
    const s = parts[i]!
    if (s === '') continue
    let rec: RecordLine
    try {
      rec = JSON.parse(s) as RecordLine
      if (typeof rec !== 'object' || rec === null || !RECORD_KINDS.has((rec as { k: string }).k)) throw new Error('unknown record')
    } catch {
      // the last line may be cut in half by a crash; anything else is damage
      if (i === last) warnings.push('the last record was cut off and was skipped')
      else bad++
      continue
    }
    if (rec.k === 'c') {
      counts.push(rec)
      continue
    }
    if (counts.length) {
      yield* counts
      counts = []
    }
    yield rec
  }
  if (bad > 0) warnings.push(`${bad} damaged record(s) were skipped`)
  if (counts.length) warnings.push('the last, incomplete tick was skipped')
}
