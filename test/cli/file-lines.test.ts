// The summary text's files section (src/cli/file-lines.ts) from rows made here: one line per file
// over the tree, a pipe by its ends, failed opens rolled up, and the names not there.
import { describe, expect, it } from 'vitest'
import { fileLines } from '../../src/cli/file-lines'
import { fileRow } from '../util/file-row'

const row = fileRow
const comms = new Map([
  [10, 'sh'],
  [11, 'gzip'],
  [12, 'gzip'],
  [13, 'wc']
])
const comm = (pid: number): string => comms.get(pid) ?? ''

describe('the files section of the summary text', () => {
  it('sums each file over its processes and names a pipe by its ends', () => {
    const lines = fileLines(
      [
        row(10, 'pipe:[7]', 'pipe', { opens: 2 }),
        row(11, 'pipe:[7]', 'pipe', { writes: 1, write_bytes: 600 }),
        row(12, 'pipe:[7]', 'pipe', { writes: 1, write_bytes: 400 }),
        row(13, 'pipe:[7]', 'pipe', { reads: 2, read_bytes: 1000 }),
        row(11, '/lib/libc.so.6', 'file', { opens: 1, reads: 1, read_bytes: 832 }),
        row(12, '/lib/libc.so.6', 'file', { opens: 1, reads: 1, read_bytes: 832 }),
        row(13, '/etc/wc.conf', 'file', { opens: 1, reads: 1, read_bytes: 10 }),
        row(14, '/etc/gone.conf', 'file', { opens: 1 })
      ],
      false,
      comm
    )
    expect(lines[0]).toBe('  files: 4 used, 0 names failed to open')
    expect(lines.find((l) => l.includes('pipe:[7]'))).toMatch(/^ {4}1000 B {6}1000 B {10}2 .* 4 processes {2}pipe:\[7\] \(gzip → wc\)$/)
    // processes of one name as one; one process by its name and pid, or its pid alone
    expect(lines.find((l) => l.includes('libc'))).toMatch(/^ {4}1\.63 KiB {4}0 B {13}2 .* gzip ×2 {6}\/lib\/libc\.so\.6$/)
    expect(lines.find((l) => l.includes('wc.conf'))).toMatch(/ wc 13 {8}\/etc\/wc\.conf$/)
    expect(lines.find((l) => l.includes('gone.conf'))).toMatch(/ pid 14 {7}\/etc\/gone\.conf$/)
  })

  it('rolls failed opens up by name, and says which names were not there and where', () => {
    const enoent = (n: number) => ({ stats: n, name_errors: n, errnos: { ENOENT: n } })
    const lines = fileLines(
      [
        row(11, '/root/.rc', 'other', { open_errors: 1, open_errnos: { ENOENT: 1 }, errnos: { ENOENT: 1 }, name_errors: 1 }),
        row(12, '/root/.rc', 'other', { open_errors: 1, open_errnos: { ENOENT: 1 }, errnos: { ENOENT: 1 }, name_errors: 1 }),
        row(11, '/m/a/x.ts', 'other', enoent(2)),
        row(11, '/m/a/y.ts', 'other', enoent(1)),
        row(12, '/m/a/y.ts', 'other', enoent(1)),
        row(11, '/m/b/z.ts', 'other', enoent(1)),
        row(12, '/m/a/w.ts', 'other', enoent(1)),
        // not a failure to find: a readlink of a file that is no link
        row(11, '/m/c', 'dir', { stats: 1, name_errors: 1, errnos: { EINVAL: 1 } })
      ],
      false,
      comm
    )
    expect(lines).toContain('    failed to open /root/.rc (gzip ×2): ENOENT 2')
    expect(lines).toContain('    not there (ENOENT) when looked up by name: 4 names, 6 times, most in /m/a (3), /m/b (1)')
    expect(lines[0]).toBe('  files: 1 used, 1 name failed to open')
  })

  it('names a few names not there each, most looked up first', () => {
    const enoent = (n: number) => ({ stats: n, name_errors: n, errnos: { ENOENT: n } })
    const lines = fileLines([row(11, '/etc/localtime', 'other', enoent(1)), row(11, '/etc/sort.conf', 'other', enoent(2))], false, comm)
    expect(lines).toContain('    not there (ENOENT) when looked up by name: /etc/sort.conf (2 times), /etc/localtime (once)')
  })

  it('widens the "by" column to its widest name, the paths in line with their header', () => {
    const lines = fileLines([row(23981, '/srv/big.bin', 'file', { opens: 1, reads: 1, read_bytes: 10 })], false, (pid) => (pid === 23981 ? 'python3' : ''))
    const header = lines.find((l) => l.includes('time in calls'))!
    const line = lines.find((l) => l.endsWith('/srv/big.bin'))!
    expect(line).toContain(' python3 23981 /srv/big.bin')
    expect(line.indexOf('/srv/big.bin')).toBe(header.indexOf('path'))
  })
})
