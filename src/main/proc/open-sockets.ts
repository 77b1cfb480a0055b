// What the sockets a process holds open are, from the process's own view of its network
// namespace (/proc/PID/net/tcp, tcp6, udp, udp6, unix, found by inode): for a process syscope
// attaches to, its connections and listeners from before it was watched (the network monitor
// meets a socket only when a call uses it). Read by the app, as the user, with open-files.ts.
import { endianness } from 'node:os'
import { readFile } from 'node:fs/promises'
import { inodeOf, type NetDirection, type NetProto } from '../types/recording-format'

export interface HeldSocket {
  proto: NetProto
  family: 'ipv4' | 'ipv6' | 'unix'
  sock_type: 'stream' | 'dgram' | 'seqpacket' | 'other'
  /** listen; for TCP, in when its local port is one a listener of the same table holds, else
   * out (the tables do not say who connected); null for UDP and connected Unix sockets */
  direction: NetDirection | null
  /** TCP's state, by the kernel's names as the helper sends them; null otherwise */
  state: string | null
  /** as the helper writes them: `127.0.0.1:8080`, `[::1]:8080`, a path, `@abstract` */
  local: string | null
  remote: string | null
}

/** the kernel's TCP states (include/net/tcp_states.h) by number */
const TCP_STATES = [
  null,
  'established',
  'syn_sent',
  'syn_recv',
  'fin_wait1',
  'fin_wait2',
  'time_wait',
  'close',
  'close_wait',
  'last_ack',
  'listen',
  'closing',
  'new_syn_recv'
]
const TCP_LISTEN = 10
/** __SO_ACCEPTCON in /proc/net/unix's flags: a listening socket */
const UNIX_ACCEPTCON = 0x10000

/** a 32-bit word as /proc/net prints it (%08X of the word in host order) → its bytes in memory */
function wordBytes(hex: string, little: boolean): number[] {
  const v = parseInt(hex, 16)
  const b = [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]
  return little ? b.reverse() : b
}

/** an IPv6 address as inet_ntop writes it (RFC 5952, and a mapped IPv4 address dotted) */
export function ipv6Text(bytes: number[]): string {
  const words = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!)
  // the longest run of two or more zero words, the first of equals
  let best = { at: -1, len: 0 }
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && words[j] === 0) j++
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i }
    i = j
  }
  const dotted = best.at === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))
  const hex = (from: number, to: number): string[] => words.slice(from, to).map((w) => w.toString(16))
  if (dotted) {
    const prefix = best.len === 5 ? '::ffff:' : '::'
    return prefix + bytes.slice(12).join('.')
  }
  if (best.at < 0) return hex(0, 8).join(':')
  return `${hex(0, best.at).join(':')}::${hex(best.at + best.len, 8).join(':')}`
}

/** `0100007F:1F90` (tcp) or 32 hex digits and a port (tcp6) → `127.0.0.1:8080`, `[::1]:8080`;
 * null for an unbound or unconnected end (all zero) */
export function inetAddress(field: string, v6: boolean, little = endianness() === 'LE'): string | null {
  const [addr, portHex] = field.split(':') as [string, string]
  const port = parseInt(portHex, 16)
  const bytes = (addr.match(/.{8}/g) ?? []).flatMap((w) => wordBytes(w, little))
  if (port === 0 && bytes.every((b) => b === 0)) return null
  return v6 ? `[${ipv6Text(bytes)}]:${port}` : `${bytes.join('.')}:${port}`
}

interface Row {
  inode: string
  sock: HeldSocket
  localPort: number
}

/** the rows of a /proc/PID/net/{tcp,udp}[6] table */
export function parseInet(text: string, proto: 'tcp' | 'udp', v6: boolean): Row[] {
  const rows: Row[] = []
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    if (f.length < 10) continue
    const state = parseInt(f[3]!, 16)
    const tcp = proto === 'tcp'
    rows.push({
      inode: f[9]!,
      localPort: parseInt(f[1]!.split(':')[1]!, 16),
      sock: {
        proto,
        family: v6 ? 'ipv6' : 'ipv4',
        sock_type: tcp ? 'stream' : 'dgram',
        direction: tcp && state === TCP_LISTEN ? 'listen' : null,
        state: tcp ? (TCP_STATES[state] ?? null) : null,
        local: inetAddress(f[1]!, v6),
        remote: inetAddress(f[2]!, v6)
      }
    })
  }
  return rows
}

/** the rows of /proc/PID/net/unix: its own name (a path, `@abstract`), a listener by its flags */
export function parseUnix(text: string): Row[] {
  const rows: Row[] = []
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    if (f.length < 7) continue
    const type = parseInt(f[4]!, 16)
    rows.push({
      inode: f[6]!,
      localPort: 0,
      sock: {
        proto: 'unix',
        family: 'unix',
        sock_type: type === 1 ? 'stream' : type === 2 ? 'dgram' : type === 5 ? 'seqpacket' : 'other',
        direction: parseInt(f[3]!, 16) & UNIX_ACCEPTCON ? 'listen' : null,
        state: null,
        // a name may hold spaces: the rest of the line
        local: f.length > 7 ? f.slice(7).join(' ') : null,
        remote: null
      }
    })
  }
  return rows
}

const TABLES = [
  { name: 'tcp', proto: 'tcp', v6: false },
  { name: 'tcp6', proto: 'tcp', v6: true },
  { name: 'udp', proto: 'udp', v6: false },
  { name: 'udp6', proto: 'udp', v6: true }
] as const

/**
 * What each of the given sockets of pid (`DEV:INO`, as open-files.ts names them) is, by that
 * name; those no table lists (netlink, packet, a socket closed since) are left out. A TCP
 * connection whose local port a listener of its table holds was accepted by it (in), else it
 * connected (out).
 */
export async function heldSockets(pid: number, sockets: string[]): Promise<Map<string, HeldSocket>> {
  const out = new Map<string, HeldSocket>()
  if (sockets.length === 0) return out
  const byInode = new Map(sockets.map((file) => [inodeOf(file), file]))
  const read = (name: string): Promise<string> => readFile(`/proc/${pid}/net/${name}`, 'utf8').catch(() => '')
  const [unix, ...inet] = await Promise.all([read('unix'), ...TABLES.map((t) => read(t.name))])
  for (const r of parseUnix(unix)) {
    const file = byInode.get(r.inode)
    if (file) out.set(file, r.sock)
  }
  TABLES.forEach((t, i) => {
    const rows = parseInet(inet[i]!, t.proto, t.v6)
    const listening = new Set(rows.filter((r) => r.sock.direction === 'listen').map((r) => r.localPort))
    for (const r of rows) {
      const file = byInode.get(r.inode)
      if (!file) continue
      if (t.proto === 'tcp' && r.sock.direction === null) r.sock.direction = listening.has(r.localPort) ? 'in' : 'out'
      out.set(file, r.sock)
    }
  })
  return out
}
