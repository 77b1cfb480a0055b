// Names as the kernel keeps them are bytes (a comm, a command line, a path may hold any byte but
// NUL, and '/' in a name): UTF-8 where they are, and each byte that is not as U+DC00 + the byte
// (Python's surrogateescape), exactly as the helper's JSON gives them (helper/json.c). So a name
// read from /proc and the same name from the helper are one string, and two names that differ
// only in such a byte stay two (a decoder's "�" would make them one).
import { isUtf8 } from 'node:buffer'

/** the length of a valid UTF-8 sequence at b[i] (before end), or 0: no overlong form, UTF-16
 * surrogate or code point past U+10FFFF, as helper/json.c's utf8_len */
function sequenceAt(b: Uint8Array, i: number, end: number): number {
  const c = b[i]!
  if (c < 0x80) return 1
  let want: number
  if (c >= 0xc2 && c <= 0xdf) want = 2
  else if ((c & 0xf0) === 0xe0) want = 3
  else if (c >= 0xf0 && c <= 0xf4) want = 4
  else return 0
  const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80
  const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf
  if (i + want > end || b[i + 1]! < lo || b[i + 1]! > hi) return 0
  for (let k = 2; k < want; k++) if ((b[i + k]! & 0xc0) !== 0x80) return 0
  return want
}

/** b[start, end) as text, each byte that is not UTF-8 kept as U+DC00 + the byte */
export function textOf(b: Uint8Array, start = 0, end = b.length): string {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  if (isUtf8(buf.subarray(start, end))) return buf.toString('utf8', start, end)
  let out = ''
  let run = start
  for (let i = start; i < end;) {
    const l = sequenceAt(b, i, end)
    if (l > 0) {
      i += l
      continue
    }
    out += buf.toString('utf8', run, i) + String.fromCharCode(0xdc00 + b[i]!)
    run = ++i
  }
  return out + buf.toString('utf8', run, end)
}
