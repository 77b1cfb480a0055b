// The ticks of a session, column by column: what a session store keeps of its sample and count
// records. One object per tick (a Map per tick for syscalls, an array per process row) held an
// hour of 50 processes at 10 Hz in over half a GB of heap; the same hour fits in a few dozen MB as
//   - tick times, and where each tick's rows and deltas end: plain growing columns;
//   - the tree's figures: a packed table, a row per tick;
//   - each process's rows: a packed table per process (process-series.ts), plus the process of
//     each row in tick order, so that a tick's rows come back in the order they were written;
//   - syscall deltas, tree-wide (nr, calls, errors, ns) and per process (calls, errors): packed
//     tables, a row per delta, in the order the tick's counts named them.
// Values that could not be read are NaN here and null everywhere outside.
import type { ProcessPoint } from '../../shared/contract'
import { PROCESS_COLUMNS, ROW_INDEX, type ProcessColumn, type RecordLine, type TreeRecord } from '../types/recording-format'
import { BlockPool } from './block-pool'
import { GrowingColumn } from './growing-column'
import { BLOCK_ROWS, PackedTable, TableReader } from './packed-table'
import { ProcessSeries } from './process-series'
import { SyscallSums, addCpu, addIo, addProcessCounts, addRss, emptySums, type RangeSums } from './range'
import { TickSums } from './tick-sums'

type SampleLine = Extract<RecordLine, { k: 's' }>

/** A column's last value that could be read (NaN: unavailable), or null. */
export function lastKnown(values: Float64Array): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] === values[i]) return values[i]!
  return null
}

export const TREE_FIELDS = [
  'cpu_pct',
  'rss_bytes',
  'pss_bytes',
  'read_bytes_per_s',
  'write_bytes_per_s',
  'threads',
  'fds',
  'processes',
  'cpu_seconds',
  'read_bytes',
  'write_bytes',
  'rchar_bytes',
  'wchar_bytes'
] as const satisfies readonly (keyof TreeRecord)[]
export type TreeField = (typeof TREE_FIELDS)[number]
const GAP = TREE_FIELDS.length
export const TREE_INDEX = Object.fromEntries(TREE_FIELDS.map((f, i) => [f, i])) as Record<TreeField, number>

/** A process column's index in a series (its rows hold PROCESS_COLUMNS, without the pid). */
export const seriesColumn = (c: ProcessColumn): number => ROW_INDEX[c] - 1
const CPU_USER = seriesColumn('cpu_user_pct')
const CPU_SYSTEM = seriesColumn('cpu_system_pct')
const RSS = seriesColumn('rss_bytes')
const READ_RATE = seriesColumn('read_bytes_per_s')
const WRITE_RATE = seriesColumn('write_bytes_per_s')

/** ticks without a row after which a process's open rows are sealed */
const SEAL_AFTER_TICKS = 50

/** Readers of process series for one question that reads rows of many ticks. */
export type SeriesReaders = Map<ProcessSeries, TableReader>

export class SessionTicks {
  private readonly pool = new BlockPool()
  private readonly times = new GrowingColumn()
  private readonly tree = new PackedTable(TREE_FIELDS.length + 1, this.pool)
  private readonly treeReader = new TableReader(this.tree)
  private readonly treeRow = { values: new Float64Array(TREE_FIELDS.length + 1), gap: false }
  /** per tick: where its rows, its syscall deltas and its per-process deltas end */
  private readonly rowEnds = new GrowingColumn()
  private readonly syscallEnds = new GrowingColumn()
  private readonly processCountEnds = new GrowingColumn()
  /** every row's process, in tick order: an index into `indexed` */
  private readonly rowProcess = new PackedTable(1, this.pool)
  private readonly rowProcessReader = new TableReader(this.rowProcess)
  /** nr, calls, errors, time_ns */
  private readonly syscalls = new PackedTable(4, this.pool)
  private readonly syscallReader = new TableReader(this.syscalls)
  /** process index, calls, errors */
  private readonly processCounts = new PackedTable(3, this.pool)
  /** pid (NaN for a row without one) → index, and back; and the index's rows, if any */
  private readonly processIndex = new Map<number, number>()
  private readonly indexed: { pid: number; series: ProcessSeries | null }[] = []
  /** the processes with rows, in the order of their first row */
  readonly series: ProcessSeries[] = []
  /** the pid and process index of each row of the newest tick, and of the tick before */
  private rows = new TickRows()
  private rowsBefore = new TickRows()
  /** series that had rows and none since, in the order they left (those before `departedDone` are done) */
  private readonly departed: { series: ProcessSeries; lastTick: number }[] = []
  private departedDone = 0
  /** the counts of the tick in the making: tree-wide by syscall number, and by process index */
  private readonly pendingSyscalls = new TickSums()
  private readonly pendingProcessCounts = new TickSums()
  private readonly entry = new Float64Array(TREE_FIELDS.length + 1)

