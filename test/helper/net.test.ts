// The network monitor, kernel and helper side (--detail): each socket a process used, found from
// the fd's struct file, with its protocol, both ends, direction, connects and their failures,
// and its traffic per remote address, exactly. Real BPF in every attach mode, a workload of
// known network work on this machine (workloads/net.c), whose ports come back in facts.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { chmodSync, closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../src/main/paths'
import type { FileMessage, PeerMessage, SocketMessage, TickMessage } from '../../src/main/helper/protocol'
import { DETAIL_BUILDS, HELPER, HOOKS_HELPER, SLOT_TABLES, mapEntries, mountTracefs, runUnderHelper, start } from './harness'
import { until } from '../util/until'

interface Facts {
  l4: number
  c4: number
  l6: number
  c6: number
  refused: number
  full: number
  u1: number
  u2: number
  u3: number
  u4: number
  u5: number
  u6: number
  u7: number
  u8: number
  abstract: string
  refused_at_once: boolean
  reset: number
}

const ECONNREFUSED = 111
const EINPROGRESS = 115
const ENOENT = 2
const ECONNRESET = 104

let dir: string
let net: string
let unmountTracefs: () => void
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syscope-net-'))
  chmodSync(dir, 0o755)
  net = join(dir, 'net')
  execFileSync('cc', ['-O2', '-o', net, join(projectRoot(), 'test', 'helper', 'workloads', 'net.c')])
  unmountTracefs = mountTracefs()
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  unmountTracefs()
})

