// An append-only table of numeric columns, the store's unit of memory: the newest rows stay as
// plain doubles (a Float64Array grown by doubling, so appending and reading the live end cost
// nothing), and every BLOCK_ROWS rows are sealed into compressed blocks in the store's pool
// (block-codec.ts) that are never written again. NaN is "unavailable" throughout.
import { readBlock, readBlockValue, blockBytes, planBlock, writeBlock, type BlockPlan } from './block-codec'
import { chunkOffset, type BlockPool } from './block-pool'

/** Rows per sealed block: small enough that reading one row decodes little, big enough that headers are noise. */
export const BLOCK_ROWS = 256
const FIRST_OPEN_ROWS = 4

/** where a sealed block is decoded when only part of it is asked for */
const scratch = new Float64Array(BLOCK_ROWS)

export class PackedTable {
  /** first row of each sealed block, and where the block's columns lie in the pool */
  private readonly blockStarts: number[] = []
  private readonly blockAddresses: number[] = []
  private sealedRows = 0
  /**
   * the rows not sealed yet, row after row (room for `openCapacity`): appending a row writes
   * one run of memory, where column after column it would touch a cache line per column
   */
  private open: Float64Array
  private openCapacity = FIRST_OPEN_ROWS
  private openRows = 0
  /** per column: how many open rows differ from the row before (the first from NaN) */
  private readonly changes: Int32Array

  constructor(
    readonly columns: number,
    private readonly pool: BlockPool
  ) {
    this.open = new Float64Array(columns * FIRST_OPEN_ROWS)
    pool.openBytes += this.open.byteLength
    this.changes = new Int32Array(columns)
  }

  get length(): number {
    return this.sealedRows + this.openRows
  }

  /** Append a row of doubles (NaN: unavailable). */
  push(values: Float64Array): void {
    const at = this.openRowAt()
    const cols = this.columns
    for (let c = 0; c < cols; c++) this.put(at, c, values[c]!)
    this.openRows++
  }

  /** Append row[from..from+columns) as recorded: anything but a number is unavailable. */
  pushRecorded(row: readonly unknown[], from: number): void {
    const at = this.openRowAt()
    const cols = this.columns
    for (let c = 0; c < cols; c++) {
      const v = row[from + c]
      this.put(at, c, typeof v === 'number' ? v : NaN)
    }
    this.openRows++
  }

  /** Where the next row goes in `open`. */
  private openRowAt(): number {
    // sealed when the next row comes, not when the block fills: the newest row stays at hand
    if (this.openRows === BLOCK_ROWS) this.seal()
    if (this.openRows === this.openCapacity) this.growOpen()
    return this.openRows * this.columns
  }

  private put(at: number, c: number, x: number): void {
    const before = at === 0 ? NaN : this.open[at - this.columns + c]!
    // Object.is, spelled out (the common case first): this runs on every value of a session
    if (x === before ? x === 0 && 1 / x !== 1 / before : x === x || before === before) this.changes[c]!++
    this.open[at + c] = x
  }

  private growOpen(): void {
    const capacity = Math.min(BLOCK_ROWS, Math.max(FIRST_OPEN_ROWS, this.openCapacity * 2))
    const grown = new Float64Array(capacity * this.columns)
    grown.set(this.open.subarray(0, this.openRows * this.columns))
    this.pool.openBytes += grown.byteLength - this.open.byteLength
    this.open = grown
    this.openCapacity = capacity
  }

  /**
   * Compress the open rows into a block. `release` also lets go of the open buffer: for a table
   * that may get no more rows (a process that left), whose buffer would otherwise stay at its
   * largest.
   */
  seal(release = false): void {
    const n = this.openRows
    if (n > 0) {
      const cols = this.columns
      const plans: BlockPlan[] = []
      let bytes = 0
      for (let c = 0; c < cols; c++) {
        const plan = planBlock(this.open, c, cols, n, this.changes[c]!)
        plans.push(plan)
        bytes += plan.bytes
      }
      const address = this.pool.allocate(bytes)
      const chunk = this.pool.chunk(address)
      let at = chunkOffset(address)
      for (let c = 0; c < cols; c++) {
        const plan = plans[c]!
        writeBlock(plan, this.open, c, cols, n, chunk, at)
        at += plan.bytes
      }
      this.blockStarts.push(this.sealedRows)
      this.blockAddresses.push(address)
      this.sealedRows += n
      this.openRows = 0
      this.changes.fill(0)
    }
    if (release) {
      this.pool.openBytes -= this.open.byteLength
      this.open = new Float64Array(0)
      this.openCapacity = 0
    }
  }

