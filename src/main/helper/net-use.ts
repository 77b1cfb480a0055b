// The network monitor's messages folded for a session, as file-use.ts folds the files monitor's:
// the helper sends each socket and each (socket, peer) cumulative whenever it changed, and may
// send one twice; this keeps the last of each, says which changed since the last tick, and puts
// the kernel's times on the session's clock. A closed socket changes no more: once recorded, it
// and its peers are let go, so a long session's connections do not pile up here.
import type { PeerMessage, SocketMessage } from './protocol'
import type { PeerRecord, SocketRecord } from '../types/recording-format'
import type { HeldSocket } from '../proc/open-sockets'

/** the kernel's monotonic ns (the helper's t_ns clock) → the session's ms */
export type SessionMs = (tNs: number) => number

export class NetUse {
  private sockets = new Map<string, SocketRecord>()
  private changedSockets = new Set<string>()
  private peers = new Map<string, PeerRecord>()
  private changedPeers = new Set<string>()

  constructor(private readonly ms: SessionMs) {}

  socket(m: SocketMessage): void {
    const key = `${m.pid} ${m.file}`
    const at = (ns: number | null): number | null => (ns === null ? null : this.ms(ns))
    const rec: SocketRecord = {
      pid: m.pid,
      file: m.file,
      proto: m.proto,
      family: m.family,
      sock_type: m.sock_type,
      direction: m.direction,
      state: m.state,
      local: m.local,
      remote: m.remote,
      opened: at(m.opened_ns),
      established: at(m.established_ns),
      closed: at(m.closed_ns),
      v: [m.connects, m.connect_errors, m.accepts],
      errno: m.errno,
      close_errno: m.close_errno
    }
    const had = this.sockets.get(key)
    if (had?.held) {
      // what /proc said of it at the attach stands where the kernel side met it too late to know
      rec.held = true
      rec.direction = had.direction ?? rec.direction
      rec.state ??= had.state
      rec.local ??= had.local
      rec.remote ??= had.remote
    }
    this.keep(key, rec)
  }

  /** a socket the process held open when it was attached to (read from /proc, not the helper) */
  held(pid: number, file: string, s: HeldSocket): void {
    const key = `${pid} ${file}`
    if (this.sockets.has(key)) return
    this.keep(key, { pid, file, ...s, opened: null, established: null, closed: null, v: [0, 0, 0], errno: null, close_errno: null, held: true })
  }

  private keep(key: string, rec: SocketRecord): void {
    const had = this.sockets.get(key)
    if (had && JSON.stringify(had) === JSON.stringify(rec)) return
    this.sockets.set(key, rec)
    this.changedSockets.add(key)
  }

  peer(m: PeerMessage): void {
    const key = `${m.pid} ${m.file} ${m.peer}`
    const v = [m.sends, m.bytes_sent, m.recvs, m.bytes_received]
    const had = this.peers.get(key)
    if (had && had.v.every((x, i) => x === v[i])) return
    this.peers.set(key, { pid: m.pid, file: m.file, peer: m.peer, remote: m.remote, first: this.ms(m.first_ns), last: this.ms(m.last_ns), v })
    this.changedPeers.add(key)
  }

  /** what changed since the last call: sockets first, so that a reader meets a socket before its peers */
  drain(): { sockets: SocketRecord[]; peers: PeerRecord[] } {
    const out = {
      sockets: [...this.changedSockets].map((k) => this.sockets.get(k)!),
      peers: [...this.changedPeers].map((k) => this.peers.get(k)!)
    }
    this.changedSockets.clear()
    this.changedPeers.clear()
    const closed = new Set<string>()
    for (const [key, s] of this.sockets)
      if (s.closed !== null) {
        this.sockets.delete(key)
        closed.add(key)
      }
    if (closed.size) for (const [key, p] of this.peers) if (closed.has(`${p.pid} ${p.file}`)) this.peers.delete(key)
    return out
  }
}