// the timed mode sees each connect and close at its entry; --counts-only only at the exit
describe.each(DETAIL_BUILDS)('network (%s)', (mode, helperPath, args, countsOnly, wrapper) => {
  it('finds every socket of the workload, both ends, its connects and its traffic per peer', async () => {
    const work = mkdtempSync(join(dir, 'work-'))
    const client = await start({ helperPath, wrapper, args: [...args, '--detail'] })
    const sockets = new Map<string, SocketMessage>()
    const peers = new Map<string, PeerMessage>()
    client.on('socket', (m: SocketMessage) => sockets.set(`${m.pid} ${m.file}`, m))
    client.on('peer', (m: PeerMessage) => peers.set(`${m.pid} ${m.file} ${m.peer}`, m))
    const files = new Map<string, FileMessage>()
    client.on('file', (m: FileMessage) => files.set(`${m.pid} ${m.file}`, m))
    try {
      const tcpStates = !mode.startsWith('tracepoint')
      expect(client.hello.tcp_states).toBe(tcpStates)
      const r = await runUnderHelper(client, [net, work])
      expect(r.exit.code).toBe(0)
      const f = JSON.parse(readFileSync(join(work, 'facts.json'), 'utf8')) as Facts
      const mine = [...sockets.values()].filter((m) => m.pid === r.rootPid)
      const peersOf = (s: SocketMessage) =>
        [...peers.values()]
          .filter((p) => p.pid === s.pid && p.file === s.file)
          .map((p) => ({ remote: p.remote, sends: p.sends, bytes_sent: p.bytes_sent, recvs: p.recvs, bytes_received: p.bytes_received }))
          .sort((a, b) => String(a.remote).localeCompare(String(b.remote)))
      const find = (what: string, pred: (s: SocketMessage) => boolean): SocketMessage[] => {
        const found = mine.filter(pred)
        expect(found.length, `${what}: ${JSON.stringify(mine, null, 1)}`).toBeGreaterThan(0)
        return found
      }
      const one = (what: string, pred: (s: SocketMessage) => boolean): SocketMessage => {
        const found = find(what, pred)
        expect(found, what).toHaveLength(1)
        return found[0]!
      }
      const bytes = (s: SocketMessage) => {
        const ps = peersOf(s)
        return { sent: ps.reduce((n, p) => n + p.bytes_sent, 0), received: ps.reduce((n, p) => n + p.bytes_received, 0) }
      }

      // TCP over IPv4 and IPv6: the listener, the client, the accepted end
      for (const [host, l, c, up, down] of [
        ['127.0.0.1', f.l4, f.c4, 1000, 500],
        ['[::1]', f.l6, f.c6, 2000, 700]
      ] as const) {
        const server = `${host}:${l}`
        const cli = `${host}:${c}`
        const family = host === '127.0.0.1' ? 'ipv4' : 'ipv6'
        const listener = one(`${family} listener`, (s) => s.proto === 'tcp' && s.direction === 'listen' && s.local === server)
        expect(listener).toMatchObject({ proto: 'tcp', family, accepts: 1, connects: 0 })
        const out = one(`${family} client`, (s) => s.proto === 'tcp' && s.local === cli && s.remote === server)
        expect(out).toMatchObject({ proto: 'tcp', family, direction: 'out', connects: 1, connect_errors: 0, errno: null })
        expect(bytes(out)).toEqual({ sent: up, received: down })
        expect(peersOf(out).map((p) => p.remote)).toEqual([server])
        const accepted = one(`${family} accepted`, (s) => s.proto === 'tcp' && s.local === server && s.remote === cli)
        expect(accepted).toMatchObject({ proto: 'tcp', direction: 'in', connects: 0 })
        expect(bytes(accepted)).toEqual({ sent: down, received: up })
        // opened, established (seen only where TCP's state changes are hooked), closed: in order
        expect(out.closed_ns).not.toBeNull()
        expect(out.closed_ns!).toBeGreaterThanOrEqual(out.opened_ns!)
        if (tcpStates) {
          expect(out.established_ns).not.toBeNull()
          expect(out.established_ns!).toBeGreaterThanOrEqual(out.opened_ns!)
          expect(out.closed_ns!).toBeGreaterThanOrEqual(out.established_ns!)
        } else {
          expect(out.established_ns).toBeNull()
        }
      }

      // refused: blocking (the error from connect) and not (from the state change, or at once)
      const refused = find('refused connects', (s) => s.proto === 'tcp' && s.remote === `127.0.0.1:${f.refused}`)
      expect(refused).toHaveLength(2)
      for (const s of refused) expect(s).toMatchObject({ proto: 'tcp', direction: 'out', connects: 1 })
      // the refused port is a socket bound and never listened on, held to the end
      one('the bound socket that refuses them', (s) => s.proto === 'tcp' && s.local === `127.0.0.1:${f.refused}` && s.direction === null)
      const refusals = refused.filter((s) => s.connect_errors === 1 && s.errno === ECONNREFUSED).length
      // in tracepoint mode a refusal that came after EINPROGRESS is not seen (docs/protocol.md)
      expect(refusals).toBe(tcpStates || f.refused_at_once ? 2 : 1)

      // the connect that never completed: closed while connecting
      const full = find('connects to the full listener', (s) => s.proto === 'tcp' && s.remote === `127.0.0.1:${f.full}` && s.direction === 'out')
      expect(full).toHaveLength(2)
      expect(full.filter((s) => s.connect_errors === 0)).toHaveLength(tcpStates ? 1 : 2)
      if (tcpStates) expect(full.filter((s) => s.connect_errors === 1 && s.errno === EINPROGRESS)).toHaveLength(1)
      one('the full listener', (s) => s.proto === 'tcp' && s.direction === 'listen' && s.local === `127.0.0.1:${f.full}` && s.accepts === 0)

      // reset by the peer: the client's connection ended with ECONNRESET
      const reset = one('the reset client', (s) => s.proto === 'tcp' && s.remote === `127.0.0.1:${f.reset}` && s.direction === 'out')
      expect(reset).toMatchObject({ connects: 1, connect_errors: 0, close_errno: tcpStates ? ECONNRESET : null })

      // UDP: one socket to two peers, by sendto and by sendmsg; a connected one
      const at = (p: number) => `127.0.0.1:${p}`
      const u1 = one('udp u1', (s) => s.proto === 'udp' && s.local === at(f.u1))
      expect(u1).toMatchObject({ proto: 'udp', family: 'ipv4', direction: 'out' })
      expect(peersOf(u1)).toEqual(
        [
          { remote: at(f.u2), sends: 2, bytes_sent: 200, recvs: 0, bytes_received: 0 },
          { remote: at(f.u3), sends: 1, bytes_sent: 300, recvs: 0, bytes_received: 0 }
        ].sort((a, b) => a.remote.localeCompare(b.remote))
      )
      const u2 = one('udp u2', (s) => s.proto === 'udp' && s.local === at(f.u2))
      expect(u2).toMatchObject({ proto: 'udp', direction: 'in' })
      expect(peersOf(u2)).toEqual(
        [
          { remote: at(f.u1), sends: 0, bytes_sent: 0, recvs: 2, bytes_received: 200 },
          { remote: at(f.u4), sends: 0, bytes_sent: 0, recvs: 1, bytes_received: 50 }
        ].sort((a, b) => a.remote.localeCompare(b.remote))
      )
      const u3 = one('udp u3', (s) => s.proto === 'udp' && s.local === at(f.u3))
      expect(peersOf(u3)).toEqual([{ remote: at(f.u1), sends: 0, bytes_sent: 0, recvs: 1, bytes_received: 300 }])
      const u4 = one('udp u4', (s) => s.proto === 'udp' && s.local === at(f.u4))
      expect(u4).toMatchObject({ proto: 'udp', direction: 'out', remote: at(f.u2), connects: 1, connect_errors: 0 })
      expect(peersOf(u4)).toEqual([{ remote: at(f.u2), sends: 1, bytes_sent: 50, recvs: 0, bytes_received: 0 }])

      // UDP by sendmmsg and recvmmsg: each message its bytes (msg_len) and its peer; one call
      // on the file with all of them
      const udp = (name: string, port: number) => one(name, (s) => s.proto === 'udp' && s.local === at(port))
      const u5 = udp('udp u5', f.u5)
      expect(peersOf(u5)).toEqual([{ remote: at(f.u6), sends: 3, bytes_sent: 60, recvs: 0, bytes_received: 0 }])
      expect(files.get(`${u5.pid} ${u5.file}`)).toMatchObject({ writes: 1, write_bytes: 60 })
      const u6 = udp('udp u6', f.u6)
      expect(peersOf(u6)).toEqual(
        [
          { remote: at(f.u5), sends: 0, bytes_sent: 0, recvs: 3, bytes_received: 60 },
          { remote: at(f.u7), sends: 0, bytes_sent: 0, recvs: 1, bytes_received: 40 }
        ].sort((a, b) => a.remote.localeCompare(b.remote))
      )
      expect(files.get(`${u6.pid} ${u6.file}`)).toMatchObject({ reads: 1, read_bytes: 100 })
      expect(peersOf(udp('udp u7', f.u7))).toEqual(
        [
          { remote: at(f.u6), sends: 1, bytes_sent: 40, recvs: 0, bytes_received: 0 },
          { remote: at(f.u8), sends: 3, bytes_sent: 180, recvs: 0, bytes_received: 0 }
        ].sort((a, b) => a.remote.localeCompare(b.remote))
      )
      expect(peersOf(udp('udp u8', f.u8))).toEqual([{ remote: at(f.u7), sends: 0, bytes_sent: 0, recvs: 3, bytes_received: 180 }])

      // Unix stream by path
      const path = join(work, 's.sock')
      one('unix listener', (s) => s.direction === 'listen' && s.local === path && s.accepts === 1)
      const uc = one('unix client', (s) => s.direction === 'out' && s.remote === path && s.connects === 1)
      expect(uc).toMatchObject({ proto: 'unix', family: 'unix', sock_type: 'stream', local: null, connect_errors: 0 })
      expect(bytes(uc)).toEqual({ sent: 123, received: 45 })
      const ua = one('unix accepted', (s) => s.direction === 'in' && s.local === path)
      expect(bytes(ua)).toEqual({ sent: 45, received: 123 })

      // Unix datagram by abstract name
      const dc = one('abstract client', (s) => s.sock_type === 'dgram' && peersOf(s).some((p) => p.remote === f.abstract))
      expect(peersOf(dc)).toEqual([{ remote: f.abstract, sends: 1, bytes_sent: 77, recvs: 0, bytes_received: 0 }])
      const ds = one('abstract server', (s) => s.local === f.abstract)
      expect(bytes(ds)).toEqual({ sent: 0, received: 77 })

      // a Unix connect to nothing
      const none = one('unix connect to nothing', (s) => s.remote === join(work, 'none.sock'))
      expect(none).toMatchObject({ proto: 'unix', connects: 1, connect_errors: 1, errno: ENOENT })

      // the socketpair: two unnamed stream sockets, 10 bytes one way
      const pair = mine.filter((s) => s.proto === 'unix' && s.sock_type === 'stream' && s.local === null && s.connects === 0)
      expect(pair.map((s) => bytes(s)).sort((a, b) => a.sent - b.sent)).toEqual([
        { sent: 0, received: 10 },
        { sent: 10, received: 0 }
      ])

      // every socket of the workload was closed, and said so; in the counts-only mode the fd of
      // a close is gone by its exit, so only TCP's state change to CLOSE tells it (one bound and
      // never used stays in CLOSE: no change)
      for (const s of mine) {
        const byState = s.proto === 'tcp' && (s.connects > 0 || s.direction !== null)
        if (countsOnly && !byState) expect(s.closed_ns, JSON.stringify(s)).toBeNull()
        else expect(s.closed_ns, JSON.stringify(s)).not.toBeNull()
      }
      // its release took every one of its entries out of the tables (the workload was all they held)
      for (const table of SLOT_TABLES) expect(mapEntries(client.child.pid!, table), table).toEqual([])
    } finally {
      await client.shutdown()
    }
  })
})

