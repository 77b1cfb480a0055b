// The attach picker's rows (tree and flat, search, sorting) and the generic sorting.
import { describe, expect, it } from 'vitest'
import type { ProcessListEntry } from '../../src/shared/contract'
import { forestRows, keepForMatches, matchesProcess, pickerRows } from '../../src/renderer/src/lib/tree'
import { compareValues, nextSort, sortBy } from '../../src/renderer/src/lib/sort'

const proc = (pid: number, ppid: number, comm: string, extra: Partial<ProcessListEntry> = {}): ProcessListEntry => ({
  pid,
  ppid,
  comm,
  cmdline: `/usr/bin/${comm} --flag`,
  user: 'me',
  uid: 1000,
  cpu_pct: null,
  rss_bytes: null,
  startedAtMs: null,
  cannotTrace: null,
  ...extra
})

const list = [
  proc(1, 0, 'init', { user: 'root', cpu_pct: 0.1 }),
  proc(10, 1, 'bash', { cpu_pct: 1 }),
  proc(11, 10, 'make', { cpu_pct: 50 }),
  proc(12, 11, 'cc1', { cpu_pct: 90 }),
  proc(13, 11, 'as', { cpu_pct: 5 }),
  proc(20, 1, 'sshd', { user: 'root', cpu_pct: 0 }),
  proc(21, 20, 'sshd', { cannotTrace: 'owned by root' })
]
const pids = (rows: { item: ProcessListEntry }[]): number[] => rows.map((r) => r.item.pid)

describe('the attach picker', () => {
  it('in tree mode shows everyone, depth-first, with depths', () => {
    const rows = pickerRows(list, '', 'tree')
    expect(rows.map((r) => [r.item.pid, r.depth])).toEqual([
      [1, 0],
      [10, 1],
      [11, 2],
      [12, 3],
      [13, 3],
      [20, 1],
      [21, 2]
    ])
    expect(rows.find((r) => r.item.pid === 11)!.hasChildren).toBe(true)
  })

  it('a tree search keeps the matches’ ancestors and descendants, and marks the matches', () => {
    const rows = pickerRows(list, 'make', 'tree')
    expect(pids(rows)).toEqual([1, 10, 11, 12, 13])
    expect(rows.filter((r) => r.match).map((r) => r.item.pid)).toEqual([11])
  })

  it('a match inside another match’s ancestry still brings its whole subtree', () => {
    // "cc1" (12) is met first and keeps its ancestors 11, 10, 1; "bash" (10) must then still
    // bring all of its subtree, 13 included, though 11 is already kept
    const { keep } = keepForMatches([...list].reverse(), { id: (p) => p.pid, parent: (p) => p.ppid }, (p) => p.comm === 'cc1' || p.comm === 'bash')
    expect([...keep].sort((a, b) => a - b)).toEqual([1, 10, 11, 12, 13])
  })

  it('in flat mode shows only matches, by name, command line, PID or user', () => {
    expect(pids(pickerRows(list, 'sshd', 'flat'))).toEqual([20, 21])
    expect(pids(pickerRows(list, '12', 'flat'))).toEqual([12])
    expect(pids(pickerRows(list, 'ROOT', 'flat'))).toEqual([1, 20])
    expect(pids(pickerRows(list, '--flag', 'flat'))).toHaveLength(7)
    expect(matchesProcess(list[2]!, '  Make ')).toBe(true)
  })

  it('takes a number for a PID only, never for a number inside another command line', () => {
    // Chromium's renderers carry ids like --field-trial-handle=…8146…; typing 8146 + Enter must attach to 8146
    const withNumbers = [...list, proc(30, 1, 'chromium', { cmdline: '/usr/lib/chromium/chromium --renderer-client-id=12 --handle=8146' }), proc(8146, 1, 'sh')]
    expect(pids(pickerRows(withNumbers, '8146', 'flat'))).toEqual([8146])
    expect(pids(pickerRows(withNumbers, ' 12 ', 'flat'))).toEqual([12])
    expect(pids(pickerRows(withNumbers, '--handle=8146', 'flat'))).toEqual([30])
  })

  it('sorts flat rows by a column, and tree siblings by it', () => {
    expect(pids(pickerRows(list, '', 'flat', { key: 'cpu_pct', dir: 'desc' }))).toEqual([12, 11, 13, 10, 1, 20, 21])
    const tree = pickerRows(list, '', 'tree', { key: 'cpu_pct', dir: 'desc' })
    // under make (11): cc1 (90 %) before as (5 %); under init: bash before sshd
    expect(pids(tree)).toEqual([1, 10, 11, 12, 13, 20, 21])
    const byName = pickerRows(list, '', 'tree', { key: 'comm', dir: 'asc' })
    expect(pids(byName)).toEqual([1, 10, 11, 13, 12, 20, 21])
  })

  it('loses nobody to a parent cycle or a missing parent', () => {
    const odd = [proc(5, 6, 'a'), proc(6, 5, 'b'), proc(7, 999, 'orphan'), proc(8, 8, 'self')]
    expect(pids(pickerRows(odd, '', 'tree')).sort()).toEqual([5, 6, 7, 8])
  })
})

describe('forestRows', () => {
  it('hides the descendants of collapsed nodes', () => {
    const rows = forestRows(list, { id: (p) => p.pid, parent: (p) => p.ppid }, (xs) => xs, null, new Set([11]))
    expect(pids(rows)).toEqual([1, 10, 11, 20, 21])
  })
})

describe('sorting', () => {
  const rows = [
    { n: 'b', v: 2 as number | null },
    { n: 'a10', v: null },
    { n: 'a9', v: 5 },
    { n: 'c', v: 2 }
  ]
  it('numbers by value, text naturally, ties in input order', () => {
    expect(sortBy(rows, { key: 'v', dir: 'desc' }, (r) => r.v).map((r) => r.n)).toEqual(['a9', 'b', 'c', 'a10'])
    expect(sortBy(rows, { key: 'n', dir: 'asc' }, (r) => r.n).map((r) => r.n)).toEqual(['a9', 'a10', 'b', 'c'])
  })
  it('puts unavailable values last in both directions', () => {
    expect(sortBy(rows, { key: 'v', dir: 'asc' }, (r) => r.v).map((r) => r.n)).toEqual(['b', 'c', 'a9', 'a10'])
    expect(compareValues(null, 1)).toBeGreaterThan(0)
    expect(compareValues(NaN, null)).toBe(0)
  })
  it('a second click flips the direction, another column starts with its own', () => {
    expect(nextSort({ key: 'calls', dir: 'desc' }, 'calls')).toEqual({ key: 'calls', dir: 'asc' })
    expect(nextSort({ key: 'calls', dir: 'asc' }, 'name', 'asc')).toEqual({ key: 'name', dir: 'asc' })
  })
})
