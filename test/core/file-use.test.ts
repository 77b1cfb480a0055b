import { describe, expect, it } from 'vitest'
import { FileUse } from '../../src/main/helper/file-use'
import type { FileMessage } from '../../src/main/helper/protocol'

/** a file line of pid 7's pipe, its figures as the helper sends them */
const line = (opens: number, reads: number, readBytes: number): FileMessage => ({
  type: 'file',
  seq: 1,
  pid: 7,
  file: '0:14:0',
  kind: 'pipe',
  opens,
  reads,
  read_bytes: readBytes,
  writes: 0,
  write_bytes: 0,
  io_errors: 0,
  time_ns: 0,
  final: false
})

describe('a use folded from the helper', () => {
  it('keeps the last figures of each, once a change', () => {
    const u = new FileUse()
    u.file(line(1, 2, 20))
    u.file(line(1, 2, 20))
    expect(u.drain().uses.map((x) => x.v)).toEqual([[1, 2, 20, 0, 0, 0, 0]])
    u.file(line(1, 3, 25))
    expect(u.drain().uses.map((x) => x.v)).toEqual([[1, 3, 25, 0, 0, 0, 0]])
  })

  // a pipe let go (helper/held.c) and met again starts from 0 in the kernel: nothing it had is lost
  it('adds what a use had to an entry that started again', () => {
    const u = new FileUse()
    u.file(line(2, 3, 30))
    u.file(line(0, 1, 4))
    expect(u.drain().uses.map((x) => x.v)).toEqual([[2, 4, 34, 0, 0, 0, 0]])
    u.file(line(0, 2, 9))
    expect(u.drain().uses.map((x) => x.v)).toEqual([[2, 5, 39, 0, 0, 0, 0]])
  })
})