describe('closed sockets with --counts-only', () => {
  // This mode sees no close: the helper looks at the process's /proc/PID/fd as its keys grow
  // (helper/held.c) and lets go of the sockets it no longer holds, once sent, their uses as
  // files with them; the rest stay to its exit, where they were all kept before.
  it('leave the kernel tables while their process lives on, each sent first', async () => {
    const churn = join(dir, 'sockchurn-counts')
    execFileSync('cc', ['-O2', '-o', churn, join(projectRoot(), 'test', 'helper', 'workloads', 'sockchurn.c')])
    const fifo = join(mkdtempSync(join(dir, 'churn-counts-')), 'go')
    execFileSync('mkfifo', [fifo])
    const go = openSync(fifo, constants.O_RDWR)
    const client = await start({ args: ['--counts-only', '--detail'] })
    const sent = new Set<string>()
    let netDrops = 0
    client.on('socket', (m: SocketMessage) => void (m.proto === 'udp' && sent.add(m.file)))
    client.on('tick', (m: TickMessage) => void (netDrops = m.drops.net ?? 0))
    const N = 2000
    try {
      const run = runUnderHelper(client, [churn, fifo, String(N), '2'])
      await until(`the first ${String(N)} sockets sent`, () => sent.size >= N)
      writeSync(go, 'x')
      await until(`all ${String(2 * N)} sent`, () => sent.size >= 2 * N)
      // the first N let go (looked at as the second N grew its keys, or two ticks later):
      // the tables hold at most the second N, not all 2N
      await until('the first N let go', () => mapEntries(client.child.pid!, 'sock_stats').length <= N)
      expect(mapEntries(client.child.pid!, 'file_stats').length).toBeLessThan(N + 50)
      writeSync(go, 'x')
      const r = await run
      expect(r.exit.code).toBe(0)
      expect(sent.size).toBe(2 * N)
      expect(netDrops).toBe(0)
      for (const table of SLOT_TABLES) expect(mapEntries(client.child.pid!, table), table).toEqual([])
    } finally {
      closeSync(go)
      await client.shutdown()
    }
  })
})

