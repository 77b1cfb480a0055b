// Streams a session to disk while it runs. Every tick is sync-flushed through gzip and written
// with a synchronous write, so after `kill -9` of the app the file holds every tick but the
// one in flight.
import { closeSync, constants as fsConstants, existsSync, fsyncSync, ftruncateSync, openSync, rmSync, statSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { constants, createGzip, type Gzip } from 'node:zlib'
import type { RecordLine, RecordingHeader } from '../types/recording-format'

/** A new file of ours only: never over an existing file, never through a symlink planted there. */
export const CREATE_NEW = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW

/**
 * Create `path` for writing, refusing an existing file or symlink, and a missing directory (we
 * never create directories the user did not ask for). Errors name the file and what to do.
 */
export function createNewFile(path: string, what: string): number {
  const dir = dirname(path)
  if (!existsSync(dir)) throw new Error(`cannot create the ${what} ${path}: the directory ${dir} does not exist; create it first or choose another`)
  if (!statSync(dir).isDirectory()) throw new Error(`cannot create the ${what} ${path}: ${dir} is not a directory`)
  try {
    return openSync(path, CREATE_NEW, 0o600)
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    // O_EXCL fails on a symlink too (EEXIST), dangling or not: it is never followed
    if (err.code === 'EEXIST' || err.code === 'ELOOP')
      throw Object.assign(
        new Error(`${path} already exists, and syscope never overwrites ${what === 'recording' ? 'a recording' : 'a file'}: remove it or choose another name`),
        { code: 'EEXIST' }
      )
    throw Object.assign(new Error(`cannot create the ${what} ${path}: ${err.message}`), { code: err.code })
  }
}

/** Why the recording could not be written, and how much of it is kept. */
export interface WriteFailure {
  code: string
  message: string
}

export class RecordingWriter {
  private fd: number
  private gzip: Gzip
  private closed = false
  /** bytes written to the file; and the end of the last complete flush (a whole tick) */
  private written = 0
  private complete = 0
  /** the session time (ms) of the last flush that reached the file whole */
  private completeMs = 0
  private failure: WriteFailure | null = null
  private onFailure: ((f: WriteFailure) => void) | null = null
  private endWaiter: (() => void) | null = null
  /** the tick's lines so far: gzip gets them in one write at its end (each write is a round
   * trip to zlib's thread: a tick of 50,000 files' lines took seconds one by one) */
  private pending: string[] = []

  /**
   * Create the file (never over an existing one) before anything runs, so that a recording that
   * cannot be written stops a session before it starts a command. `fd` is one from reserve().
   */
  static reserve(path: string): number {
    return createNewFile(path, 'recording')
  }

  /** A reserved file the session did not get to use: closed and removed. */
  static abandon(fd: number, path: string): void {
    closeSync(fd)
    rmSync(path, { force: true })
  }

  constructor(
    readonly path: string,
    header: RecordingHeader,
    fd?: number
  ) {
    this.fd = fd ?? RecordingWriter.reserve(path)
    this.gzip = createGzip({ level: 6 })
    this.gzip.on('data', (chunk: Buffer) => {
      if (this.failure || this.fd < 0) return
      try {
        writeAll(this.fd, chunk)
        this.written += chunk.length
      } catch (e) {
        this.fail(e as NodeJS.ErrnoException)
      }
    })
    this.writeLine(header)
    this.flush()
  }

  /** Called once, at the first write that fails (a full disk, a lost device). */
  onFail(cb: (f: WriteFailure) => void): void {
    this.onFailure = cb
    if (this.failure) cb(this.failure)
  }

  get failed(): WriteFailure | null {
    return this.failure
  }

  write(line: RecordLine): void {
    if (this.closed || this.failure) return
    this.writeLine(line)
  }

  /** End of a tick (at session time tMs): push everything written so far to the file. */
  flush(tMs = this.completeMs): void {
    if (this.closed || this.failure) return
    this.push()
    this.gzip.flush(constants.Z_SYNC_FLUSH, () => {
      // everything up to here ends on a flush boundary: a reader inflates it whole
      if (this.failure) return
      this.complete = this.written
      this.completeMs = tMs
    })
  }

  /** How far into the session the file reaches whole: what a failure leaves of it. */
  get keptMs(): number {
    return this.completeMs
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (!this.failure) {
      // the last bytes may fail to write too: fail() then ends the wait, as 'end' never comes
      this.push()
      await new Promise<void>((resolve) => {
        this.endWaiter = resolve
        this.gzip.once('end', resolve)
        this.gzip.end()
      })
    }
    try {
      if (!this.failure) fsyncSync(this.fd)
    } catch (e) {
      this.fail(e as NodeJS.ErrnoException)
    }
    closeSync(this.fd)
    this.fd = -1
  }

  private fail(err: NodeJS.ErrnoException): void {
    if (this.failure) return
    this.failure = { code: err.code ?? 'EIO', message: err.message }
    // a half-written gzip block would hide the tick before it: cut the file back to the last
    // whole flush, which frees the space it took too
    try {
      ftruncateSync(this.fd, this.complete)
    } catch {
      /* the reader skips a cut-off end anyway */
    }
    this.pending = []
    this.gzip.removeAllListeners('data')
    this.gzip.on('error', () => undefined)
    this.gzip.destroy()
    this.endWaiter?.()
    this.onFailure?.(this.failure)
  }

  private writeLine(obj: unknown): void {
    this.pending.push(JSON.stringify(obj) + '\n')
  }

  private push(): void {
    if (!this.pending.length) return
    this.gzip.write(this.pending.join(''))
    this.pending = []
  }
}

/** write(2) until all of buf is written */
export function writeAll(fd: number, buf: Buffer): void {
  let off = 0
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off)
}
