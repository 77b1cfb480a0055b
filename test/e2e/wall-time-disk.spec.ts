// The wall-time and disk panes (issue 15, Views): real recordings made with the CLI (real helper,
// real BPF) opened in Chromium through `syscope serve`. A workload of threads with known parts
// (spinning, asleep, blocked on a pipe and a futex, two sharing one CPU) shows its thread-state
// lanes, the why-was-it-slow rows and each process's split as its `summary --json` has them, and
// a range zoomed into shows what the backend gives for that range. Direct-I/O reads on a loop
// device of the test's own show the device's requests, sizes and submitter as the summary has them.
import { startServe, type Served } from './serve'
import { openRecording, record } from './recorded'
import { test, expect, type Page } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Summary } from '../../src/main/types/summary'
import type { WallTimeRows } from '../../src/shared/wall-time'
import { WALL_TIME_LANES, blockedLabel, wallTimeSentence } from '../../src/shared/wall-time'
import { makeLoopDisk, type LoopDisk } from '../util/loop-disk'

const root = join(import.meta.dirname, '..', '..')
const shots = join(root, 'build', 'test-results', 'screenshots')
const DD = { bs: 4096, count: 48 }
let served: Served | undefined
let url = ''
let disk: LoopDisk | undefined
const rec = { wall: '', disk: '' }
let wallSummary: Summary
let diskSummary: Summary

test.describe.configure({ mode: 'serial' })

test.beforeAll(async () => {
  test.setTimeout(180_000)
  mkdirSync(shots, { recursive: true })
  // the recordings live on the loop device's filesystem's neighbour, /var/tmp: nothing in /tmp
  disk = makeLoopDisk('syscope-wall-disk-')
  const dir = disk.dir
  chmodSync(dir, 0o755)
  const data = join(dir, 'data')
  const recordings = join(data, 'syscope', 'recordings')
  mkdirSync(recordings, { recursive: true })
  const bin = join(dir, 'wallparts')
  execFileSync('cc', ['-O2', '-pthread', '-o', bin, join(root, 'test', 'helper', 'workloads', 'wallparts.c')])
  rec.wall = join(recordings, 'wallparts.syscope')
  wallSummary = record(data, rec.wall, [], [bin, join(dir, 'facts.txt')])
  rec.disk = join(recordings, 'direct-reads.syscope')
  diskSummary = record(data, rec.disk, [], ['dd', `if=${disk.file}`, 'of=/dev/null', 'iflag=direct', `bs=${DD.bs}`, `count=${DD.count}`, 'status=none'])

  served = await startServe(data)
  url = served.url
})

test.afterAll(async () => {
  await served?.stop()
  disk?.remove()
})

const open = (page: Page, path: string, pane: string): Promise<void> => openRecording(page, url, path, pane)

/** the why-was-it-slow rows shown: part → ns */
const whyShown = (page: Page): Promise<Record<string, number>> =>
  page.getByTestId('why-row').evaluateAll((rs) => Object.fromEntries(rs.map((r) => [(r as HTMLElement).dataset.part!, Number((r as HTMLElement).dataset.ns)])))

test('the thread lanes, why it was slow and each process, as the summary has them', async ({ page }) => {
  const tree = wallSummary.proc.tree.time!
  expect(tree).not.toBeNull()
  await open(page, rec.wall, 'wall-time-pane')
  await expect(page.getByTestId('wall-time-sentence')).toHaveText(wallTimeSentence(tree))
  const want: Record<string, number> = { on_cpu: tree.on_cpu_ns, runqueue: tree.runqueue_ns }
  for (const b of tree.blocked_by) want[blockedLabel(b)] = b.ns
  for (const k of Object.keys(want)) if (want[k] === 0) delete want[k]
  expect(await whyShown(page)).toEqual(want)
  // the workload's parts are there: sleeping, reading a pipe (and said so), waiting on a futex
  expect(Object.keys(want)).toEqual(expect.arrayContaining(['on_cpu', 'runqueue', 'clock_nanosleep', 'read on a pipe', 'futex']))
  const threads = wallSummary.proc.processes.reduce((n, p) => n + (p.threads?.length ?? 0), 0)
  await expect(page.getByTestId('wall-time-pane')).toHaveAttribute('data-threads', String(threads))
  const lanes = page.getByTestId('thread-lanes')
  await expect(lanes).toHaveAttribute('data-lanes', String(Math.min(threads, WALL_TIME_LANES)))
  await expect(lanes.locator('canvas')).toBeVisible()
  const procRows = await page.getByTestId('wall-process-row').evaluateAll((rs) => rs.map((r) => Number((r as HTMLElement).dataset.pid)).sort())
  expect(procRows).toEqual(
    wallSummary.proc.processes
      .filter((p) => p.time)
      .map((p) => p.pid)
      .sort()
  )
  // on a CPU, user and system (a timed recording): the share in syscalls, and each process's
  expect(tree.on_cpu_system_ns).toBeGreaterThan(0)
  await expect(page.locator('[data-testid="why-row"][data-part="on_cpu"]')).toContainText(/on a CPU \([\d.]+ ?% in syscalls\)/)
  const sysShown = await page
    .getByTestId('wall-process-row')
    .evaluateAll((rs) => rs.map((r) => [Number((r as HTMLElement).dataset.pid), Number((r as HTMLElement).dataset.sysNs)]))
  expect(Object.fromEntries(sysShown)).toEqual(
    Object.fromEntries(wallSummary.proc.processes.filter((p) => p.time).map((p) => [p.pid, p.time!.on_cpu_system_ns]))
  )
  await page.getByTestId('wall-time-pane').screenshot({ path: join(shots, 'wall-time.png') })
})

