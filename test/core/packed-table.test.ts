// The store's compressed columns give back exactly what they were given: every value, bit for
// bit (null as "unavailable", never 0; -0 as -0), however it is read.
import { describe, expect, it } from 'vitest'
import { BlockPool } from '../../src/main/store/block-pool'
import { BLOCK_ROWS, PackedTable, TableReader } from '../../src/main/store/packed-table'
import { seededRandom } from '../util/random'

const rnd = seededRandom(7)
const N = BLOCK_ROWS * 3 + 37

/** Columns shaped like what a session records, and like what it should never hold but might. */
const COLUMNS: Record<string, (i: number) => unknown> = {
  'all unavailable': () => null,
  'unavailable, then one value': (i) => (i < 100 ? null : 42),
  constant: () => 7,
  zeros: () => 0,
  'zero and minus zero': (i) => (i % 3 === 0 ? -0 : 0),
  'an idle CPU %': (i) => (i % 97 === 0 ? (3 / 101.3) * 100 : 0),
  'a busy CPU %': () => rnd() * 400,
  'RSS in pages': (i) => 4096 * (20_000 + Math.floor(i / 10) * (i % 2 ? 3 : -2)),
  'a counter in big steps': (i) => i * 1_000_003,
  'a counter near 2^53': (i) => Number.MAX_SAFE_INTEGER - 1000 + (i % 500),
  'past 2^53': (i) => 2 ** 60 + i * 2 ** 10,
  'CPU seconds (hundredths)': (i) => Math.floor(i * 1.7) / 100,
  'hundredths with gaps': (i) => (i % 5 === 0 ? null : (1000 + i) / 100),
  'negative steps': (i) => -i * 3,
  'steps wider than 16 bits': (i) => (i % 2 ? 1 : -1) * 70_000 * i,
  'steps wider than 32 bits': (i) => (i % 2) * 2 ** 40,
  // steps of ±1 and ± the first step each width cannot hold (its smallest value marks a gap)
  'steps of 128': (i) => (i % 2 === 0 ? 0 : i % 4 === 1 ? 128 : 1),
  'steps of 32768': (i) => (i % 2 === 0 ? 0 : i % 4 === 1 ? 32768 : 1),
  'steps of 2^31': (i) => (i % 2 === 0 ? 0 : i % 4 === 1 ? 2 ** 31 : 1),
  'rates held between reads': (i) => Math.floor(i / 2) * 1234.5678,
  'infinities and tiny numbers': (i) => [Infinity, -Infinity, 5e-324, -5e-324][i % 4],
  'not numbers': (i) => [undefined, 'x', true, {}, 3][i % 5],
  'unavailable now and then': () => (rnd() < 0.3 ? null : Math.floor(rnd() * 10)),
  'unavailable every other value': (i) => (i % 2 ? null : i)
}

/** What a value is stored as: a number, or NaN for anything else. */
const stored = (v: unknown): number => (typeof v === 'number' ? v : NaN)

function filled(): { table: PackedTable; expected: Float64Array[] } {
  const names = Object.keys(COLUMNS)
  const table = new PackedTable(names.length, new BlockPool())
  const expected = names.map(() => new Float64Array(N))
  for (let i = 0; i < N; i++) {
    const row = names.map((name) => COLUMNS[name]!(i))
    row.forEach((v, c) => (expected[c]![i] = stored(v)))
    table.pushRecorded(row, 0)
    // a process that leaves for a while: its rows are sealed early, in a short block
    if (i === 300) table.seal(true)
  }
  return { table, expected }
}

/** Same value: Object.is (NaN is NaN, -0 is not 0). */
function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length)
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) expect.fail(`${what}: value ${i} is ${got[i]}, was ${want[i]}`)
}

describe('a packed table', () => {
  const { table, expected } = filled()
  const names = Object.keys(COLUMNS)

  it('gives back every column whole', () => {
    expect(table.length).toBe(N)
    names.forEach((name, c) => {
      const out = new Float64Array(N)
      table.read(c, 0, N, out)
      expectSame(out, expected[c]!, name)
    })
  })

  it('gives back any slice of a column, across blocks and into the rows not sealed yet', () => {
    for (const [from, to] of [
      [0, 1],
      [5, 6],
      [BLOCK_ROWS - 3, BLOCK_ROWS + 3],
      [299, 302],
      [301, 301 + BLOCK_ROWS + 9],
      [N - 40, N],
      [N - 1, N]
    ] as const) {
      names.forEach((name, c) => {
        const out = new Float64Array(to - from)
        table.read(c, from, to, out)
        expectSame(out, expected[c]!.subarray(from, to), `${name} [${from}, ${to})`)
      })
    }
  })

  it('gives back single values, read one at a time or walking through the rows', () => {
    const walker = new TableReader(table)
    names.forEach((name, c) => {
      const one = new Float64Array(N)
      const walked = new Float64Array(N)
      for (let i = 0; i < N; i++) {
        // a fresh reader decodes just this value; the walking one, whole blocks
        one[i] = new TableReader(table).value(i, c)
        walked[i] = walker.value(i, c)
      }
      expectSame(one, expected[c]!, `${name}, one at a time`)
      expectSame(walked, expected[c]!, `${name}, walking`)
    })
  })

  it('keeps what holds still in next to nothing', () => {
    const pool = new BlockPool()
    const t = new PackedTable(3, pool)
    for (let i = 0; i < BLOCK_ROWS * 40; i++) t.pushRecorded([null, 4, 4096 * (1000 + (i % 7))], 0)
    // 40 blocks of 3 columns (an unavailable one, a constant and a small-stepped one): 240 KiB
    // as doubles, a header each for the first two and a byte a value for the third
    expect(pool.usedBytes).toBeLessThan(16 * 1024)
    const out = new Float64Array(t.length)
    t.read(2, 0, t.length, out)
    expect(out[BLOCK_ROWS * 20 + 3]).toBe(4096 * (1000 + ((BLOCK_ROWS * 20 + 3) % 7)))
  })
})
