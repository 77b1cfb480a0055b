// The one byte formatter (src/shared/format.ts), which the CLI's text and the views both show.
import { describe, expect, it } from 'vitest'
import { formatBytes } from '../../src/shared/format'

describe('formatBytes', () => {
  it('keeps three significant digits past bytes', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1023)).toBe('1023 B')
    expect(formatBytes(1536)).toBe('1.50 KiB')
    expect(formatBytes(12.34 * 1024 ** 2)).toBe('12.3 MiB')
    // the CLI used to print "512.3 MiB" here, four digits, where the views said "512 MiB"
    expect(formatBytes(512.3 * 1024 ** 2)).toBe('512 MiB')
    expect(formatBytes(-2048)).toBe('\u22122.00 KiB')
  })

  it('chooses the unit after rounding: no "1024 KiB", no "10.00 KiB"', () => {
    expect(formatBytes(1023.6)).toBe('1.00 KiB')
    expect(formatBytes(1023.96 * 1024)).toBe('1.00 MiB')
    expect(formatBytes(1024 ** 3 - 1)).toBe('1.00 GiB')
    expect(formatBytes(9.996 * 1024)).toBe('10.0 KiB')
    expect(formatBytes(99.96 * 1024)).toBe('100 KiB')
  })
})