test('a range zoomed into shows what the backend gives for it', async ({ page }) => {
  await open(page, rec.wall, 'wall-time-pane')
  const pane = page.getByTestId('wall-time')
  const whole = Number(await pane.getAttribute('data-to'))
  const readout = (await page.getByTestId('lane-cpu-readout').boundingBox())!
  await page.mouse.move(readout.x + readout.width / 2, readout.y + 60)
  for (let i = 0; i < 3; i++) await page.mouse.wheel(0, -240)
  await expect.poll(async () => Number(await pane.getAttribute('data-from')), { timeout: 10_000 }).toBeGreaterThan(0)
  // the zoom settles (each wheel step asks again): wait until the range shown stops moving
  let last = ''
  await expect
    .poll(
      async () => {
        const now = `${await pane.getAttribute('data-from')} ${await pane.getAttribute('data-to')}`
        const same = now === last
        last = now
        return same
      },
      { timeout: 10_000, intervals: [500] }
    )
    .toBe(true)
  const from = Number(await pane.getAttribute('data-from'))
  const to = Number(await pane.getAttribute('data-to'))
  expect(to - from).toBeLessThan(whole)
  // the same question through the bridge the page itself uses
  const asked = await page.evaluate(
    async ([f, t]) => {
      const api = (
        window as unknown as {
          syscope: { listSessions(): Promise<{ id: string; kind: string }[]>; wallTime(id: string, f: number, t: number): Promise<unknown> }
        }
      ).syscope
      const s = (await api.listSessions()).find((x) => x.kind === 'recording')!
      return api.wallTime(s.id, f, t)
    },
    [from, to]
  )
  const rows = asked as WallTimeRows
  expect(rows.tree).not.toBeNull()
  await expect(page.getByTestId('wall-time-sentence')).toHaveText(wallTimeSentence(rows.tree!))
  expect(rows.tree!.wall_ns).toBeLessThan(wallSummary.proc.tree.time!.wall_ns)
  await page.getByTestId('wall-time-pane').screenshot({ path: join(shots, 'wall-time-range.png') })
})

test('the disk pane: the device, its requests and sizes, and who submitted them', async ({ page }) => {
  const device = disk!.loop.replace('/dev/', '')
  const d = diskSummary.disk!.find((x) => x.device === device)!
  expect(d).toBeDefined()
  const dd = diskSummary.proc.processes.find((p) => p.comm === 'dd')!
  await open(page, rec.disk, 'disk-pane')
  // the loop device is picked, whatever else the machine did meanwhile
  const select = page.getByTestId('disk-pane').locator('select')
  if ((await select.count()) > 0) await select.selectOption(d.dev)
  const shown = page.getByTestId('disk-device')
  await expect(shown).toHaveAttribute('data-device', device)
  await expect(shown).toHaveAttribute('data-requests', String(d.requests))
  await expect(shown).toHaveAttribute('data-bytes', String(d.bytes))
  const mine = page.locator(`[data-testid="disk-submitter-row"][data-who="${dd.pid}"]`)
  await expect(mine).toHaveAttribute('data-requests', String(DD.count))
  await expect(page.locator('[data-testid="disk-op-row"][data-op="read"]')).toHaveAttribute(
    'data-requests',
    String(d.by_op.find((o) => o.op === 'read')!.requests)
  )
  await expect(page.getByTestId('disk-latency-histogram').locator('canvas')).toBeVisible()
  await expect(page.getByTestId('disk-size-histogram').locator('canvas')).toBeVisible()
  await page.getByTestId('disk-pane').screenshot({ path: join(shots, 'disk.png') })
})