  get count(): number {
    return this.times.length
  }

  /** Process rows, all ticks. */
  get rowCount(): number {
    return this.rowProcess.length
  }

  /** Bytes of its tables (sealed blocks and open rows): most of what a store holds. */
  get tableBytes(): number {
    return this.pool.usedBytes + this.pool.openBytes
  }

  /** Distinct pids of rows and counts. */
  get pidCount(): number {
    return this.indexed.length
  }

  /** Whether pid has rows or counts already. */
  knows(pid: number): boolean {
    return this.processIndex.has(pid)
  }

  time(i: number): number {
    return this.times.at(i)
  }

  /** Tick times, oldest first (a view: read it before the next tick comes). */
  timeView(): Float64Array {
    return this.times.view()
  }

  /**
   * The tree's figures at tick i, by TREE_INDEX (NaN: unavailable), and whether syscalls were
   * missing; read them before the next call, which reuses the object.
   */
  treeFigures(i: number): { values: Float64Array; gap: boolean } {
    const values = this.treeRow.values
    if (i >= this.tree.sealedLength) this.tree.readRow(i, values)
    else for (let c = 0; c <= GAP; c++) values[c] = this.treeReader.value(i, c)
    this.treeRow.gap = values[GAP] === 1
    return this.treeRow
  }

  /** One figure of the tree at every tick (NaN: unavailable). */
  treeColumn(field: TreeField): Float64Array {
    const out = new Float64Array(this.count)
    this.tree.read(TREE_INDEX[field], 0, this.count, out)
    return out
  }

  /** Syscall deltas of one process, for the tick its sample ends. */
  addCounts(pid: number, sys: [number, number, number, number][]): void {
    let calls = 0
    let errors = 0
    // indexed, not destructured: destructuring an array walks an iterator, made per entry
    for (let k = 0; k < sys.length; k++) {
      const d = sys[k]!
      this.pendingSyscalls.add(d[0], d[1], d[2], d[3])
      calls += d[1]
      errors += d[2]
    }
    this.pendingProcessCounts.add(this.indexOf(pid), calls, errors, 0)
  }

  /** A sample: the tick ends, with the deltas counted since the one before. */
  addSample(line: SampleLine): void {
    const tick = this.count
    this.times.push(line.t)
    const e = this.entry
    const tree = line.tree ?? {}
    for (let k = 0; k < TREE_FIELDS.length; k++) e[k] = num((tree as Partial<TreeRecord>)[TREE_FIELDS[k]!])
    e[GAP] = line.gap ? 1 : 0
    this.tree.push(e)

    // the newest tick's rows become the ones before
    const before = this.rows
    const rows = this.rowsBefore
    this.rows = rows
    this.rowsBefore = before
    rows.clear()
    for (const row of Array.isArray(line.p) ? line.p : []) {
      if (!Array.isArray(row)) continue
      const pid = num(row[0])
      const k = rows.count
      // the sampler lists processes in the same order tick after tick
      const index = k < before.count && before.pid(k) === pid ? before.index(k) : this.indexOf(pid)
      rows.add(pid, index)
      const known = this.indexed[index]!
      const series = known.series ?? this.addSeries(known)
      series.append(tick, row, 1)
      e[0] = index
      this.rowProcess.push(e)
    }
    this.rowEnds.push(this.rowProcess.length)

    const sys = this.pendingSyscalls
    for (let k = 0; k < sys.size; k++) {
      e[0] = sys.key(k)
      e[1] = sys.sum(k, 0)
      e[2] = sys.sum(k, 1)
      e[3] = sys.sum(k, 2)
      this.syscalls.push(e)
    }
    this.syscallEnds.push(this.syscalls.length)
    const byProcess = this.pendingProcessCounts
    for (let k = 0; k < byProcess.size; k++) {
      e[0] = byProcess.key(k)
      e[1] = byProcess.sum(k, 0)
      e[2] = byProcess.sum(k, 1)
      this.processCounts.push(e)
    }
    this.processCountEnds.push(this.processCounts.length)
    sys.clear()
    byProcess.clear()

    // A process without rows for a while has most likely ended: its newest rows are compressed
    // then, not when (if ever) a block of them fills. Not at once: a process the sampler missed
    // for a tick would be left with a block per row.
    for (let k = 0; k < before.count; k++) {
      const s = this.indexed[before.index(k)]!.series!
      if (s.lastTick === tick - 1) this.departed.push({ series: s, lastTick: s.lastTick })
    }
    const departed = this.departed
    while (this.departedDone < departed.length && departed[this.departedDone]!.lastTick <= tick - SEAL_AFTER_TICKS) {
      const { series, lastTick } = departed[this.departedDone++]!
      // one that came back is listed again when it leaves again
      if (series.lastTick === lastTick) series.rows.seal(true)
    }
    if (this.departedDone > 1024) {
      departed.splice(0, this.departedDone)
      this.departedDone = 0
    }
  }

