// The text lines of a gzip file, inflated a chunk at a time: memory holds a chunk and the line
// being cut, never the file's text (an hour's text is longer than V8's longest string).
import type { FileHandle } from 'node:fs/promises'
import { pipeline } from 'node:stream'
import { constants, crc32, createGunzip } from 'node:zlib'
import { LineLimitError, LineSplitter } from '../line-splitter'
import { MAX_JUNK_RUN_BYTES, MAX_RECORD_LINE_BYTES, MAX_TICK_TEXT_BYTES } from '../types/limits'

export interface LineReadOptions {
  /** bytes read, and inflated, at a time (zlib's smallest is 64) */
  chunkBytes?: number
  /** a longer line comes with `text: null`, undecoded */
  maxLineBytes?: number
  /** inflating more text than this throws LineLimitError (the output cap of the decompression) */
  maxTextBytes?: number
}

export const DEFAULT_CHUNK_BYTES = 64 * 1024

export interface TextLine {
  /** the line without its '\n'; null when it was longer than maxLineBytes */
  text: string | null
  /** the text after the stream's last '\n': a line cut off, if the file was */
  unterminated: boolean
}

const GZIP_HEADER_BYTES = 10
const GZIP_TRAILER_BYTES = 8

/**
 * The lines of the first `end` bytes of the open file `fh`, which this owns: it is closed when
 * the iteration ends, or is left. A file cut short (no gzip trailer) yields all it can decode
 * and leaves `complete` false; damaged data throws zlib's error.
 */
export class GzipLines implements AsyncIterable<TextLine> {
  /** once iterated: the gzip stream ended with its trailer */
  complete = false
  private readonly chunkBytes: number
  private readonly maxLineBytes: number
  private readonly maxTextBytes: number

  constructor(
    private readonly fh: FileHandle,
    private readonly end: number,
    opts: LineReadOptions = {}
  ) {
    this.chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES
    this.maxLineBytes = opts.maxLineBytes ?? MAX_RECORD_LINE_BYTES
    this.maxTextBytes = opts.maxTextBytes ?? MAX_TICK_TEXT_BYTES
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TextLine> {
    const source = this.fh.createReadStream({ start: 0, end: this.end - 1, highWaterMark: this.chunkBytes, autoClose: false })
    // Z_SYNC_FLUSH at the end, not Z_FINISH: a file cut short decodes up to its last flush (the
    // writer flushes every tick) instead of failing as a whole
    const gunzip = createGunzip({ chunkSize: this.chunkBytes, finishFlush: constants.Z_SYNC_FLUSH })
    // an error of either stream destroys both, and reaches the loop below through gunzip
    pipeline(source, gunzip, () => {})
    const splitter = new LineSplitter(this.maxLineBytes, MAX_JUNK_RUN_BYTES)
    const text = { crc: 0, bytes: 0, lastLine: null as string | null }
    try {
      const trailer = await this.readTrailer()
      for await (const chunk of gunzip as AsyncIterable<Buffer>) {
        text.crc = crc32(chunk, text.crc)
        text.bytes += chunk.length
        if (text.bytes > this.maxTextBytes) {
          throw new LineLimitError(`its text is longer than ${this.maxTextBytes} bytes, the most syscope reads of a recording's ticks`)
        }
        for (const line of splitter.push(chunk)) {
          text.lastLine = line
          yield { text: line, unterminated: false }
        }
      }
      const rest = splitter.rest()
      if (rest !== undefined) yield { text: rest, unterminated: true }
      this.complete = trailer !== null && (matches(trailer, text.crc, text.bytes) || (rest === undefined && lastLineIsMember(trailer, text.lastLine)))
    } finally {
      gunzip.destroy()
      source.destroy()
      await this.fh.close()
    }
  }

  /** The last 8 bytes, where a complete gzip member keeps the CRC-32 and size of its text. */
  private async readTrailer(): Promise<Buffer | null> {
    if (this.end < GZIP_HEADER_BYTES + GZIP_TRAILER_BYTES) return null
    const buf = Buffer.alloc(GZIP_TRAILER_BYTES)
    const { bytesRead } = await this.fh.read(buf, 0, GZIP_TRAILER_BYTES, this.end - GZIP_TRAILER_BYTES)
    return bytesRead === GZIP_TRAILER_BYTES ? buf : null
  }
}

function matches(trailer: Buffer, crc: number, bytes: number): boolean {
  return trailer.readUInt32LE(0) === crc && trailer.readUInt32LE(4) === bytes % 2 ** 32
}

/**
 * A member of its own after the ticks, one line long: a digest whose locator is missing (the app
 * stopped between writing the two) or damaged. The ticks before it are complete then too.
 */
function lastLineIsMember(trailer: Buffer, line: string | null): boolean {
  if (line === null) return false
  const member = Buffer.from(line + '\n')
  return matches(trailer, crc32(member), member.length)
}
