// Names read from /proc decode as the helper's JSON gives them (the same bytes as
// test/helper-c/test_json.c, the same strings once JSON.parse has read the helper's escapes).
import { describe, expect, it } from 'vitest'
import { textOf } from '../../src/main/proc/bytes-text'

const bytes = (...b: number[]): Buffer => Buffer.from(b)
const latin = (s: string): Buffer => Buffer.from(s, 'latin1')

describe('textOf', () => {
  it('keeps UTF-8 as it is', () => {
    expect(textOf(Buffer.from('café ✓ 😀'))).toBe('café ✓ 😀')
    expect(textOf(latin('\xe0\xa0\x80\xed\x9f\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf'))).toBe('\u0800\ud7ff\u{10000}\u{10ffff}')
  })

  it('keeps each byte that is not UTF-8 as U+DC00 + the byte', () => {
    expect(textOf(latin('x\xff\xc3(y\xe2\x9c'))).toBe('x\udcff\udcc3(y\udce2\udc9c')
    // an overlong form, a surrogate and a code point past U+10FFFF are not UTF-8
    expect(textOf(latin('\xe0\x80\x80\xed\xa0\x80\xf4\x90\x80\x80'))).toBe('\udce0\udc80\udc80\udced\udca0\udc80\udcf4\udc90\udc80\udc80')
    // two names that differ only in such a byte stay two
    expect(textOf(latin('bad\xff'))).not.toBe(textOf(latin('bad\xfe')))
  })

  it('reads only the part asked for', () => {
    const b = bytes(0x41, 0xff, 0x42, 0xc3, 0xa9, 0x43)
    expect(textOf(b, 1, 3)).toBe('\udcffB')
    expect(textOf(b, 3, 5)).toBe('é')
    // a sequence cut by the end is not UTF-8
    expect(textOf(b, 3, 4)).toBe('\udcc3')
    expect(textOf(b.subarray(2), 0, 3)).toBe('Bé')
  })
})
