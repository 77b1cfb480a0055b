// The sockets a process holds, from /proc/PID/net: the tables' rows parsed (addresses as the
// helper writes them), and a real process holding known sockets found by their inodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../src/main/paths'
import { heldSockets, inetAddress, ipv6Text, parseInet, parseUnix } from '../../src/main/proc/open-sockets'

describe('the /proc/net tables', () => {
  it('writes addresses as inet_ntop does, in either byte order', () => {
    expect(inetAddress('0100007F:1F90', false, true)).toBe('127.0.0.1:8080')
    expect(inetAddress('7F000001:1F90', false, false)).toBe('127.0.0.1:8080')
    expect(inetAddress('00000000:0000', false, true)).toBeNull()
    expect(inetAddress('00000000:0050', false, true)).toBe('0.0.0.0:80')
    expect(inetAddress('00000000000000000000000001000000:1F90', true, true)).toBe('[::1]:8080')
    expect(inetAddress('0000000000000000FFFF00000100007F:0035', true, true)).toBe('[::ffff:127.0.0.1]:53')
    expect(ipv6Text([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1])).toBe('2001:db8::1:0:0:1')
    expect(ipv6Text([0xfe, 0x80, ...Array<number>(13).fill(0), 1])).toBe('fe80::1')
    expect(ipv6Text(Array<number>(16).fill(0))).toBe('::')
    expect(ipv6Text([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8])).toBe('1:2:3:4:5:6:7:8')
  })

  it('reads TCP states, listeners, UDP and Unix rows', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   1: 0100007F:BAC5 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 145950 1 00000000da9ba5ec 100 0 0 10 0',
      '   2: 0100007F:E6C1 0100007F:BAC5 01 00000000:00000000 00:00000000 00000000     0        0 145952 2 0000000090d226f4 20 0 0 10 -1'
    ].join('\n')
    const rows = parseInet(tcp, 'tcp', false)
    expect(rows.map((r) => [r.inode, r.sock.state, r.sock.direction, r.sock.local, r.sock.remote])).toEqual([
      ['145950', 'listen', 'listen', '127.0.0.1:47813', null],
      ['145952', 'established', null, '127.0.0.1:59073', '127.0.0.1:47813']
    ])
    const udp = '  sl  local_address rem_address   st\n 9915: 0100007F:BBDE 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 145954 2 0 0'
    expect(parseInet(udp, 'udp', false).map((r) => r.sock)).toEqual([
      { proto: 'udp', family: 'ipv4', sock_type: 'dgram', direction: null, state: null, local: '127.0.0.1:48094', remote: null }
    ])
    const unix = [
      'Num       RefCount Protocol Flags    Type St Inode Path',
      '00000000b94484a7: 00000002 00000000 00010000 0001 01 145956 /tmp/hd/my sock',
      '00000000808c6120: 00000002 00000000 00000000 0002 01 145957 @name',
      '00000000d40b8bb6: 00000003 00000000 00000000 0005 03 141054'
    ].join('\n')
    expect(parseUnix(unix).map((r) => [r.inode, r.sock.sock_type, r.sock.direction, r.sock.local])).toEqual([
      ['145956', 'stream', 'listen', '/tmp/hd/my sock'],
      ['145957', 'dgram', null, '@name'],
      ['141054', 'seqpacket', null, null]
    ])
  })
})

describe('heldSockets', () => {
  let dir: string
  let holder: ChildProcessWithoutNullStreams
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'syscope-held-sockets-'))
    const bin = join(dir, 'holder')
    execFileSync('cc', ['-O2', '-o', bin, join(projectRoot(), 'test', 'helper', 'workloads', 'holder.c')])
    holder = spawn(bin, [dir])
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d: Buffer) => (d.toString().includes('ready') ? resolve() : undefined))
      holder.on('exit', (code) => reject(new Error(`the holder exited (${code}) before it was ready`)))
    })
  })
  afterAll(() => {
    holder.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  })

  it('finds each socket of a real process by its inode, with both ends and its direction', async () => {
    const pid = holder.pid!
    // its own (its stdio, node's socket pairs, left out), named DEV:INO as the kernel side names
    // files (only the inode is looked up: the device here is user space's encoding)
    const sockets = readdirSync(`/proc/${pid}/fd`)
      .filter((fd) => Number(fd) > 2)
      .flatMap((fd) => {
        const link = `/proc/${pid}/fd/${fd}`
        const ino = /^socket:\[(\d+)\]$/.exec(readlinkSync(link))?.[1]
        return ino ? [`${statSync(link).dev}:${ino}`] : []
      })
    expect(sockets).toHaveLength(8)
    const f = JSON.parse(readFileSync(join(dir, 'facts.json'), 'utf8')) as Record<string, number | string>
    const found = await heldSockets(pid, sockets)
    expect([...found.keys()].sort()).toEqual([...sockets].sort())
    const held = [...found.values()]
    const at = (p: unknown): string => `127.0.0.1:${String(p)}`
    const find = (local: string) => held.filter((s) => s.local === local).map((s) => [s.proto, s.family, s.direction, s.state, s.remote])
    expect(held).toHaveLength(8)
    expect(find(at(f.l4))).toEqual([
      ['tcp', 'ipv4', 'listen', 'listen', null],
      ['tcp', 'ipv4', 'in', 'established', at(f.c4)]
    ])
    expect(find(at(f.c4))).toEqual([['tcp', 'ipv4', 'out', 'established', at(f.l4)]])
    expect(find(`[::1]:${String(f.l6)}`)).toEqual([['tcp', 'ipv6', 'listen', 'listen', null]])
    expect(find(at(f.u1))).toEqual([['udp', 'ipv4', null, null, at(f.u2)]])
    expect(find(at(f.u2))).toEqual([['udp', 'ipv4', null, null, null]])
    expect(find(join(dir, 'sock'))).toEqual([['unix', 'unix', 'listen', null, null]])
    expect(find(`@${String(f.abstract)}`)).toEqual([['unix', 'unix', 'listen', null, null]])
  })
})