// the helper's own build, whose ticks walk the table of a lone process; and each tick by key
describe.each([
  ['', HELPER, []],
  [' (each read by key)', HOOKS_HELPER, ['env', 'SYSCOPE_TEST_READS=by_key']]
])('closed sockets%s', (_name, helperPath, wrapper) => {
  const entries = (pid: number, name: string): number => mapEntries(pid, name).length

  // the helper reads a table in the ticks after the kernel marked it (helper/detail.c): a
  // process that then waits makes no mark, and its sockets must still leave (docs/protocol.md)
  it('leave the kernel tables (as sockets and as files) once sent, while their process lives on and waits, and are not sent again at its exit', async () => {
    const churn = join(dir, 'sockchurn')
    execFileSync('cc', ['-O2', '-o', churn, join(projectRoot(), 'test', 'helper', 'workloads', 'sockchurn.c')])
    const fifo = join(mkdtempSync(join(dir, 'churn-')), 'go')
    execFileSync('mkfifo', [fifo])
    // read-write: opening it neither waits for the workload nor ends its reads
    const go = openSync(fifo, constants.O_RDWR)
    const client = await start({ helperPath, wrapper, args: ['--detail'] })
    const closed = new Set<string>()
    let ticks = 0
    let netDrops = 0
    client.on('socket', (m: SocketMessage) => void (m.closed_ns !== null && closed.add(m.file)))
    client.on('tick', (m: TickMessage) => {
      ticks++
      netDrops = m.drops.net ?? 0
    })
    // the file lines after the last go-ahead: its exit sends only what changed since the tick
    // before (the FIFO it read), not the 4,000 socket uses already sent (docs/protocol.md)
    let last = false
    const atExit: FileMessage[] = []
    const socketUses = new Set<string>()
    const otherUses = new Set<string>()
    client.on('file', (m: FileMessage) => {
      if (last) atExit.push(m)
      if (m.kind === 'socket' && m.opens === 1) socketUses.add(m.file)
      if (m.kind !== 'socket') otherUses.add(m.file)
    })
    const N = 2000
    try {
      const run = runUnderHelper(client, [churn, fifo, String(N), '2'])
      for (let round = 1; round <= 2; round++) {
        await until(`the ${String(round * N)} sockets were sent closed`, () => closed.size >= round * N)
        // sent at one tick, again at the next, out at the one after (net.c): four ticks on
        const at = ticks
        await until('four ticks went by', () => ticks >= at + 4)
        expect(entries(client.child.pid!, 'sock_stats')).toBe(0)
        // their uses as files too: the rest are left (the FIFO, the loader's libraries)
        expect(entries(client.child.pid!, 'file_stats')).toBe(otherUses.size)
        last = round === 2
        writeSync(go, 'x')
      }
      const r = await run
      expect(r.exit.code).toBe(0)
      expect(closed.size).toBe(2 * N)
      expect(socketUses.size).toBe(2 * N)
      expect(netDrops).toBe(0)
      expect(atExit.filter((m) => m.kind === 'socket')).toEqual([])
      // (a tick between its last read and its exit may have sent the FIFO's line first)
      expect(atExit.filter((m) => m.final).map((m) => [m.kind, m.reads, m.read_bytes])).toEqual([['pipe', 2, 2]])
    } finally {
      closeSync(go)
      await client.shutdown()
    }
  })
})
