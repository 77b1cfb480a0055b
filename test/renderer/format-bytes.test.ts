// The views show sizes with the one byte formatter of src/shared/format.ts, plus a dash.
import { describe, expect, it } from 'vitest'
import { formatBytes } from '@shared/format'
import { formatBytes as formatBytesOrDash } from '@renderer/lib/format'

describe('formatBytes in the views', () => {
  it('is the shared one, with a dash for unavailable', () => {
    for (const n of [0, 1536, 512.3 * 1024 ** 2, 1023.96 * 1024, -2048]) expect(formatBytesOrDash(n)).toBe(formatBytes(n))
    expect(formatBytesOrDash(null)).toBe('\u2014')
    expect(formatBytesOrDash(Number.NaN)).toBe('\u2014')
  })
})
