#!/usr/bin/env node
// node scripts/compare-stores.mjs — asks this tree's session store and BASELINE's (default: the
// last revision that kept one object per tick) the same questions about the same session and
// fails on the first answer that differs in any way (deepStrictEqual: null is not 0, -0 is not
// 0). The session is the synthetic one of the store benchmark, then a short one made of the odd
// lines a recording may hold (rows without a pid or with a pid twice, short rows, -0, huge and
// fractional figures, empty counts).
// Env: BASELINE=<rev>, TICKS (default 36000: an hour at 10 Hz).
import { deepStrictEqual } from 'node:assert/strict'
import { BASELINE, bundleStore, checkout, root } from './store-bundles.mjs'
import { sessionTicks, workloadHeader } from './store-workload.mjs'

const TICKS = Number(process.env.TICKS ?? 36_000)
const { rev, dir } = checkout(BASELINE)
const before = await import(await bundleStore(dir, 'baseline'))
const now = await import(await bundleStore(root, 'current'))
const columns = now.PROCESS_COLUMNS
deepStrictEqual(columns, before.PROCESS_COLUMNS)

let checks = 0
function same(what, a, b) {
  try {
    deepStrictEqual(a, b)
  } catch (e) {
    console.error(`differs from ${rev}: ${what}`)
    throw e
  }
  checks++
}

/** Everything the app asks a store, asked of both. */
function compare(name, lines) {
  const a = new before.SessionStore(workloadHeader(columns), 's', null)
  const b = new now.SessionStore(workloadHeader(columns), 's', null)
  for (const l of lines()) {
    a.ingest(l)
    b.ingest(l)
  }
  const n = a.ticks.length
  same(`${name}: tick count`, b.tickCount, n)
  same(`${name}: duration`, b.durationMs(), a.durationMs())
  for (let i = 0; i < n; i++) {
    same(`${name}: tree point ${i}`, b.treePoint(i), a.treePoint(i))
    same(`${name}: process points ${i}`, b.processPoints(i), a.processPoints(i))
    same(`${name}: tick time ${i}`, b.tickTime(i), a.ticks[i].t)
  }
  same(`${name}: a tick past the end`, b.processPoints(n), a.processPoints(n))
  same(`${name}: tick batch`, b.tickBatch(Math.max(0, n - 700)), a.tickBatch(Math.max(0, n - 700)))
  for (const points of [2000, 300, 3]) same(`${name}: snapshot of ${points}`, b.snapshot('running', points), a.snapshot('running', points))
  const end = a.durationMs()
  const ranges = [
    [0, Number.MAX_SAFE_INTEGER],
    [0, 0],
    [end / 2, end / 2 + 60_000],
    [end - 1000, end],
    [end + 1, end + 2],
    [123.5, 4567.25]
  ]
  for (let k = 0; k < 20; k++) {
    const from = Math.floor(Math.random() * end)
    ranges.push([from, from + Math.floor(Math.random() * (end - from))])
  }
  for (const [from, to] of ranges) same(`${name}: breakdown ${from}–${to}`, b.breakdown(from, to), a.breakdown(from, to))
  for (const [lo, hi] of [
    [0, n],
    [Math.floor(n / 3), Math.floor(n / 2)],
    [n, n]
  ]) {
    const x = a.sumTicks(lo, hi)
    const y = b.sumTicks(lo, hi)
    // the order of the syscalls decides how a breakdown lists equal counts; pids are listed sorted
    same(`${name}: sums ${lo}–${hi} (syscalls)`, [...y.sys], [...x.sys])
    for (const k of ['perPid', 'cpu', 'rssPeak'])
      same(`${name}: sums ${lo}–${hi} (${k})`, new Map([...y[k]].sort((p, q) => p[0] - q[0])), new Map([...x[k]].sort((p, q) => p[0] - q[0])))
  }
  same(`${name}: JSON summary`, now.buildSummary(b, 'ended'), before.buildSummary(a, 'ended'))
  same(`${name}: CSV`, now.buildTimelineCsv(b), before.buildTimelineCsv(a))
  const da = before.buildDigest(a)
  const db = now.buildDigest(b)
  same(`${name}: digest`, { ...db, buckets: null }, { ...da, buckets: null })
  same(`${name}: digest buckets`, db.buckets.map(sortedPids), da.buckets.map(sortedPids))
  same(`${name}: per-process syscalls`, b.perProcessSyscalls, a.perProcessSyscalls)
  console.log(`${name}: ${n} ticks, every answer the same`)
}

function sortedPids(bucket) {
  return { ...bucket, sums: { ...bucket.sums, pid: [...bucket.sums.pid].sort((p, q) => p[0] - q[0]) } }
}

function* synthetic() {
  for (const lines of sessionTicks({ columns, ticks: TICKS })) yield* lines
}

/** Lines no sampler writes but a recording (or a later syscope) may hold. */
function* oddities() {
  const width = columns.length
  const row = (pid, f) => [pid, ...Array.from({ length: width }, (_, c) => f(c))]
  yield { k: 'p', pid: 7, ppid: 1, comm: 'odd', cmdline: ['odd'], start_ms: 0, uid: null }
  for (let i = 1; i <= 700; i++) {
    const t = i * 100 + (i % 7)
    yield {
      k: 'c',
      t,
      pid: 7,
      sys:
        i % 50 === 0
          ? []
          : [
              [i % 5, i, i % 2, 1e12 + i],
              [400 + (i % 3), 1, 0, 0.5]
            ]
    }
    if (i % 9 === 0) yield { k: 'c', t, pid: 99, sys: [[3, 2 ** 40, 1, 3]] }
    const p = [
      row(7, (c) =>
        c === 0 ? (i % 3 ? -0 : 0) : c === 1 ? null : c === 2 ? 2 ** 60 + i * 2 ** 10 : c === 3 ? i / 100 : c === 4 ? 1e-300 * i : i % 11 === 0 ? null : i * c
      ),
      // a process sampled twice in one tick, and a row whose pid could not be read
      row(8, (c) => (c + i) % 4),
      ...(i % 5 === 0 ? [row(8, (c) => -c), row(null, (c) => c)] : []),
      // a short row (an older column set): the missing columns are unavailable
      [9, 1.5, 2.5],
      // a process that comes and goes
      ...(i % 40 < 13 ? [row(10 + Math.floor(i / 40), (c) => c * i)] : [])
    ]
    yield {
      k: 's',
      t,
      tree: {
        cpu_pct: i % 4 ? i / 3 : null,
        rss_bytes: 2 ** 33 + i,
        pss_bytes: null,
        read_bytes_per_s: -0,
        write_bytes_per_s: 0,
        threads: i,
        fds: null,
        processes: p.length,
        cpu_seconds: i / 100,
        read_bytes: 0,
        write_bytes: null
      },
      p,
      gap: i % 100 > 90
    }
  }
  yield { k: 'end', t: 70_200, exit_code: 0, exit_signal: null, message: null }
}

compare('odd lines', oddities)
compare(`synthetic session of ${TICKS} ticks`, synthetic)
console.log(`${checks} answers compared with ${rev}'s store: all equal`)
