// The helper's protocol on the TypeScript side (src/main/helper/protocol.ts): the request lines
// it writes, as docs/protocol.md gives them, and the byte stream cut into message lines by the one
// line splitter (src/main/line-splitter.ts), as the helper client reads it.
import { describe, expect, it } from 'vitest'
import { MESSAGE_MAX, PROTOCOL_VERSION, helloLine, messageLines, requestLine } from '../../src/main/helper/protocol'

describe('requestLine', () => {
  it('writes each request as docs/protocol.md has it: VERB ID ARGS', () => {
    expect(helloLine()).toBe(`hello ${PROTOCOL_VERSION}\n`)
    expect(requestLine(7, { verb: 'track', pid: 123, descendants: true })).toBe('track 7 123 1\n')
    expect(requestLine(8, { verb: 'track', pid: 123, descendants: false })).toBe('track 8 123 0\n')
    expect(requestLine(9, { verb: 'launch', pid: 55 })).toBe('launch 9 55 1\n')
    expect(requestLine(10, { verb: 'untrack', pid: 55 })).toBe('untrack 10 55\n')
    expect(requestLine(11, { verb: 'interval', ms: 250 })).toBe('interval 11 250\n')
    expect(requestLine(12, { verb: 'shutdown' })).toBe('shutdown 12\n')
  })
})

function read(chunks: Buffer[]): { lines: string[]; overflows: number } {
  const lines: string[] = []
  let overflows = 0
  const onData = messageLines(
    (l) => lines.push(l),
    () => overflows++
  )
  for (const c of chunks) onData(c)
  return { lines, overflows }
}

describe('messageLines', () => {
  it('gives each line once, whatever the chunks, a character cut in two included', () => {
    const text = Buffer.from('{"type":"tick","t":1}\n\n{"comm":"caf\u00e9 \u2603"}\n{"type":"ok"}\n')
    const whole = read([text])
    expect(whole).toEqual({ lines: ['{"type":"tick","t":1}', '{"comm":"caf\u00e9 \u2603"}', '{"type":"ok"}'], overflows: 0 })
    // every byte on its own: the UTF-8 sequences arrive split
    expect(read([...text].map((b) => Buffer.of(b)))).toEqual(whole)
  })

  it('refuses a line over MESSAGE_MAX bytes, also when it arrives whole, and reads on after it', () => {
    const long = Buffer.from(`${'x'.repeat(MESSAGE_MAX + 1)}\n{"type":"ok"}\n`)
    expect(read([long])).toEqual({ lines: ['{"type":"ok"}'], overflows: 1 })
    // MESSAGE_MAX bytes of 2-byte characters are half as many characters: still too long
    const wide = Buffer.from(`${'\u00e9'.repeat(MESSAGE_MAX / 2 + 1)}\n`)
    expect(read([wide.subarray(0, 1000), wide.subarray(1000)])).toEqual({ lines: [], overflows: 1 })
    const justFits = Buffer.from(`${'y'.repeat(MESSAGE_MAX)}\n`)
    expect(read([justFits]).lines[0]).toHaveLength(MESSAGE_MAX)
  })
})
