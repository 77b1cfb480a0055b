// `syscope record --detail`: the network section of the summary (JSON and text, and the
// recording reopened) for a workload of known network work (workloads/net.c), and a session
// with more connections than the kernel's tables hold at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../src/main/paths'
import type { NetworkSummaryRow, Summary } from '../../src/main/types/summary'
import { buildCli, runCli } from './harness'

let dir: string
let env: Record<string, string>
const build = (name: string): string => {
  const bin = join(dir, name)
  execFileSync('cc', ['-O2', '-o', bin, join(projectRoot(), 'test', 'helper', 'workloads', `${name}.c`)])
  return bin
}
beforeAll(() => {
  buildCli()
  dir = mkdtempSync(join(tmpdir(), 'syscope-detail-net-'))
  chmodSync(dir, 0o755)
  env = { XDG_DATA_HOME: join(dir, 'data') }
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('syscope record --detail: the network', () => {
  // --counts-only sees each connect at its exit alone: a TCP attempt is counted by its state
  // change to SYN_SENT, and its outcome as in the timed mode
  it.each([
    ['timed', []],
    ['counts-only', ['--counts-only']]
  ])('lists every connection with both ends, its bytes and its failures, in the JSON, the text and the recording (%s)', (mode, flags) => {
    const net = build('net')
    const work = mkdtempSync(join(dir, 'work-'))
    const out = join(dir, `net-${mode}.syscope`)
    const r = runCli(['record', '--detail', ...flags, '--json', '--out', out, '--', net, work], env)
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as Summary
    const f = JSON.parse(readFileSync(join(work, 'facts.json'), 'utf8')) as Record<string, number | string | boolean>
    const rows = s.network!
    expect(rows).not.toBeNull()
    const at = (p: unknown) => `127.0.0.1:${String(p)}`
    const find = (pred: (r: NetworkSummaryRow) => boolean): NetworkSummaryRow[] => rows.filter(pred)
    const pick = (r: NetworkSummaryRow | undefined) => r && [r.proto, r.direction, r.connects, r.connect_errors, r.bytes_sent, r.bytes_received]

    // the TCP client and the end it was accepted by: exact bytes, in order of time
    const client = find((r) => r.proto === 'tcp' && r.local === at(f.c4) && r.remote === at(f.l4))
    expect(client.map(pick)).toEqual([['tcp', 'out', 1, 0, 1000, 500]])
    expect(find((r) => r.proto === 'tcp' && r.local === at(f.l4) && r.remote === at(f.c4)).map(pick)).toEqual([['tcp', 'in', 0, 0, 500, 1000]])
    const c = client[0]!
    expect(c.opened_ms).not.toBeNull()
    expect(c.closed_ms!).toBeGreaterThanOrEqual(c.opened_ms!)
    expect(c.closed_ms!).toBeLessThanOrEqual(s.session.duration_ms)
    expect(c.established_ms).not.toBeNull()
    // the socket is the files section's
    expect(s.files!.some((x) => x.pid === c.pid && x.path === c.socket && x.kind === 'socket' && x.write_bytes === 1000)).toBe(true)
    // a listener, and one UDP socket's two peers
    expect(find((r) => r.proto === 'tcp' && r.direction === 'listen' && r.local === at(f.l4)).map((r) => r.accepts)).toEqual([1])
    const u1 = find((r) => r.proto === 'udp' && r.local === at(f.u1))
    expect(u1.map((r) => [r.remote, r.sends, r.bytes_sent]).sort()).toEqual(
      [
        [at(f.u2), 2, 200],
        [at(f.u3), 1, 300]
      ].sort()
    )
    // failures: refused (twice), never completed, nothing at a Unix path
    const refused = find((r) => r.proto === 'tcp' && r.remote === at(f.refused))
    expect(refused.map((r) => [r.connect_errors, r.errno])).toEqual([
      [1, 'ECONNREFUSED'],
      [1, 'ECONNREFUSED']
    ])
    expect(find((r) => r.proto === 'tcp' && r.remote === at(f.full) && r.connect_errors > 0).map((r) => r.errno)).toEqual(['EINPROGRESS'])
    expect(find((r) => r.remote === join(work, 'none.sock')).map((r) => [r.proto, r.connect_errors, r.errno])).toEqual([['unix', 1, 'ENOENT']])
    expect(find((r) => r.proto === 'tcp' && r.remote === at(f.reset)).map((r) => [r.direction, r.close_error])).toEqual([['out', 'ECONNRESET']])
    // Unix sockets by path and by abstract name
    expect(find((r) => r.remote === join(work, 's.sock')).map(pick)).toEqual([['unix', 'out', 1, 0, 123, 45]])
    expect(find((r) => r.remote === f.abstract).map((r) => r.bytes_sent)).toEqual([77])
    // every row is one of the command's processes
    const pids = new Set(s.proc.processes.map((p) => p.pid))
    expect(rows.every((x) => pids.has(x.pid))).toBe(true)
    // the peers rolled up: the TCP server's address, with the client's bytes
    expect(s.network_peers!.find((p) => p.proto === 'tcp' && p.remote === at(f.l4))).toMatchObject({
      proto: 'tcp',
      sockets: 1,
      connects: 1,
      bytes_sent: 1000,
      bytes_received: 500
    })
    // and the end that accepted it: a peer that came in, by its host (its port is ephemeral)
    // and the address it came to
    expect(s.network_peers!.find((p) => p.proto === 'tcp' && p.direction === 'in' && p.local === at(f.l4))).toMatchObject({
      remote: at(f.c4).replace(/:\d+$/, ''),
      sockets: 1,
      bytes_sent: 500,
      bytes_received: 1000
    })
    // a Unix server's client that bound no name: a peer coming in to its path
    expect(s.network_peers!.find((p) => p.proto === 'unix' && p.local === join(work, 's.sock'))).toMatchObject({
      remote: '(unnamed)',
      direction: 'in',
      sockets: 1,
      bytes_sent: 45,
      bytes_received: 123
    })

    // the text says so too
    const text = runCli(['summary', out], env)
    expect(text.status).toBe(0)
    expect(text.stdout).toMatch(/network: \d+ sockets, \d+ peers, \d+ listening, 4 with failed connects/)
    // the sockets are the network's lines, not the files'
    expect(text.stdout).toMatch(/files: \d+ used, \d+ names failed to open \(and \d+ sockets: network, below\)/)
    // (the files section's lines alone: a slow call's target may be a socket too)
    const filesLines = text.stdout.split('\n\n').find((b) => b.startsWith('  files:'))!
    expect(filesLines).not.toContain('socket:[')
    // the socketpair's two ends have no peer, but their bytes are told: 10 each way
    expect(text.stdout).toMatch(/\n {4}10 B {8}10 B {14}2 {3}unix {3}\(no name at either end: socketpairs\)\n/)
    // one line per peer: the two refused sockets together
    // each by the process's name and pid
    expect(text.stdout).toContain(`connect to ${at(f.refused)} failed (tcp, net ${c.pid}): 2 of 2, last ECONNREFUSED`)
    expect(text.stdout).toContain(`→ ${at(f.reset)} ended with ECONNRESET (tcp, net ${c.pid})`)
    expect(text.stdout).toContain(`listening on ${at(f.l4)} (tcp, net ${c.pid}): 1 accepted`)
    // and the recording, reopened, gives the same rows
    const again = JSON.parse(runCli(['summary', out, '--json'], env).stdout) as Summary
    expect(again.network).toEqual(s.network)
    expect(again.network_peers).toEqual(s.network_peers)
  })

  it('says a peer that refused several processes once, with how many', () => {
    // bash's /dev/tcp connects a socket; nothing listens on 127.0.0.1:1 (tcpmux) here
    const knock = 'echo > /dev/tcp/127.0.0.1/1'
    const r = runCli(
      ['record', '--detail', '--out', join(dir, 'knock.syscope'), '--', 'sh', '-c', `bash -c '${knock}'; bash -c '${knock}'; bash -c '${knock}'; true`],
      env
    )
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toContain('connect to 127.0.0.1:1 failed (tcp, bash ×3): 3 of 3, last ECONNREFUSED')
  })

  it('is off unless asked for: network is null', () => {
    const r = runCli(['record', '--json', '--out', join(dir, 'off.syscope'), '--', 'true'], env)
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as Summary
    expect(s.network).toBeNull()
    expect(s.network_peers).toBeNull()
  })
})

describe('syscope record --detail, 10,000 connections held open at once', () => {
  it('keeps every one, exactly', () => {
    const many = build('manyconns')
    // 20,000 sockets open at once, within the kernel's tables (docs/protocol.md)
    const N = 10_000
    const r = runCli(['record', '--detail', '--json', '--out', join(dir, 'many.syscope'), '--', many, String(N)], env, 180_000)
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as Summary
    expect(s.session.warnings).toEqual([])
    // the parent listened and made the connections; its child accepted them
    const listener = s.network!.filter((x) => x.direction === 'listen' && x.accepts > 0)
    expect(listener.map((x) => x.accepts)).toEqual([N])
    const server = listener[0]!.local
    const clients = s.network!.filter((x) => x.direction === 'out' && x.remote === server)
    expect(clients).toHaveLength(N)
    expect(clients.every((x) => x.connects === 1 && x.bytes_sent === 1 && x.bytes_received === 1 && x.closed_ms !== null)).toBe(true)
    const accepted = s.network!.filter((x) => x.direction === 'in' && x.local === server)
    expect(accepted).toHaveLength(N)
    expect(accepted.every((x) => x.pid === listener[0]!.pid && x.bytes_sent === 1 && x.bytes_received === 1)).toBe(true)
    expect(new Set(clients.map((x) => x.pid)).size).toBe(1)
    expect(clients[0]!.pid).not.toBe(listener[0]!.pid)
  }, 240_000)
})
