// Where a session store keeps its sealed blocks (block-codec.ts): a few large ArrayBuffers handed
// out in 8-byte-aligned pieces. An ArrayBuffer of its own for each block would cost more in
// object headers (a few hundred bytes each) than most blocks hold: an hour of 50 processes
// seals some 140,000 column blocks, most of them a few dozen bytes.

/** Every piece lies inside one chunk; an address is chunk × CHUNK_SPAN + offset. */
export const CHUNK_SPAN = 1 << 20
const FIRST_CHUNK_BYTES = 64 * 1024

/** One chunk, seen as each element type the blocks use. */
export interface PoolChunk {
  u8: Uint8Array
  i8: Int8Array
  i16: Int16Array
  i32: Int32Array
  u32: Uint32Array
  f64: Float64Array
}

export class BlockPool {
  private readonly chunks: PoolChunk[] = []
  private used = 0
  private handedOut = 0
  /** bytes of the tables' open (not yet sealed) rows, kept here so a store can tell its size */
  openBytes = 0
  private nextBytes = FIRST_CHUNK_BYTES

  /** Room for `bytes` (at most CHUNK_SPAN); returns its address. */
  allocate(bytes: number): number {
    if (bytes > CHUNK_SPAN) throw new RangeError(`a block of ${bytes} bytes does not fit a pool chunk`)
    const size = (bytes + 7) & ~7
    let last = this.chunks[this.chunks.length - 1]
    if (!last || this.used + size > last.u8.length) {
      // small sessions stay small: chunks grow from 64 KiB to 1 MiB
      const length = Math.max(this.nextBytes, size)
      this.nextBytes = Math.min(CHUNK_SPAN, this.nextBytes * 2)
      const buffer = new ArrayBuffer(length)
      last = {
        u8: new Uint8Array(buffer),
        i8: new Int8Array(buffer),
        i16: new Int16Array(buffer),
        i32: new Int32Array(buffer),
        u32: new Uint32Array(buffer),
        f64: new Float64Array(buffer)
      }
      this.chunks.push(last)
      this.used = 0
    }
    const address = (this.chunks.length - 1) * CHUNK_SPAN + this.used
    this.used += size
    this.handedOut += size
    return address
  }

  chunk(address: number): PoolChunk {
    return this.chunks[Math.floor(address / CHUNK_SPAN)]!
  }

  /** Bytes of the blocks it holds. */
  get usedBytes(): number {
    return this.handedOut
  }
}

export function chunkOffset(address: number): number {
  return address % CHUNK_SPAN
}
