// Loads a recording. A truncated file (the app was killed) loads what is there with a warning;
// a file that is not a syscope recording, or is from a newer syscope, gets a clear error.
// The file is read and inflated a chunk at a time and its records parsed line by line, so
// reading holds a chunk, a line and one tick's counts, whatever the recording's length: an hour's
// text is most of a GB, longer than V8's longest string.
import { open, type FileHandle } from 'node:fs/promises'
import { RECORDING_FORMAT, RECORDING_VERSION, type RecordLine, type RecordingHeader } from './format'
import { readDigestLocator } from './digest'
import { GzipLines, type LineReadOptions, type TextLine } from './gzip-lines'

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
      if (e instanceof RecordingError && e.code !== 'ECORRUPT') await throwIfCorrupt(text, path)
    } finally {
      await text.return?.()
    }
    throw e
  }
  const warnings: string[] = []
  return { header, lines: records(text, source, warnings, path), warnings }
}

async function openFile(path: string): Promise<{ fh: FileHandle; size: number }> {
  let fh: FileHandle
  try {
    fh = await open(path, 'r')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new RecordingError(`${path}: no such file`, 'ENOENT')
    if (code === 'EACCES') throw new RecordingError(`${path}: permission denied`, 'EACCES')
    throw e
  }
  // open(2) of a directory for reading succeeds; reading it is what fails
  const stat = await fh.stat()
  if (stat.isDirectory()) {
    await fh.close()
    throw new RecordingError(`${path}: is a directory, not a recording`, 'EFOREIGN')
  }
  return { fh, size: stat.size }
}

async function isGzip(fh: FileHandle): Promise<boolean> {
  const magic = Buffer.alloc(2)
  const { bytesRead } = await fh.read(magic, 0, 2, 0)
  return bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b
}

function parseHeader(line: string | null, path: string): RecordingHeader {
  let header: RecordingHeader
  try {
    header = JSON.parse(line ?? '') as RecordingHeader
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
  return header
}

/** The next line, or undefined at the end; damaged compressed data is ECORRUPT. */
async function nextLine(text: AsyncIterator<TextLine>, path: string): Promise<TextLine | undefined> {
  try {
    const r = await text.next()
    return r.done ? undefined : r.value
  } catch (e) {
    if (isZlibError(e)) throw new RecordingError(`${path} is corrupt: ${e.message}`, 'ECORRUPT')
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
  if (text === null) return null
  try {
    const rec = JSON.parse(text) as RecordLine
    return typeof rec === 'object' && rec !== null && RECORD_KINDS.has((rec as { k: string }).k) ? rec : null
  } catch {
    return null
  }
}

async function* records(text: AsyncIterator<TextLine>, source: GzipLines, warnings: string[], path: string): AsyncGenerator<RecordLine> {
  let bad = 0
  let cutOff = false
  // Ticks are complete only when their sample line arrived: counts wait for the next record, and
  // those of a cut tick at the end are dropped.
  let counts: RecordLine[] = []
  try {
    for (let line = await nextLine(text, path); line; line = await nextLine(text, path)) {
      if (line.text === '') continue
      const rec = parseRecord(line.text)
      if (!rec) {
        // the last line may be cut in half by a crash; anything else is damage
        if (line.unterminated) cutOff = true
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
