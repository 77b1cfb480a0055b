// Lossless compression of one column of a block of rows (packed-table.ts). Values are doubles,
// NaN meaning "unavailable" (null outside the store); what is read back is bit for bit what was
// written, NaN for NaN and never 0 for it, -0 included.
//
// What /proc figures look like decides the encodings: most columns of most processes hold still
// for seconds (thread and fd counts, an idle process's CPU % of 0, rates that are re-read every
// 200 ms), cumulative counters and memory sizes move by whole steps (pages, clock ticks), and
// only CPU % and I/O rates of busy processes are arbitrary doubles. So a block is one of:
//   CONST    every value the same                      header only
//   STEPS    whole numbers (or hundredths: CPU seconds are clock ticks / 100) that move by
//            multiples of one unit (RSS moves in pages): the steps / unit as 8-, 16- or 32-bit ints
//   REPEATS  a bit per value (changed or not) and the values that changed, as doubles
//   RAW      the doubles
// whichever is smallest. A block's column is laid out as a 16-byte header
//   u8 kind, u8 step width, u8 scale (0: 1, 1: 100), u8 unused, u32 bytes, f64 base
// then the STEPS unit (f64) and steps, the REPEATS bitmap (padded to 8 bytes) and changed values,
// or the RAW values. `bytes` lets a reader skip to the next column of the block.
import type { PoolChunk } from './block-pool'

const CONST = 0
const STEPS = 1
const REPEATS = 2
const RAW = 3

const HEADER = 16
/** the smallest value of each step width marks an unavailable value */
const MISSING_STEP = { 1: -128, 2: -32768, 4: -2147483648 } as const

export interface BlockPlan {
  kind: number
  bytes: number
  width: 1 | 2 | 4
  scale: number
  unit: number
  base: number
}

const pad8 = (n: number): number => (n + 7) & ~7

/** how many bits each byte value has set */
const BITS_SET = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0
  for (let x = b; x; x >>= 1) n += x & 1
  return n
})

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const r = a % b
    a = b
    b = r
  }
  return a
}

const isNegativeZero = (x: number): boolean => x === 0 && 1 / x < 0

/**
 * The smallest encoding of the n values v[from], v[from + stride], ... (n ≥ 1), given how many
 * of them differ from the one before (the first from NaN, by Object.is): the table counts them
 * as rows come in, so that a block that holds still is planned without reading it.
 */
export function planBlock(v: Float64Array, from: number, stride: number, n: number, changes: number): BlockPlan {
  if (changes === 0 || (changes === 1 && v[from] === v[from])) return { kind: CONST, bytes: HEADER, width: 1, scale: 1, unit: 1, base: v[from]! }
  let best: BlockPlan = { kind: RAW, bytes: HEADER + 8 * n, width: 1, scale: 1, unit: 1, base: 0 }
  const repeats = HEADER + pad8(Math.ceil(n / 8)) + 8 * changes
  if (repeats < best.bytes) best = { kind: REPEATS, bytes: repeats, width: 1, scale: 1, unit: 1, base: 0 }
  // steps of a byte each can be no smaller than this
  if (best.bytes <= HEADER + 8 + pad8(n)) return best
  // a whole number is also a whole number of hundredths, in wider steps: try whole numbers first
  const steps = planSteps(v, from, stride, n, 1) ?? planSteps(v, from, stride, n, 100)
  return steps && steps.bytes < best.bytes ? steps : best
}

/** STEPS at this scale, or null when a value is not a whole number of 1/scale (or too large). */
function planSteps(v: Float64Array, from: number, stride: number, n: number, scale: 1 | 100): BlockPlan | null {
  let base = NaN
  let last = NaN
  let unit = 0
  let largest = 0
  for (let i = 0, at = from; i < n; i++, at += stride) {
    const x = v[at]!
    if (x !== x) continue
    const k = scale === 1 ? x : Math.round(x * scale)
    // -0 would come back as 0 from a sum of steps
    if (!Number.isSafeInteger(k) || (scale !== 1 && k / scale !== x) || isNegativeZero(x)) return null
    if (base !== base) base = k
    else if (k !== last) {
      const step = Math.abs(k - last)
      if (!Number.isSafeInteger(step)) return null
      if (unit !== 1) unit = gcd(step, unit)
      if (step > largest) largest = step
    }
    last = k
  }
  if (unit === 0) unit = 1
  // every step is a multiple of the unit, so the largest is too
  const most = largest / unit
  const width = most <= 127 ? 1 : most <= 32767 ? 2 : most <= 2147483647 ? 4 : 0
  if (width === 0) return null
  return { kind: STEPS, bytes: HEADER + 8 + pad8(width * n), width, scale, unit, base }
}

