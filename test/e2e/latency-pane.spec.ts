// The latency pane (issue 15, Views): real recordings made with the CLI (real helper, real BPF) of
// a workload of known slow calls and one of known sleeps, opened in Chromium through
// `syscope serve`. The pane holds the recording's own `summary --json` figures: each syscall's
// calls, errors and durations, the histogram of the one picked, and the slowest calls with what
// they waited on; a counts-only recording says it has no durations.
import { startServe, type Served } from './serve'
import { openRecording, record } from './recorded'
import { test, expect, type Page } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Summary } from '../../src/main/types/summary'

const root = join(import.meta.dirname, '..', '..')
const shots = join(root, 'build', 'test-results', 'screenshots')
let served: Served | undefined
let url = ''
let dir = ''
const rec = { slow: '', sleeps: '', counts: '' }
const facts: Record<string, string> = {}
let slowSummary: Summary
let sleepsSummary: Summary

test.describe.configure({ mode: 'serial' })

test.beforeAll(async () => {
  test.setTimeout(120_000)
  mkdirSync(shots, { recursive: true })
  dir = mkdtempSync(join(tmpdir(), 'syscope-latency-pane-'))
  chmodSync(dir, 0o755)
  const data = join(dir, 'data')
  const recordings = join(data, 'syscope', 'recordings')
  mkdirSync(recordings, { recursive: true })
  const bin = join(dir, 'latency')
  execFileSync('cc', ['-O2', '-pthread', '-o', bin, join(root, 'test', 'helper', 'workloads', 'latency.c')])
  rec.slow = join(recordings, 'slowset.syscope')
  slowSummary = record(data, rec.slow, [], [bin, 'slowset', join(dir, 'facts.txt')])
  for (const line of readFileSync(join(dir, 'facts.txt'), 'utf8').trim().split('\n')) {
    const [k, v] = line.split(' ') as [string, string]
    facts[k] = v
  }
  rec.sleeps = join(recordings, 'sleeps.syscope')
  sleepsSummary = record(data, rec.sleeps, [], [bin, 'sleeps', join(dir, 'sleeps.txt')])
  rec.counts = join(recordings, 'counts.syscope')
  record(data, rec.counts, ['--counts-only'], [bin, 'errors'])

  served = await startServe(data)
  url = served.url
})

test.afterAll(async () => {
  await served?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const open = (page: Page, path: string): Promise<void> => openRecording(page, url, path, 'latency-pane')

test('the slowest calls, longest first, with what each waited on', async ({ page }) => {
  await open(page, rec.slow)
  const rows = page.getByTestId('slowest-row')
  await expect(rows.first()).toBeVisible()
  const shown = await rows.evaluateAll((rs) => rs.map((r) => [(r as HTMLElement).dataset.syscall, (r as HTMLElement).dataset.target]))
  const want = slowSummary.ebpf.slowest_calls!.slice(0, 50).map((c) => [c.syscall, c.target ?? ''])
  expect(shown).toEqual(want)
  expect(shown.slice(0, 4)).toEqual([
    ['read', `pipe:[${facts.pipe}]`],
    ['futex', `futex ${facts.futex}`],
    ['clock_nanosleep', ''],
    ['wait4', `child pid ${facts.child} (latency)`]
  ])
  await page.getByTestId('latency-pane').screenshot({ path: join(shots, 'latency-slowest.png') })
})

test('each syscall’s durations as the summary has them, and the histogram of the one picked', async ({ page }) => {
  await open(page, rec.sleeps)
  const sleep = sleepsSummary.ebpf.syscalls.per_syscall.find((r) => r.name === 'clock_nanosleep')!
  const row = page.locator('[data-testid="latency-row"][data-name="clock_nanosleep"]')
  await expect(row).toHaveAttribute('data-count', String(sleep.count))
  await expect(row).toHaveAttribute('data-max', String(sleep.max_ns))
  // every syscall of the summary, none more
  const names = await page.getByTestId('latency-row').evaluateAll((rs) => rs.map((r) => (r as HTMLElement).dataset.name).sort())
  expect(names).toEqual(sleepsSummary.ebpf.syscalls.per_syscall.map((r) => r.name).sort())
  // the sleeps took the most time: their histogram shows first; a click picks another
  const histogram = page.getByTestId('latency-histogram')
  await expect(histogram).toHaveAttribute('data-syscall', 'clock_nanosleep')
  await expect(histogram.locator('canvas')).toBeVisible()
  await page.getByTestId('latency-pane').screenshot({ path: join(shots, 'latency-histogram.png') })
  const other = sleepsSummary.ebpf.syscalls.per_syscall.find((r) => r.name !== 'clock_nanosleep' && r.hist?.length)!
  await page.locator(`[data-testid="latency-row"][data-name="${other.name}"]`).click()
  await expect(histogram).toHaveAttribute('data-syscall', other.name)
})

test('one process picked: its syscalls and durations as the summary has them, and its slowest calls', async ({ page }) => {
  await open(page, rec.slow)
  // the child that spun while its parent waited for it
  const child = Number(facts.child)
  const mine = slowSummary.ebpf.syscalls.per_process.find((p) => p.pid === child)!
  expect(mine.count).toBeGreaterThan(0)
  await page.getByTestId('latency-process').selectOption(String(child))
  const rows = page.getByTestId('latency-row')
  await expect(rows).toHaveCount(mine.per_syscall.length)
  const shown = await rows.evaluateAll((rs) =>
    rs.map((r) => [(r as HTMLElement).dataset.name, Number((r as HTMLElement).dataset.count), (r as HTMLElement).dataset.max])
  )
  expect(shown.sort()).toEqual(mine.per_syscall.map((r) => [r.name, r.count, r.max_ns === null ? '' : String(r.max_ns)]).sort())
  // of the session's slowest calls, the child's alone (the parent's wait4 for it is not)
  const pids = await page.getByTestId('slowest-row').evaluateAll((rs) => rs.map((r) => Number((r as HTMLElement).dataset.pid)))
  expect(pids).toEqual(
    slowSummary.ebpf
      .slowest_calls!.filter((c) => c.pid === child)
      .slice(0, 50)
      .map(() => child)
  )
  await page.getByTestId('latency-pane').screenshot({ path: join(shots, 'latency-one-process.png') })
  // and back to every process
  await page.getByTestId('latency-process').selectOption({ label: 'every process' })
  await expect(rows).toHaveCount(slowSummary.ebpf.syscalls.per_syscall.length)
})

test('a counts-only recording shows calls and errors by errno, and says it has no durations', async ({ page }) => {
  await open(page, rec.counts)
  await expect(page.getByTestId('latency-pane')).toHaveAttribute('data-mode', 'counts')
  await expect(page.getByTestId('latency-counts-only')).toBeVisible()
  await expect(page.getByTestId('latency-histogram')).toHaveCount(0)
  await expect(page.getByTestId('slowest-table')).toHaveCount(0)
  await expect(page.locator('[data-testid="latency-row"][data-name="openat"] [data-testid="latency-errnos"]')).toHaveText('ENOENT')
  await page.getByTestId('latency-pane').screenshot({ path: join(shots, 'latency-counts-only.png') })
})
