// Thousands of random and malformed request lines at the real helper (plain and ASan/UBSan
// builds, as root), over its socket: it answers each with a well-formed message, keeps serving,
// and shuts down cleanly. The bytes come from a seeded generator, so a failure can be replayed.
import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { Duplex } from 'node:stream'
import { ASAN_HELPER, HELPER } from './harness'
import { messageLines, parseMessage, type HelperMessage } from '../../src/main/helper/protocol'

const LINES = 3000
const BATCH = 100
const SEED = 0x5eed
const CODES = ['EPROTO', 'E2BIG', 'EINVAL', 'ENOENT', 'EPERM', 'ESRCH', 'ENOSPC', 'EIO']
/** a pid no process can have here, so a well-formed track changes nothing on the machine */
const NO_PID = Math.min(4194304, Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1)

/** mulberry32: small, seeded, good enough to pick bytes */
function generator(seed: number): (n: number) => number {
  let a = seed >>> 0
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
}

function randomLine(rand: (n: number) => number, sleeper: number): Buffer {
  const bytes = (n: number, lo = 0, hi = 256): Buffer => Buffer.from(Array.from({ length: n }, () => lo + rand(hi - lo)))
  const id = 1_000_000 + rand(1_000_000) // far from the ids of our sentinels
  const templates = [
    `hello ${rand(3)}`,
    `track ${id} ${rand(2) ? sleeper : NO_PID} ${rand(3)}`,
    `launch ${id} ${NO_PID} 1`,
    `untrack ${id} ${rand(2) ? sleeper : rand(5_000_000)}`,
    `interval ${id} ${rand(70_000)}`,
    `track ${rand(2) ? '0' : '4294967296'} 5 1`,
    `${'x'.repeat(rand(40))} ${id}`
  ]
  let line: Buffer
  switch (rand(6)) {
    case 0: // random bytes, newlines and NULs included
      line = bytes(rand(300))
      break
    case 1: // long printable lines, around and far past the 256-byte limit
      line = bytes([250 + rand(12), 257 + rand(4000)][rand(2)]!, 0x20, 0x7f)
      break
    case 2: // UTF-8, control characters and NUL inside otherwise good requests
      line = Buffer.from(templates[rand(templates.length)]!.replace(' ', ['\u00e9', '\u0000', '\t', '\r', '  ', '\u{1f600}'][rand(6)]!))
      break
    default: {
      // a well-formed request, then a few bytes changed, added or removed
      const b = [...Buffer.from(templates[rand(templates.length)]!)]
      for (let k = rand(4); k > 0; k--) {
        const at = rand(b.length + 1)
        const op = rand(3)
        if (op === 0) b.splice(at, 1)
        else if (op === 1) b.splice(at, 0, rand(256))
        else b[at] = rand(256)
      }
      line = Buffer.from(b)
    }
  }
  // a shutdown would end the run early: that path has its own test (hardening.test.ts)
  return Buffer.from(line.toString('latin1').replace(/shutdown/g, 'shutdowx'), 'latin1')
}

describe.each([HELPER, ASAN_HELPER])('random requests (%s)', (helperPath) => {
  it(`answers ${LINES} random and malformed lines with well-formed messages and keeps serving`, async () => {
    const child = spawn(helperPath, [], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] })
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' })
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })))
    let stderr = ''
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (d: string) => (stderr += d))
    const sock = child.stdio[3] as Duplex
    const messages: HelperMessage[] = []
    const invalid: string[] = []
    sock.on(
      'data',
      messageLines(
        (line) => {
          const m = parseMessage(line)
          if (m.type === 'invalid') invalid.push(`${m.reason}: ${line.slice(0, 100)}`)
          else messages.push(m)
        },
        () => invalid.push('a message over 64 KiB')
      )
    )
    /** the sentinel's ok: every line written before it was read and answered */
    const answered = async (id: number): Promise<void> => {
      const deadline = Date.now() + 10_000
      while (!messages.some((m) => m.type === 'ok' && m.id === id)) {
        if (Date.now() > deadline)
          throw new Error(
            `no answer to sentinel ${id}; the helper ${child.exitCode === null ? 'is still running' : `exited with ${child.exitCode}`}: ${stderr.slice(-500)}`
          )
        await new Promise((r) => setTimeout(r, 10))
      }
    }
    try {
      sock.write('hello 1\n')
      const rand = generator(SEED)
      let sentinel = 4_000_000_000
      for (let sent = 0; sent < LINES;) {
        for (let k = 0; k < BATCH; k++, sent++) {
          const line = Buffer.concat([randomLine(rand, sleeper.pid!), Buffer.from('\n')])
          if (rand(10) === 0)
            for (const b of line) sock.write(Buffer.of(b)) // a dribble
          else sock.write(line)
        }
        // the newline first ends whatever partial line the batch left
        sock.write(`\ninterval ${++sentinel} 100\n`)
        await answered(sentinel)
      }
      expect(invalid).toEqual([])
      const errors = messages.filter((m) => m.type === 'error')
      expect(errors.length).toBeGreaterThan(LINES / 2)
      for (const e of errors) {
        expect(CODES).toContain(e.code)
        expect(e.message.length).toBeGreaterThan(0)
      }
      expect(messages.filter((m) => m.type === 'error' && m.code === 'E2BIG').length).toBeGreaterThan(0)
      expect(child.exitCode).toBeNull()
      sock.write(`shutdown ${++sentinel}\n`)
      expect(await exited).toEqual({ code: 0, signal: null })
      expect(messages.some((m) => m.type === 'ok' && m.id === sentinel)).toBe(true)
      expect(stderr).not.toMatch(/AddressSanitizer|runtime error|LeakSanitizer/)
    } finally {
      sleeper.kill('SIGKILL')
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