/** Write the values planned for at byte offset `at` of the chunk (8-aligned, plan.bytes of room). */
export function writeBlock(plan: BlockPlan, v: Float64Array, from: number, stride: number, n: number, c: PoolChunk, at: number): void {
  c.u8[at] = plan.kind
  c.u8[at + 1] = plan.width
  c.u8[at + 2] = plan.scale === 1 ? 0 : 1
  c.u8[at + 3] = 0
  c.u32[(at + 4) >> 2] = plan.bytes
  c.f64[(at + 8) >> 3] = plan.base
  const data = at + HEADER
  if (plan.kind === STEPS) {
    c.f64[data >> 3] = plan.unit
    if (plan.width === 1) writeSteps(c.i8, data + 8, plan, v, from, stride, n)
    else if (plan.width === 2) writeSteps(c.i16, (data + 8) >> 1, plan, v, from, stride, n)
    else writeSteps(c.i32, (data + 8) >> 2, plan, v, from, stride, n)
  } else if (plan.kind === REPEATS) {
    const bitBytes = pad8(Math.ceil(n / 8))
    c.u8.fill(0, data, data + bitBytes)
    let literal = (data + bitBytes) >> 3
    let prev = NaN
    for (let i = 0; i < n; i++) {
      const x = v[from + i * stride]!
      if (Object.is(x, prev)) continue
      c.u8[data + (i >> 3)]! |= 1 << (i & 7)
      c.f64[literal++] = x
      prev = x
    }
  } else if (plan.kind === RAW) {
    for (let i = 0; i < n; i++) c.f64[(data >> 3) + i] = v[from + i * stride]!
  }
}

function writeSteps(ints: Int8Array | Int16Array | Int32Array, first: number, plan: BlockPlan, v: Float64Array, from: number, stride: number, n: number): void {
  const missing = MISSING_STEP[plan.width]
  const { scale, unit } = plan
  let prev = plan.base
  for (let i = 0; i < n; i++) {
    const x = v[from + i * stride]!
    if (x !== x) {
      ints[first + i] = missing
      continue
    }
    const k = scale === 1 ? x : Math.round(x * scale)
    ints[first + i] = (k - prev) / unit
    prev = k
  }
}

/** Bytes of the block column at `at`: where the next column of the block starts. */
export function blockBytes(c: PoolChunk, at: number): number {
  return c.u32[(at + 4) >> 2]!
}

/** Decode the n values of the block column at `at` into out[to..to+n). */
export function readBlock(c: PoolChunk, at: number, n: number, out: Float64Array, to: number): void {
  const kind = c.u8[at]!
  const base = c.f64[(at + 8) >> 3]!
  const data = at + HEADER
  if (kind === CONST) {
    out.fill(base, to, to + n)
  } else if (kind === STEPS) {
    const width = c.u8[at + 1]!
    const scale = c.u8[at + 2] === 0 ? 1 : 100
    const unit = c.f64[data >> 3]!
    if (width === 1) readSteps(c.i8, data + 8, MISSING_STEP[1], base, unit, scale, n, out, to)
    else if (width === 2) readSteps(c.i16, (data + 8) >> 1, MISSING_STEP[2], base, unit, scale, n, out, to)
    else readSteps(c.i32, (data + 8) >> 2, MISSING_STEP[4], base, unit, scale, n, out, to)
  } else if (kind === REPEATS) {
    let literal = (data + pad8(Math.ceil(n / 8))) >> 3
    let x = NaN
    for (let i = 0; i < n; i += 8) {
      const bits = c.u8[data + (i >> 3)]!
      const end = Math.min(n, i + 8)
      // eight values that hold still (what most of a quiet process's columns are)
      if (bits === 0) out.fill(x, to + i, to + end)
      else
        for (let j = i; j < end; j++) {
          if (bits & (1 << (j - i))) x = c.f64[literal++]!
          out[to + j] = x
        }
    }
  } else {
    out.set(c.f64.subarray(data >> 3, (data >> 3) + n), to)
  }
}

/** Value i of the n values of the block column at `at`, without decoding the others. */
export function readBlockValue(c: PoolChunk, at: number, n: number, i: number): number {
  const kind = c.u8[at]!
  const base = c.f64[(at + 8) >> 3]!
  const data = at + HEADER
  if (kind === CONST) return base
  if (kind === RAW) return c.f64[(data >> 3) + i]!
  if (kind === REPEATS) {
    // the value is the newest change at or before i: which one it is, by counting the bits up to i
    let changes = 0
    for (let byte = 0; byte < i >> 3; byte++) changes += BITS_SET[c.u8[data + byte]!]!
    changes += BITS_SET[c.u8[data + (i >> 3)]! & ((2 << (i & 7)) - 1)]!
    // none yet: the block starts unavailable
    return changes === 0 ? NaN : c.f64[((data + pad8(Math.ceil(n / 8))) >> 3) + changes - 1]!
  }
  const width = c.u8[at + 1]! as 1 | 2 | 4
  const scale = c.u8[at + 2] === 0 ? 1 : 100
  const unit = c.f64[data >> 3]!
  const ints = width === 1 ? c.i8 : width === 2 ? c.i16 : c.i32
  const first = (data + 8) / width
  const missing = MISSING_STEP[width]
  if (ints[first + i] === missing) return NaN
  let k = base
  for (let j = 0; j <= i; j++) {
    const step = ints[first + j]!
    if (step !== missing) k += step * unit
  }
  return scale === 1 ? k : k / scale
}

function readSteps(
  ints: Int8Array | Int16Array | Int32Array,
  first: number,
  missing: number,
  k: number,
  unit: number,
  scale: number,
  n: number,
  out: Float64Array,
  to: number
): void {
  for (let i = 0; i < n; i++) {
    const step = ints[first + i]!
    if (step === missing) {
      out[to + i] = NaN
      continue
    }
    k += step * unit
    out[to + i] = scale === 1 ? k : k / scale
  }
}
