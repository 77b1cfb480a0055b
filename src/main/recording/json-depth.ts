// JSON.parse of deeply nested text takes ~50 bytes of heap per level: 30 M '[' characters took
// 1.46 GB. A line long enough for that is checked first, in one pass over its characters.
import { MAX_JSON_DEPTH, NESTING_CHECK_BYTES } from '../types/limits'

/** Whether `text` nests arrays and objects deeper than `max` (brackets inside strings do not count). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // '\': the next character is escaped
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

/** JSON.parse, or undefined for text that is not JSON or nests deeper than syscope ever writes. */
export function parseJsonBounded(text: string): unknown {
  if (text.length > NESTING_CHECK_BYTES && nestsDeeperThan(text, MAX_JSON_DEPTH)) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}