  private indexOf(pid: number): number {
    let index = this.processIndex.get(pid)
    if (index === undefined) {
      index = this.indexed.length
      this.processIndex.set(pid, index)
      this.indexed.push({ pid, series: null })
    }
    return index
  }

  private addSeries(known: { pid: number; series: ProcessSeries | null }): ProcessSeries {
    const s = new ProcessSeries(known.pid, PROCESS_COLUMNS.length, this.pool)
    known.series = s
    this.series.push(s)
    return s
  }

  /** Tree-wide syscall deltas of tick i, in the order its counts named them. */
  forEachSyscall(i: number, visit: (nr: number, calls: number, errors: number) => void): void {
    const r = this.syscallReader
    const end = this.syscallEnds.at(i)
    for (let d = i > 0 ? this.syscallEnds.at(i - 1) : 0; d < end; d++) visit(r.value(d, 0), r.value(d, 1), r.value(d, 2))
  }

  /**
   * The process rows of tick i as the views get them, in the order they were written. `readers`
   * when rows of many ticks are read one tick after another (null: just this tick).
   */
  processPoints(i: number, readers: SeriesReaders | null): ProcessPoint[] {
    const points: ProcessPoint[] = []
    const end = this.rowEnds.at(i)
    // a process with two rows in one tick (never from the sampler) has them in turn
    let taken: Map<ProcessSeries, number> | null = null
    for (let r = i > 0 ? this.rowEnds.at(i - 1) : 0; r < end; r++) {
      const series = this.indexed[this.rowProcessReader.value(r, 0)]!.series!
      let row = series.firstRowFrom(i)
      if (series.hasRepeatedTicks) {
        taken ??= new Map()
        const before = taken.get(series) ?? 0
        taken.set(series, before + 1)
        row += before
      }
      const table = series.rows
      // the live view asks for the newest rows: not sealed yet, they need no reader
      if (!readers || row >= table.sealedLength) table.readRow(row, rowValues)
      else {
        let reader = readers.get(series)
        if (!reader) readers.set(series, (reader = new TableReader(table)))
        for (let c = 0; c < PROCESS_COLUMNS.length; c++) rowValues[c] = reader.value(row, c)
      }
      points.push(pointOf(series.pid === series.pid ? series.pid : 0, rowValues))
    }
    return points
  }

  /** The series of a pid's rows (none for a pid without rows). */
  seriesOf(pid: number): ProcessSeries | null {
    const index = this.processIndex.get(pid)
    return index === undefined ? null : this.indexed[index]!.series
  }

