// Loads a recording. A truncated file (the app was killed) loads what is there with a warning;
// a file that is not a syscope recording, or is from a newer syscope, gets a clear error.
// The file is read and inflated a chunk at a time and its records parsed line by line, so
// reading holds a chunk, a line and one tick's counts, whatever the recording's length: an hour's
// text is most of a GB, longer than V8's longest string.
//
// Whatever the file holds, reading it takes bounded memory and time (limits.ts): a record that is
// not what syscope writes is skipped and counted, never fatal; a run of junk, or a file that would
// exceed a bound, is a clear error.
import type { FileHandle } from 'node:fs/promises'
import { RECORDING_FORMAT, RECORDING_VERSION, type RecordLine, type RecordingHeader } from '../types/recording-format'
import { readDigestLocator } from './digest'
import { GzipLines, type LineReadOptions, type TextLine } from './gzip-lines'
import { LineLimitError } from '../line-splitter'
import { OpenFileError, openRegularFile } from './open-file'
import { parseJsonBounded } from './json-depth'
import { checkRecord, headerProblem, isHeaderOfFormat } from './check-record'
import { MAX_COUNT_BYTES_PER_TICK, MAX_COUNTS_PER_TICK, MAX_DAMAGED_RECORDS, MAX_JUNK_RUN_BYTES, MAX_RECORD_LINE_BYTES } from '../types/limits'

export class RecordingError extends Error {
  constructor(
    message: string,
    /** ETOOBIG: the file reached one of the reader's bounds (limits.ts) */
    readonly code: 'ENOENT' | 'EACCES' | 'EFOREIGN' | 'ENEWER' | 'ECORRUPT' | 'ETOOBIG'
  ) {
    super(message)
  }
}

export interface LoadedRecording {
  header: RecordingHeader
  lines: RecordLine[]
  warnings: string[]
}

/** A recording whose header is read; its records are read and parsed as `lines` is iterated. */
export interface OpenedRecording {
  header: RecordingHeader
  /** iterate it to the end (or leave the loop): that closes the file */
  lines: AsyncIterable<RecordLine>
  /** complete once `lines` has been iterated */
  warnings: string[]
}

export type ReadOptions = LineReadOptions

/** Every record at once: for tests and small files (the app feeds a store from `openRecording`). */
export async function loadRecording(path: string, opts: ReadOptions = {}): Promise<LoadedRecording> {
  const rec = await openRecording(path, opts)
  const lines: RecordLine[] = []
  for await (const line of rec.lines) lines.push(line)
  return { header: rec.header, lines, warnings: rec.warnings }
}

/**
 * The header now, the records one by one: a store fed while they are read holds one line at a
 * time, where an hour's text at once does not even fit in a string.
 */
export async function openRecording(path: string, opts: ReadOptions = {}): Promise<OpenedRecording> {
  const { fh, size } = await openFile(path)
  let text: AsyncIterator<TextLine>
  let source: GzipLines
  try {
    if (!(await isGzip(fh))) {
      throw new RecordingError(`${path} is not a syscope recording (it is not gzip-compressed; syscope recordings end in .syscope)`, 'EFOREIGN')
    }
    // the digest after the ticks (digest.ts) is not needed to load them
    const digest = readDigestLocator(path)
    source = new GzipLines(fh, digest ? digest.offset : size, opts)
    text = source[Symbol.asyncIterator]()
  } catch (e) {
    await fh.close()
    throw e
  }
  let header: RecordingHeader
  try {
    header = parseHeader((await nextLine(text, path))?.text ?? null, path)
  } catch (e) {
    try {
      // zlib checks the data at the end of the stream (CRC-32): until then a damaged first block
      // reads as a foreign or newer header, so the rest is read to tell damage apart
      if (e instanceof RecordingError && e.code !== 'ECORRUPT' && e.code !== 'ETOOBIG') await throwIfCorrupt(text, path)
    } finally {
      await text.return?.()
    }
    throw e
  }
  const warnings: string[] = []
  return { header, lines: records(text, source, warnings, path, opts.maxLineBytes ?? MAX_RECORD_LINE_BYTES), warnings }
}

async function openFile(path: string): Promise<{ fh: FileHandle; size: number }> {
  try {
    return await openRegularFile(path)
  } catch (e) {
    if (e instanceof OpenFileError) throw new RecordingError(e.message, e.code)
    throw e
  }
}

async function isGzip(fh: FileHandle): Promise<boolean> {
  const magic = Buffer.alloc(2)
  const { bytesRead } = await fh.read(magic, 0, 2, 0)
  return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b
}

/**
 * The header of the recording `path`, from its first line: not a syscope header is EFOREIGN; a
 * version this syscope does not read is ENEWER (a newer one) or ECORRUPT (not a version at all);
 * a field that cannot be right is ECORRUPT, naming it.
 */
