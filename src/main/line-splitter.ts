// Cuts a byte stream into text lines at '\n' bytes. A chunk may end anywhere — inside a line, or
// inside a multi-byte UTF-8 character — so the bytes of an unfinished line are kept, not decoded,
// until its '\n' arrives. ('\n' never occurs inside a multi-byte UTF-8 sequence, so cutting at the
// byte is safe.) No string longer than `maxLineBytes` is ever made: V8 cannot make one longer
// than ~512 Mi characters, and a file's text is only ever held a line at a time.
//
// Empty lines are skipped here, a run of '\n' bytes at a time: syscope writes none, and a file of
// nothing but newlines (a few hundred KB of gzip hold GBs of them) must cost next to nothing and
// stop after `maxEmptyRun` of them in a row.

/** A line longer than maxLineBytes: its bytes were dropped, not decoded. */
export const LINE_TOO_LONG = null

/** A bound of the reader was reached: the file is not what it claims, or is too large to read. */
export class LineLimitError extends Error {}

export class LineSplitter {
  /** the bytes of the unfinished line, in the order they came */
  private pieces: Buffer[] = []
  private pendingBytes = 0
  /** the unfinished line is already over the limit: its bytes are being skipped */
  private overLong = false
  /** empty lines since the last line that was not */
  private emptyRun = 0

  constructor(
    private readonly maxLineBytes: number,
    private readonly maxEmptyRun = Number.POSITIVE_INFINITY
  ) {}

  /** The lines `chunk` finishes, without their '\n'; empty lines are skipped. */
  *push(chunk: Buffer): Generator<string | typeof LINE_TOO_LONG> {
    let start = 0
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      if (nl === start && this.pendingBytes === 0 && !this.overLong) {
        // an empty line, and likely more after it: skip the whole run
        let end = nl + 1
        while (end < chunk.length && chunk[end] === 0x0a) end++
        this.emptyRun += end - nl
        if (this.emptyRun > this.maxEmptyRun) {
          throw new LineLimitError(`more than ${this.maxEmptyRun} empty lines in a row (syscope writes none)`)
        }
        start = end
        continue
      }
      this.emptyRun = 0
      yield this.finish(chunk.subarray(start, nl))
      start = nl + 1
    }
    if (start < chunk.length) this.keep(chunk.subarray(start))
  }

  /** What followed the last '\n', at the end of the stream: a line without its '\n', or undefined. */
  rest(): string | typeof LINE_TOO_LONG | undefined {
    if (!this.overLong && this.pendingBytes === 0) return undefined
    return this.finish(Buffer.alloc(0))
  }

  private keep(bytes: Buffer): void {
    if (this.overLong) return
    if (this.pendingBytes + bytes.length > this.maxLineBytes) {
      this.drop()
      this.overLong = true
      return
    }
    // a copy: the line may wait several chunks for its end, and should not keep (or share) theirs
    this.pieces.push(Buffer.from(bytes))
    this.pendingBytes += bytes.length
  }

  private finish(tail: Buffer): string | typeof LINE_TOO_LONG {
    if (this.overLong || this.pendingBytes + tail.length > this.maxLineBytes) {
      this.drop()
      this.overLong = false
      return LINE_TOO_LONG
    }
    if (this.pieces.length === 0) return tail.toString('utf8')
    this.pieces.push(tail)
    const line = Buffer.concat(this.pieces, this.pendingBytes + tail.length).toString('utf8')
    this.drop()
    return line
  }

  private drop(): void {
    this.pieces = []
    this.pendingBytes = 0
  }
}
