// Streams a session to disk while it runs. Every tick is sync-flushed through gzip and written
// with a synchronous write, so after `kill -9` of the app the file holds every tick but the
// one in flight.
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { constants, createGzip, type Gzip } from 'node:zlib'
import type { RecordLine, RecordingHeader } from './format'

export class RecordingWriter {
  private fd: number
  private gzip: Gzip
  private closed = false

  /**
   * Create the file (never over an existing one) before anything runs, so that a recording that
   * cannot be written stops a session before it starts a command. `fd` is one from reserve().
   */
  static reserve(path: string): number {
    try {
      mkdirSync(dirname(path), { recursive: true })
      return openSync(path, 'wx', 0o600)
    } catch (e) {
      const err = e as NodeJS.ErrnoException
      throw new Error(
        err.code === 'EEXIST'
          ? `${path} already exists, and syscope never overwrites a recording: remove it or choose another file`
          : `cannot create the recording ${path}: ${err.message}`
      )
    }
  }

  /** A reserved file the session did not get to use: closed and removed. */
  static abandon(fd: number, path: string): void {
    closeSync(fd)
    rmSync(path, { force: true })
  }

  constructor(readonly path: string, header: RecordingHeader, fd?: number) {
    this.fd = fd ?? RecordingWriter.reserve(path)
    this.gzip = createGzip({ level: 6 })
    this.gzip.on('data', (chunk: Buffer) => {
      if (!this.closed || this.fd >= 0) writeAll(this.fd, chunk)
    })
    this.writeLine(header)
    this.flush()
  }

  write(line: RecordLine): void {
    if (this.closed) return
    this.writeLine(line)
  }

  /** End of a tick: push everything written so far to the file. */
  flush(): void {
    if (this.closed) return
    this.gzip.flush(constants.Z_SYNC_FLUSH)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await new Promise<void>((resolve) => {
      this.gzip.once('end', resolve)
      this.gzip.end()
    })
    fsyncSync(this.fd)
    closeSync(this.fd)
    this.fd = -1
  }

  private writeLine(obj: unknown): void {
    this.gzip.write(JSON.stringify(obj) + '\n')
  }
}

/** write(2) until all of buf is written */
export function writeAll(fd: number, buf: Buffer): void {
  let off = 0
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off)
}
