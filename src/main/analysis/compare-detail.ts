// What two --detail recordings did differently with files and peers: the files and remote
// addresses only one of them used, and the bytes each moved. Rows are matched by path (and by
// protocol and address), over all processes: pids differ from run to run.
import type { FileChange, FileSummaryRow, PeerChange } from '../../shared/detail'
import type { NetworkPeerSummary } from '../types/summary'

type Change = FileChange | PeerChange

/**
 * Rows of both sides matched by `key` (null: cannot be matched, left out): `make` starts a
 * change, `add` adds a row's figures to one side. Biggest change in bytes first.
 */
function matchSides<R, C extends Change>(
  a: R[],
  b: R[],
  key: (r: R) => string | null,
  make: (r: R, status: 'new' | 'gone') => C,
  add: (c: C, r: R, side: 'a' | 'b') => void,
  name: (c: C) => string
): C[] {
  const by = new Map<string, C>()
  for (const [rows, side] of [
    [a, 'a'],
    [b, 'b']
  ] as const) {
    for (const r of rows) {
      const k = key(r)
      if (k === null) continue
      let c = by.get(k)
      if (!c) by.set(k, (c = make(r, side === 'a' ? 'gone' : 'new')))
      else if (c.status === 'gone' && side === 'b') c.status = 'both'
      add(c, r, side)
    }
  }
  return [...by.values()].sort((x, y) => Math.abs(y.b_bytes - y.a_bytes) - Math.abs(x.b_bytes - x.a_bytes) || name(x).localeCompare(name(y)))
}

/** Files by path; null when either recording did not watch files. */
export function compareFiles(a: FileSummaryRow[] | null, b: FileSummaryRow[] | null): FileChange[] | null {
  if (!a || !b) return null
  return matchSides<FileSummaryRow, FileChange>(
    a,
    b,
    // a file whose name was not kept cannot be matched with the other run's, nor can a pipe or
    // socket (named by an inode that differs from run to run: the Peers table has sockets)
    (r) => (r.path === null || r.kind === 'pipe' || r.kind === 'socket' ? null : r.path),
    (r, status) => ({ path: r.path!, status, a_bytes: 0, b_bytes: 0, a_open_errors: 0, b_open_errors: 0 }),
    (c, r, side) => {
      c[`${side}_bytes`] += r.read_bytes + r.write_bytes
      c[`${side}_open_errors`] += r.open_errors
    },
    (c) => c.path
  )
}

/** Peers (remote addresses; a host and the local address, for peers that came in); null when
 * either recording did not watch the network. */
export function comparePeers(a: NetworkPeerSummary[] | null, b: NetworkPeerSummary[] | null): PeerChange[] | null {
  if (!a || !b) return null
  return matchSides<NetworkPeerSummary, PeerChange>(
    a,
    b,
    (r) => `${r.proto} ${r.direction} ${r.remote} ${r.local ?? ''}`,
    (r, status) => ({ proto: r.proto, remote: r.remote, local: r.local, status, a_bytes: 0, b_bytes: 0, a_connect_errors: 0, b_connect_errors: 0 }),
    (c, r, side) => {
      c[`${side}_bytes`] += r.bytes_sent + r.bytes_received
      c[`${side}_connect_errors`] += r.connect_errors
    },
    (c) => c.remote
  )
}
