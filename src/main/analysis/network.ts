// The network section of a summary: one row per (process, socket, peer) from what the store kept
// of the helper's network monitor, and the same traffic rolled up by remote address.
import type { SessionStore } from '../store/store'
import type { PeerRecord, SocketRecord } from '../types/recording-format'
import type { NetworkPeerSummary, NetworkSummaryRow } from '../types/summary'
import { errnoName } from './errno'
import { filePath, type TimeRange } from './files'

/** the network was watched: --detail, in a recording of a version that kept it */
export const networkWatched = (store: SessionStore): boolean => store.header.detail === true && store.header.version >= 4

function row(s: SocketRecord, remote: string | null, p: PeerRecord | null, withConnects: boolean): NetworkSummaryRow {
  const [connects, connectErrors, accepts] = s.v as [number, number, number]
  const [sends, sent, recvs, received] = (p?.v ?? [0, 0, 0, 0]) as [number, number, number, number]
  return {
    pid: s.pid,
    proto: s.proto,
    family: s.family,
    sock_type: s.sock_type,
    local: s.local,
    remote,
    direction: s.direction,
    state: s.state,
    connects: withConnects ? connects : 0,
    connect_errors: withConnects ? connectErrors : 0,
    errno: withConnects && s.errno !== null ? errnoName(s.errno) : null,
    close_error: s.close_errno !== null ? errnoName(s.close_errno) : null,
    accepts,
    sends,
    bytes_sent: sent,
    recvs,
    bytes_received: received,
    opened_ms: s.opened,
    established_ms: s.established,
    closed_ms: s.closed,
    socket: filePath('socket', s.file, undefined)!,
    held: s.held === true
  }
}

/**
 * Every socket each process used, per peer: over the whole session, or (with `range`) what it
 * did inside that range (a socket or peer with no change in it left out).
 */
export function buildNetwork(store: SessionStore, range?: TimeRange): NetworkSummaryRow[] | null {
  if (!networkWatched(store)) return null
  /** the record as it grew inside the range (null: no change in it) */
  const inRange = <T extends { v: number[] }>(kind: 'sk' | 'pr', key: string, rec: T): T | null => {
    if (!range) return rec
    const c = store.changes.get(`${kind} ${key}`)?.within(range.fromMs, range.toMs)
    return c ? { ...rec, v: c.delta } : null
  }
  const peersOf = new Map<string, PeerRecord[]>()
  for (const [key, whole] of store.peers) {
    const p = inRange('pr', key, whole)
    if (!p) continue
    const sock = `${p.pid} ${p.file}`
    const list = peersOf.get(sock)
    if (list) list.push(p)
    else peersOf.set(sock, [p])
  }
  const rows: NetworkSummaryRow[] = []
  for (const [key, whole] of store.sockets) {
    const peers = peersOf.get(key) ?? []
    const changed = inRange('sk', key, whole)
    if (!changed && peers.length === 0) continue
    // a socket whose peers moved data in the range but which itself did not change: none of
    // its connects or accepts happened in the range
    const s = changed ?? { ...whole, v: whole.v.map(() => 0) }
    // the connects belong with the peer it connected to; a socket that moved nothing, or tried
    // a peer it never talked to, has a row of its own for that
    const connected = peers.find((p) => p.remote === s.remote)
    for (const p of peers) rows.push(row(s, p.remote, p, p === connected))
    if (!connected && (s.v[0]! > 0 || peers.length === 0)) rows.push(row(s, s.remote, null, true))
  }
  return rows.sort(
    (a, b) =>
      b.bytes_sent + b.bytes_received - (a.bytes_sent + a.bytes_received) ||
      b.connect_errors - a.connect_errors ||
      a.pid - b.pid ||
      (a.opened_ms ?? 0) - (b.opened_ms ?? 0)
  )
}

/** "127.0.0.1" of "127.0.0.1:42792", "[::1]" of "[::1]:42792": an IP end without its port */
const hostOf = (address: string): string => address.replace(/:\d+$/, '')

/** A socket's peer as the rollups name it (NetworkPeerSummary): key, remote, direction, local. */
export interface Peer {
  key: string
  remote: string
  direction: 'out' | 'in'
  local: string | null
  /** "127.0.0.1:80", or "127.0.0.1 → 127.0.0.1:8080" for one that came in */
  label: string
}

/** the remote end of a Unix socket that came in from a client that never bound a name */
export const UNNAMED_PEER = '(unnamed)'

/**
 * The remote end a socket's peer is named by: its own, or for one that came in to a name of ours
 * from an unnamed client (a Unix server's accepted connections; a named datagram socket's
 * senders) UNNAMED_PEER; null for an end that has none (a socketpair, a socket never used).
 */
export function peerRemote(s: { direction: string | null; local: string | null; remote: string | null }): string | null {
  return s.remote ?? (s.direction === 'in' && s.local !== null ? UNNAMED_PEER : null)
}

/**
 * A peer we went out to is its address; one that came in (an accepted connection, a datagram
 * received first) is the local address it came to and, over IP, its host, as its port is an
 * ephemeral one of its own: a server's 75 clients from 127.0.0.1 are one peer, and match another
 * run's. A Unix server's clients are its path's, from UNNAMED_PEER (or the name they bound).
 */
export function peerOf(s: { proto: string; family: string; direction: string | null; local: string | null }, remote: string): Peer {
  const ip = s.family === 'ipv4' || s.family === 'ipv6'
  const inbound = s.direction === 'in' && (ip || (s.family === 'unix' && s.local !== null))
  if (!inbound) return { key: `${s.proto} out ${remote}`, remote, direction: 'out', local: null, label: remote }
  const host = ip ? hostOf(remote) : remote
  return { key: `${s.proto} in ${host} ${s.local ?? ''}`, remote: host, direction: 'in', local: s.local, label: `${host} → ${s.local ?? '?'}` }
}

/** The rows by peer (peerOf; listening sockets and those with no peer (peerRemote) left out). */
export function rollUpPeers(rows: NetworkSummaryRow[] | null): NetworkPeerSummary[] | null {
  if (!rows) return null
  const by = new Map<string, NetworkPeerSummary & { pidSet: Set<number> }>()
  for (const r of rows) {
    const remote = peerRemote(r)
    if (remote === null || r.direction === 'listen') continue
    const peer = peerOf(r, remote)
    let p = by.get(peer.key)
    if (!p)
      by.set(
        peer.key,
        (p = {
          remote: peer.remote,
          proto: r.proto,
          direction: peer.direction,
          local: peer.local,
          sockets: 0,
          connects: 0,
          connect_errors: 0,
          bytes_sent: 0,
          bytes_received: 0,
          pids: [],
          pidSet: new Set()
        })
      )
    p.sockets++
    p.connects += r.connects
    p.connect_errors += r.connect_errors
    p.bytes_sent += r.bytes_sent
    p.bytes_received += r.bytes_received
    p.pidSet.add(r.pid)
  }
  return [...by.values()]
    .map(({ pidSet, ...p }) => ({ ...p, pids: [...pidSet].sort((a, b) => a - b) }))
    .sort((a, b) => b.bytes_sent + b.bytes_received - (a.bytes_sent + a.bytes_received) || b.connect_errors - a.connect_errors)
}
