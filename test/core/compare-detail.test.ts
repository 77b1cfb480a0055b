// Comparing two --detail recordings' files and peers: matched by path (and by protocol and
// address) over all processes, what only one used is new or gone, and bytes add up per side.
import { describe, expect, it } from 'vitest'
import { compareFiles, comparePeers } from '../../src/main/analysis/compare-detail'
import { rollUpPeers } from '../../src/main/analysis/network'
import type { FileSummaryRow, NetworkSummaryRow } from '../../src/shared/detail'
import type { NetworkPeerSummary } from '../../src/main/types/summary'
import { fileRow } from '../util/file-row'

const file = (pid: number, path: string | null, read: number, write: number, openErrors = 0): FileSummaryRow =>
  fileRow(pid, path, 'file', { opens: 1, open_errors: openErrors, reads: 1, read_bytes: read, writes: 1, write_bytes: write, time_ns: 1 })
const peer = (remote: string, sent: number, received: number, errors = 0): NetworkPeerSummary => ({
  remote,
  proto: 'tcp',
  direction: 'out',
  local: null,
  sockets: 1,
  connects: 1,
  connect_errors: errors,
  bytes_sent: sent,
  bytes_received: received,
  pids: [1]
})

describe('comparing files and peers', () => {
  it('matches files by path over processes: new, gone, and the bytes of each side', () => {
    const a = [file(1, '/etc/hosts', 100, 0), file(2, '/etc/hosts', 50, 0), file(1, '/tmp/old', 10, 10), file(1, null, 5, 5)]
    const b = [
      file(7, '/etc/hosts', 300, 0),
      file(7, '/tmp/new', 0, 4096),
      file(7, '/nope', 0, 0, 2),
      { ...file(7, 'pipe:[123]', 77, 77), kind: 'pipe' as const }
    ]
    expect(compareFiles(a, b)).toEqual([
      { path: '/tmp/new', status: 'new', a_bytes: 0, b_bytes: 4096, a_open_errors: 0, b_open_errors: 0 },
      { path: '/etc/hosts', status: 'both', a_bytes: 150, b_bytes: 300, a_open_errors: 0, b_open_errors: 0 },
      { path: '/tmp/old', status: 'gone', a_bytes: 20, b_bytes: 0, a_open_errors: 0, b_open_errors: 0 },
      { path: '/nope', status: 'new', a_bytes: 0, b_bytes: 0, a_open_errors: 0, b_open_errors: 2 }
    ])
  })

  it('is unavailable (null) when either side did not watch', () => {
    expect(compareFiles(null, [file(1, '/x', 1, 1)])).toBeNull()
    expect(compareFiles([], null)).toBeNull()
    expect(comparePeers([peer('1.2.3.4:80', 1, 1)], null)).toBeNull()
  })

  it('matches peers by protocol and address', () => {
    const a = [peer('10.0.0.1:443', 100, 1000), peer('10.0.0.2:53', 10, 10, 1)]
    const b = [peer('10.0.0.1:443', 100, 3000), peer('10.0.0.3:80', 5, 0)]
    expect(comparePeers(a, b)!.map((p) => [p.remote, p.status, p.a_bytes, p.b_bytes, p.a_connect_errors])).toEqual([
      ['10.0.0.1:443', 'both', 1100, 3100, 0],
      ['10.0.0.2:53', 'gone', 20, 0, 1],
      ['10.0.0.3:80', 'new', 0, 5, 0]
    ])
  })

  it('rolls up the clients that came in by host and the address they came to, and matches them', () => {
    const conn = (pid: number, remote: string, direction: 'in' | 'out', sent: number, local = '127.0.0.1:8765'): NetworkSummaryRow => ({
      pid,
      proto: 'tcp',
      family: remote.startsWith('[') ? 'ipv6' : 'ipv4',
      sock_type: 'stream',
      local,
      remote,
      direction,
      state: 'close',
      connects: direction === 'out' ? 1 : 0,
      connect_errors: 0,
      errno: null,
      close_error: null,
      accepts: 0,
      sends: 1,
      bytes_sent: sent,
      recvs: 1,
      bytes_received: 85,
      opened_ms: 0,
      established_ms: 0,
      closed_ms: 1,
      socket: `socket:[${sent}]`,
      held: false
    })
    // a server's clients, each from a port of its own, and a connection it made itself
    const a = rollUpPeers([
      conn(9, '127.0.0.1:42792', 'in', 1000),
      conn(9, '127.0.0.1:42804', 'in', 2000),
      conn(9, '[::1]:5000', 'in', 7),
      conn(9, '10.0.0.1:443', 'out', 5, '10.0.0.9:40000')
    ])!
    expect(a.map((p) => [p.remote, p.direction, p.local, p.sockets, p.bytes_sent])).toEqual([
      ['127.0.0.1', 'in', '127.0.0.1:8765', 2, 3000],
      ['[::1]', 'in', '127.0.0.1:8765', 1, 7],
      ['10.0.0.1:443', 'out', null, 1, 5]
    ])
    // another run's clients came from other ports: the same peer
    const b = rollUpPeers([conn(12, '127.0.0.1:51000', 'in', 500)])!
    expect(comparePeers(a, b)!.find((p) => p.remote === '127.0.0.1')).toMatchObject({ status: 'both', local: '127.0.0.1:8765', a_bytes: 3170, b_bytes: 585 })
  })
})
