// The helper's byte stream cut into message lines by the one line splitter (src/main/line-splitter.ts),
// as the helper client reads it.
import { describe, expect, it } from 'vitest'
import { MESSAGE_MAX, messageLines } from '../../src/main/helper/protocol'

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
