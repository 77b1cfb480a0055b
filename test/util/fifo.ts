// The FIFO a command under test waits on (`read x < FIFO`), so that the test decides when it
// goes on: after a tracer has attached, or once a session is in the state the test needs.
import { closeSync, constants, openSync, writeSync } from 'node:fs'
import { until } from './until'

/**
 * One line to the FIFO once its reader has it open. Opened without blocking: an open for writing
 * blocks until the reader opens it, and a synchronous open would block the whole test.
 */
export async function releaseFifo(path: string, line = 'go\n'): Promise<void> {
  const fifo = await until(`the command opens ${path}`, () => {
    try {
      return { fd: openSync(path, constants.O_WRONLY | constants.O_NONBLOCK) }
    } catch {
      return null
    }
  })
  try {
    writeSync(fifo.fd, line)
  } finally {
    closeSync(fifo.fd)
  }
}