export function parseHeader(line: string | null, path: string): RecordingHeader {
  const header = line === null ? undefined : parseJsonBounded(line)
  if (header === undefined) throw new RecordingError(`${path} is not a syscope recording (no header line)`, 'EFOREIGN')
  if (!isHeaderOfFormat(header)) {
    throw new RecordingError(`${path} is not a syscope recording (its header does not say "${RECORDING_FORMAT}")`, 'EFOREIGN')
  }
  const v = header.version
  if (!(Number.isSafeInteger(v) && (v as number) > 0)) {
    throw new RecordingError(
      `${path} is damaged: its header's "version" is ${JSON.stringify(v) ?? 'missing'}, not a format version (a whole number from 1)`,
      'ECORRUPT'
    )
  }
  if ((v as number) > RECORDING_VERSION) {
    throw new RecordingError(
      `${path} was written by a newer syscope (recording format ${String(v)}; this syscope reads up to ${RECORDING_VERSION}): update syscope to open it`,
      'ENEWER'
    )
  }
  const problem = headerProblem(header)
  if (problem) throw new RecordingError(`${path} is damaged: ${problem}`, 'ECORRUPT')
  return header as unknown as RecordingHeader
}

/** The next line, or undefined at the end; damaged compressed data is ECORRUPT, a bound reached ETOOBIG. */
async function nextLine(text: AsyncIterator<TextLine>, path: string): Promise<TextLine | undefined> {
  try {
    const r = await text.next()
    return r.done ? undefined : r.value
  } catch (e) {
    if (isZlibError(e)) throw new RecordingError(`${path} is corrupt: ${e.message}`, 'ECORRUPT')
    if (e instanceof LineLimitError) throw new RecordingError(`${path} cannot be read: ${e.message}`, 'ETOOBIG')
    throw e
  }
}

/** Reads the rest, for zlib to check it: damage is ECORRUPT. */
async function throwIfCorrupt(text: AsyncIterator<TextLine>, path: string): Promise<void> {
  while ((await nextLine(text, path)) !== undefined);
}

function isZlibError(e: unknown): e is Error {
  // zlib's errors carry its return code's name: Z_DATA_ERROR, Z_BUF_ERROR, ...
  return e instanceof Error && /^Z_/.test(String((e as NodeJS.ErrnoException).code))
}

function parseRecord(text: string | null): RecordLine | null {
  return text === null ? null : checkRecord(parseJsonBounded(text))
}

async function* records(text: AsyncIterator<TextLine>, source: GzipLines, warnings: string[], path: string, maxLineBytes: number): AsyncGenerator<RecordLine> {
  let bad = 0
  let cutOff = false
  /** bytes of damaged records in a row: a file of junk stops after MAX_JUNK_RUN_BYTES of it */
  let junkRun = 0
  // Ticks are complete only when their sample line arrived: counts wait for the next record, and
  // those of a cut tick at the end are dropped. They are bounded: a file of counts and no sample
  // would otherwise hold them all.
  let counts: RecordLine[] = []
  let countBytes = 0
  try {
    for (let line = await nextLine(text, path); line; line = await nextLine(text, path)) {
      const rec = parseRecord(line.text)
      if (!rec) {
        // the last line may be cut in half by a crash; anything else is damage
        if (line.unterminated) cutOff = true
        else bad++
        junkRun += line.text === null ? maxLineBytes : line.text.length + 1
        if (junkRun > MAX_JUNK_RUN_BYTES) {
          throw new RecordingError(
            `${path} is not a syscope recording past its header, or is badly damaged: over ${MAX_JUNK_RUN_BYTES} bytes of damaged records in a row`,
            'ECORRUPT'
          )
        }
        if (bad > MAX_DAMAGED_RECORDS) {
          throw new RecordingError(`${path} is badly damaged: over ${MAX_DAMAGED_RECORDS} damaged records`, 'ECORRUPT')
        }
        continue
      }
      junkRun = 0
      if (rec.k === 'c') {
        const bytes = line.text!.length
        if (counts.length >= MAX_COUNTS_PER_TICK || countBytes + bytes > MAX_COUNT_BYTES_PER_TICK) {
          throw new RecordingError(
            `${path} is damaged or not a recording: a tick (t=${(rec as { t: number }).t} ms) has over ${MAX_COUNTS_PER_TICK} syscall count records or ${MAX_COUNT_BYTES_PER_TICK} bytes of them without its sample line (a real tick has one per process)`,
            'ETOOBIG'
          )
        }
        counts.push(rec)
        countBytes += bytes
        continue
      }
      if (counts.length) {
        yield* counts
        counts = []
        countBytes = 0
      }
      yield rec
    }
  } finally {
    await text.return?.()
  }
  if (!source.complete) {
    // A killed app leaves a stream without its gzip trailer: what was flushed has been read.
    warnings.push('the recording was not closed properly (the app or machine stopped while recording); loaded everything up to the last complete tick')
  }
  if (cutOff) warnings.push('the last record was cut off and was skipped')
  if (bad > 0) warnings.push(`${bad} damaged record(s) were skipped`)
  if (counts.length) warnings.push('the last, incomplete tick was skipped')
}