  /** What ticks [lo, hi) add up to (range.ts). */
  sums(lo: number, hi: number): RangeSums {
    const s = emptySums()
    if (hi <= lo) return s
    const slice = Array.from({ length: 5 }, () => new Float64Array(BLOCK_ROWS))
    const [a, b, c, d, e] = slice as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array]
    const from = (ends: GrowingColumn): number => (lo > 0 ? ends.at(lo - 1) : 0)
    const sys = new SyscallSums()
    for (let at = from(this.syscallEnds), end = this.syscallEnds.at(hi - 1), next; at < end; at = next) {
      next = this.syscalls.sliceEnd(at, end)
      const n = next - at
      this.syscalls.read(0, at, at + n, a)
      this.syscalls.read(1, at, at + n, b)
      this.syscalls.read(2, at, at + n, c)
      this.syscalls.read(3, at, at + n, d)
      for (let k = 0; k < n; k++) sys.add(a[k]!, b[k]!, c[k]!, d[k]!)
    }
    sys.into(s.sys)
    for (let at = from(this.processCountEnds), end = this.processCountEnds.at(hi - 1), next; at < end; at = next) {
      next = this.processCounts.sliceEnd(at, end)
      const n = next - at
      this.processCounts.read(0, at, at + n, a)
      this.processCounts.read(1, at, at + n, b)
      this.processCounts.read(2, at, at + n, c)
      for (let k = 0; k < n; k++) addProcessCounts(s, this.indexed[a[k]!]!.pid, b[k]!, c[k]!)
    }
    // each row's rates are over the time since the tick before it: weighed by that time (s), not
    // the nominal interval, as ticks come late (a loaded machine, a timer that missed one)
    const tickSeconds = new Float64Array(hi - lo)
    for (let i = lo; i < hi; i++) tickSeconds[i - lo] = (this.times.at(i) - (i > 0 ? this.times.at(i - 1) : 0)) / 1000
    for (const series of this.series) {
      if (series.pid !== series.pid) continue
      const first = series.firstRowFrom(lo)
      const last = series.firstRowFrom(hi)
      let sum = 0
      let samples = 0
      let peak = 0
      let seconds = 0
      let rss = -Infinity
      let reads = 0
      let writes = 0
      let rated = false
      const rowTicks = series.ticks(first, last)
      for (let at = first, next; at < last; at = next) {
        next = series.rows.sliceEnd(at, last)
        const n = next - at
        series.rows.read(CPU_USER, at, at + n, a)
        series.rows.read(CPU_SYSTEM, at, at + n, b)
        series.rows.read(RSS, at, at + n, c)
        series.rows.read(READ_RATE, at, at + n, d)
        series.rows.read(WRITE_RATE, at, at + n, e)
        for (let k = 0; k < n; k++) {
          const dt = tickSeconds[rowTicks[at - first + k]! - lo]!
          // its own I/O rates (logical), summed like the CPU: over the interval before each
          if (d[k]! === d[k]! && e[k]! === e[k]!) {
            reads += d[k]! * dt
            writes += e[k]! * dt
            rated = true
          }
          const u = a[k]!
          const sys = b[k]!
          // the mean and peak of a process's CPU count only samples where both halves were read
          if (u === u && sys === sys) {
            const cpu = u + sys
            if (samples === 0 || cpu > peak) peak = cpu
            sum = samples === 0 ? cpu : sum + cpu
            seconds += (cpu / 100) * dt
            samples++
          }
          const r = c[k]!
          if (r > rss) rss = r
        }
      }
      if (samples > 0) addCpu(s, series.pid, sum, samples, peak, seconds)
      if (rss !== -Infinity) addRss(s, series.pid, rss)
      if (rated) addIo(s, series.pid, reads, writes)
    }
    return s
  }
}

/** The pid and process index of each row of one tick, in order (typed arrays, reused). */
class TickRows {
  private pids = new Float64Array(64)
  private indexes = new Int32Array(64)
  count = 0

  add(pid: number, index: number): void {
    if (this.count === this.pids.length) {
      const pids = new Float64Array(this.count * 2)
      const indexes = new Int32Array(this.count * 2)
      pids.set(this.pids)
      indexes.set(this.indexes)
      this.pids = pids
      this.indexes = indexes
    }
    this.pids[this.count] = pid
    this.indexes[this.count++] = index
  }

  pid(k: number): number {
    return this.pids[k]!
  }

  index(k: number): number {
    return this.indexes[k]!
  }

  clear(): void {
    this.count = 0
  }
}

const rowValues = new Float64Array(PROCESS_COLUMNS.length)
const C = Object.fromEntries(PROCESS_COLUMNS.map((c, i) => [c, i])) as Record<ProcessColumn, number>

/**
 * A process row as the views get it: every recorded column, null where unavailable. One literal
 * rather than a loop of keyed stores: a minute of ticks is 30,000 of these.
 */
function pointOf(pid: number, v: Float64Array): ProcessPoint {
  const point = {
    pid,
    cpu_user_pct: nullable(v[C.cpu_user_pct]!),
    cpu_system_pct: nullable(v[C.cpu_system_pct]!),
    rss_bytes: nullable(v[C.rss_bytes]!),
    pss_bytes: nullable(v[C.pss_bytes]!),
    read_bytes_per_s: nullable(v[C.read_bytes_per_s]!),
    write_bytes_per_s: nullable(v[C.write_bytes_per_s]!),
    threads: nullable(v[C.threads]!),
    fds: nullable(v[C.fds]!),
    swap_bytes: nullable(v[C.swap_bytes]!),
    cpu_seconds: nullable(v[C.cpu_seconds]!),
    read_bytes: nullable(v[C.read_bytes]!),
    write_bytes: nullable(v[C.write_bytes]!),
    rchar_bytes: nullable(v[C.rchar_bytes]!),
    wchar_bytes: nullable(v[C.wchar_bytes]!),
    hwm_bytes: nullable(v[C.hwm_bytes]!),
    vol_ctxsw: nullable(v[C.vol_ctxsw]!),
    invol_ctxsw: nullable(v[C.invol_ctxsw]!),
    minflt: nullable(v[C.minflt]!),
    majflt: nullable(v[C.majflt]!)
  } satisfies Record<'pid' | ProcessColumn, number | null>
  return point
}

/** A recorded value as stored: anything but a number is unavailable. */
function num(v: unknown): number {
  return typeof v === 'number' ? v : NaN
}

export function nullable(v: number): number | null {
  return v === v ? v : null
}
