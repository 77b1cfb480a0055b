// Names shown as text: control characters, bidirectional overrides and bytes that are not UTF-8
// (kept by the helper as U+DC00 + the byte) become escapes; everything else stays as it was.
import { describe, expect, it } from 'vitest'
import { printable, printableDeep } from '../../src/shared/printable'

describe('printable', () => {
  it('escapes what a terminal would act on, and nothing else', () => {
    expect(printable('a\nb\tc\rd')).toBe('a\\nb\\tc\\rd')
    expect(printable('x\u001b[31my\u0007\u007f\u0085')).toBe('x\\x1b[31my\\x07\\x7f\\x85')
    expect(printable('evil\u202etxt.exe\u2066')).toBe('evil\\u202etxt.exe\\u2066')
    // kept as they are: text, accents, other scripts, a character outside the BMP, a backslash
    for (const s of ['/tmp/café/日本/😀 x\\y', 'quote"d', '']) expect(printable(s)).toBe(s)
  })

  it('gives a byte that is not UTF-8 back as \\xNN; a surrogate pair is one character', () => {
    expect(printable('bad\udcff\udc80.txt')).toBe('bad\\xff\\x80.txt')
    expect(printable('\ud83d\ude00')).toBe('\ud83d\ude00')
  })

  it('escapes every string of an object, keys too, and leaves the object as it was', () => {
    const v = { path: 'a\nb', n: 3, list: ['\u001b', null], nested: { 'k\n': true } }
    expect(printableDeep(v)).toEqual({ path: 'a\\nb', n: 3, list: ['\\x1b', null], nested: { 'k\\n': true } })
    expect(v.path).toBe('a\nb')
  })
})