  /** Column c of rows [from, to) into out[at..). */
  read(c: number, from: number, to: number, out: Float64Array, at = 0): void {
    let row = from
    if (row < this.sealedRows) {
      for (let b = this.blockOf(row); b < this.blockStarts.length && row < to; b++) {
        const start = this.blockStarts[b]!
        const n = this.blockRows(b)
        const end = Math.min(to, start + n)
        if (row === start && end === start + n) this.decode(b, c, out, at + row - from)
        else {
          this.decode(b, c, scratch, 0)
          for (let r = row; r < end; r++) out[at + r - from] = scratch[r - start]!
        }
        row = end
      }
    }
    const cols = this.columns
    for (; row < to; row++) out[at + row - from] = this.open[(row - this.sealedRows) * cols + c]!
  }

  /**
   * Where a slice of rows [row, to) that lies in one block ends (at most BLOCK_ROWS on): reading
   * in such slices decodes every block once.
   */
  sliceEnd(row: number, to: number): number {
    if (row >= this.sealedRows) return Math.min(to, row + BLOCK_ROWS)
    const b = this.blockOf(row)
    return Math.min(to, this.blockStarts[b]! + this.blockRows(b))
  }

  /** Index of the sealed block holding `row` (row < sealed rows). */
  blockOf(row: number): number {
    const starts = this.blockStarts
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (starts[mid]! <= row) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  blockStart(b: number): number {
    return this.blockStarts[b]!
  }

  blockRows(b: number): number {
    return (this.blockStarts[b + 1] ?? this.sealedRows) - this.blockStarts[b]!
  }

  get sealedLength(): number {
    return this.sealedRows
  }

  /** Column c of sealed block b into out[at..). */
  decode(b: number, c: number, out: Float64Array, at: number): void {
    readBlock(this.pool.chunk(this.blockAddresses[b]!), this.columnOffset(b, c), this.blockRows(b), out, at)
  }

  /** Column c of row i of sealed block b. */
  decodeOne(b: number, c: number, i: number): number {
    return readBlockValue(this.pool.chunk(this.blockAddresses[b]!), this.columnOffset(b, c), this.blockRows(b), i)
  }

  private columnOffset(b: number, c: number): number {
    const address = this.blockAddresses[b]!
    const chunk = this.pool.chunk(address)
    let offset = chunkOffset(address)
    for (let k = 0; k < c; k++) offset += blockBytes(chunk, offset)
    return offset
  }

  /** Every column of one row into out[0..columns), decoding no more of its block than it needs. */
  readRow(row: number, out: Float64Array): void {
    const cols = this.columns
    if (row >= this.sealedRows) {
      for (let c = 0; c < cols; c++) out[c] = this.open[(row - this.sealedRows) * cols + c]!
      return
    }
    const b = this.blockOf(row)
    const address = this.blockAddresses[b]!
    const chunk = this.pool.chunk(address)
    const n = this.blockRows(b)
    const i = row - this.blockStarts[b]!
    for (let c = 0, offset = chunkOffset(address); c < cols; c++, offset += blockBytes(chunk, offset)) out[c] = readBlockValue(chunk, offset, n, i)
  }

  /** A row of the open part (row ≥ sealed rows). */
  openValue(row: number, c: number): number {
    return this.open[(row - this.sealedRows) * this.columns + c]!
  }
}

/**
 * Reads single values of a table in any order. A value of a sealed block is decoded on its own
 * the first time; when a second one of the same (block, column) is asked for, the reads are
 * walking through it (tick after tick), and the whole column of the block is decoded once.
 */
export class TableReader {
  private block = -1
  private blockStart = 0
  private blockEnd = 0
  /** per column: the block its part of `decoded` holds, and the block it last read one value of */
  private readonly decodedBlock: number[]
  private readonly touchedBlock: number[]
  private decoded: Float64Array | null = null

  constructor(private readonly table: PackedTable) {
    // plain arrays: a reader is made for each process a question reads, and typed ones cost more to make
    this.decodedBlock = new Array<number>(table.columns).fill(-1)
    this.touchedBlock = new Array<number>(table.columns).fill(-1)
  }

  value(row: number, c: number): number {
    const t = this.table
    if (row >= t.sealedLength) return t.openValue(row, c)
    if (row < this.blockStart || row >= this.blockEnd || this.block < 0) {
      this.block = t.blockOf(row)
      this.blockStart = t.blockStart(this.block)
      this.blockEnd = this.blockStart + t.blockRows(this.block)
    }
    const b = this.block
    if (this.decodedBlock[c] !== b) {
      if (this.touchedBlock[c] !== b) {
        this.touchedBlock[c] = b
        return t.decodeOne(b, c, row - this.blockStart)
      }
      this.decoded ??= new Float64Array(t.columns * BLOCK_ROWS)
      t.decode(b, c, this.decoded, c * BLOCK_ROWS)
      this.decodedBlock[c] = b
    }
    return this.decoded![c * BLOCK_ROWS + row - this.blockStart]!
  }
}
