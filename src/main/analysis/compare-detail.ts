// What two --detail recordings did differently with files and peers: the files and remote
// addresses only one of them used, and the bytes each moved. Rows are matched by path (and by
// protocol and address), over all processes: pids differ from run to run.
import type { FileChange, FileSummaryRow, PeerChange } from '../../shared/detail'
import type { NetworkPeerSummary } from '../types/summary'

/** Files by path; null when either recording did not watch files. */
export function compareFiles(a: FileSummaryRow[] | null, b: FileSummaryRow[] | null): FileChange[] | null {
  if (!a || !b) return null
  const by = new Map<string, FileChange>()
  const add = (rows: FileSummaryRow[], side: 'a' | 'b'): void => {
    for (const r of rows) {
      // a file whose name was not kept cannot be matched with the other run's, nor can a pipe
      // or socket (named by an inode that differs from run to run: the Peers table has sockets)
      if (r.path === null || r.kind === 'pipe' || r.kind === 'socket') continue
      let c = by.get(r.path)
      if (!c) by.set(r.path, (c = { path: r.path, status: side === 'a' ? 'gone' : 'new', a_bytes: 0, b_bytes: 0, a_open_errors: 0, b_open_errors: 0 }))
      else if (c.status === 'gone' && side === 'b') c.status = 'both'
      c[`${side}_bytes`] += r.read_bytes + r.write_bytes
      c[`${side}_open_errors`] += r.open_errors
    }
  }
  add(a, 'a')
  add(b, 'b')
  return [...by.values()].sort((x, y) => Math.abs(y.b_bytes - y.a_bytes) - Math.abs(x.b_bytes - x.a_bytes) || x.path.localeCompare(y.path))
}

/** Remote addresses; null when either recording did not watch the network. */
export function comparePeers(a: NetworkPeerSummary[] | null, b: NetworkPeerSummary[] | null): PeerChange[] | null {
  if (!a || !b) return null
  const by = new Map<string, PeerChange>()
  const add = (rows: NetworkPeerSummary[], side: 'a' | 'b'): void => {
    for (const r of rows) {
      const key = `${r.proto} ${r.remote}`
      let c = by.get(key)
      if (!c)
        by.set(
          key,
          (c = { proto: r.proto, remote: r.remote, status: side === 'a' ? 'gone' : 'new', a_bytes: 0, b_bytes: 0, a_connect_errors: 0, b_connect_errors: 0 })
        )
      else if (c.status === 'gone' && side === 'b') c.status = 'both'
      c[`${side}_bytes`] += r.bytes_sent + r.bytes_received
      c[`${side}_connect_errors`] += r.connect_errors
    }
  }
  add(a, 'a')
  add(b, 'b')
  return [...by.values()].sort((x, y) => Math.abs(y.b_bytes - y.a_bytes) - Math.abs(x.b_bytes - x.a_bytes) || x.remote.localeCompare(y.remote))
}
