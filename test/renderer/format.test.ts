// Units as a developer reads them.
import { describe, expect, it } from 'vitest'
import {
  escapeHtml,
  formatBytes,
  formatBytesRate,
  formatCount,
  formatDelta,
  formatInt,
  formatMs,
  formatNs,
  formatOffset,
  formatPct,
  formatRange,
  formatRate,
  formatRatio
} from '../../src/renderer/src/lib/format'

describe('format', () => {
  it('bytes in binary units, three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1023)).toBe('1023 B')
    expect(formatBytes(1536)).toBe('1.50 KiB')
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.00 MiB')
    expect(formatBytes(123.4 * 1024 ** 3)).toBe('123 GiB')
    expect(formatBytes(-2048)).toBe('−2.00 KiB')
    expect(formatBytesRate(2.5 * 1024 * 1024)).toBe('2.50 MiB/s')
  })

  it('unavailable is a dash, never 0', () => {
    for (const f of [formatBytes, formatBytesRate, formatCount, formatInt, formatRate, formatNs, formatMs, formatPct]) {
      expect(f(null)).toBe('—')
      expect(f(undefined)).toBe('—')
    }
    expect(formatBytes(NaN)).toBe('—')
  })

  it('durations from ns to hours', () => {
    expect(formatNs(12)).toBe('12 ns')
    expect(formatNs(789_000)).toBe('789 µs')
    expect(formatNs(1_500)).toBe('1.50 µs')
    expect(formatNs(45_600_000)).toBe('45.6 ms')
    expect(formatNs(1.234e9)).toBe('1.23 s')
    expect(formatNs(125e9)).toBe('2 min 5 s')
    expect(formatNs(3 * 3600e9 + 60e9)).toBe('3 h 1 min')
    expect(formatMs(104)).toBe('104 ms')
  })

  it('counts, rates and exact integers', () => {
    expect(formatCount(950)).toBe('950')
    expect(formatCount(12_345)).toBe('12.3k')
    expect(formatCount(4.5e6)).toBe('4.50M')
    expect(formatCount(2.5)).toBe('2.5')
    expect(formatRate(83_600)).toBe('83.6k/s')
    expect(formatInt(1_234_567)).toBe('1,234,567')
    expect(formatInt(-1200)).toBe('−1,200')
    expect(formatPct(12.345)).toBe('12.3 %')
  })

  it('time on the session axis, and ranges', () => {
    expect(formatOffset(2500)).toBe('2.50 s')
    expect(formatOffset(12_500)).toBe('12.5 s')
    expect(formatOffset(3_723_000, true)).toBe('1:02:03')
    expect(formatOffset(75_000, true)).toBe('1:15')
    expect(formatRange(800, 7700)).toBe('0.8–7.7 s')
  })

  it('changes and ratios', () => {
    expect(formatDelta(12)).toBe('+12')
    expect(formatDelta(-3000)).toBe('−3,000')
    expect(formatDelta(0)).toBe('0')
    expect(formatRatio(2.5)).toBe('2.50×')
    expect(formatRatio(null)).toBe('new')
  })

  it('escapes what goes into tooltip HTML', () => {
    expect(escapeHtml(`<img src=x onerror="alert(1)">&'`)).toBe('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;')
  })
})
