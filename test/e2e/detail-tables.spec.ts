// The Files and Network tables (issue 14, Views): real recordings made with the CLI's --detail
// (real helper, real BPF) of workloads of known file and network work, opened in Chromium through
// `syscope serve`. The tables hold the recording's own `summary --json` rows for the whole run,
// filter by text and by a clicked process, and follow a range narrowed on the timeline.
import { startServe, type Served } from './serve'
import { openRecording } from './recorded'
import { test, expect, type Locator, type Page } from '@playwright/test'
import { execFileSync, spawn } from 'node:child_process'
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  chmodSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { RATE_SERIES, type FileSummaryRow, type NetworkSummaryRow } from '../../src/shared/detail'

const root = join(import.meta.dirname, '..', '..')
const cli = join(root, 'bin', 'syscope.mjs')
const shots = join(root, 'build', 'test-results', 'screenshots')
const INTERVAL_MS = 50
/** the pause between the two halves of the workload: many samples, so a range can hold one half */
const GAP_MS = 40 * INTERVAL_MS
let served: Served | undefined
let url = ''
let dir = ''
let out = ''
const work = { a: '', b: '', na: '', nb: '' }
let summary: {
  files: FileSummaryRow[] | null
  network: NetworkSummaryRow[] | null
  session: { duration_ms: number }
  proc: { processes: { pid: number; comm: string }[] }
}
const comm = (pid: number): string => summary.proc.processes.find((p) => p.pid === pid)?.comm ?? ''

test.describe.configure({ mode: 'serial' })

/** `cmd` exited (with its status), polled: the record runs while the test paces its workload. */
const exited = (p: ReturnType<typeof spawn>): Promise<number | null> => new Promise((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))))

test.beforeAll(async () => {
  test.setTimeout(120_000)
  mkdirSync(shots, { recursive: true })
  dir = mkdtempSync(join(tmpdir(), 'syscope-detail-tables-'))
  chmodSync(dir, 0o755)
  const data = join(dir, 'data')
  const recordings = join(data, 'syscope', 'recordings')
  mkdirSync(recordings, { recursive: true })
  const build = (name: string): string => {
    const bin = join(dir, name)
    execFileSync('cc', ['-O2', '-o', bin, join(root, 'test', 'helper', 'workloads', `${name}.c`)])
    return bin
  }
  const files = build('files')
  const net = build('net')
  for (const k of ['a', 'b'] as const) {
    work[k] = join(dir, `files-${k}`)
    mkdirSync(join(work[k], 'sub'), { recursive: true })
  }
  for (const k of ['na', 'nb'] as const) mkdirSync((work[k] = join(dir, `net-${k}`)))
  const fifo = join(dir, 'go')
  execFileSync('mkfifo', [fifo])
  const half1 = join(dir, 'half1')
  // the first half, then a pause until the test says go, then the second half
  const script = `"${files}" "${work.a}" && "${net}" "${work.na}" && : > "${half1}" && read x < "${fifo}" && "${files}" "${work.b}" && "${net}" "${work.nb}"`
  out = join(recordings, 'detail.syscope')
  const rec = spawn('node', [cli, 'record', '--detail', '--interval', String(INTERVAL_MS), '--out', out, '--', 'sh', '-c', script], {
    env: { ...process.env, XDG_DATA_HOME: data },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  try {
    await expect.poll(() => existsSync(half1) || rec.exitCode !== null, { timeout: 30_000 }).toBe(true)
    expect(rec.exitCode, 'the record ended before its first half did').toBeNull()
    // the pause is wall time after the first half ended: waited for, then the second half goes
    const ended = statSync(half1).mtimeMs
    await expect.poll(() => Date.now() - ended, { timeout: GAP_MS + 10_000 }).toBeGreaterThanOrEqual(GAP_MS)
    writeFileSync(fifo, 'go\n')
    expect(await exited(rec)).toBe(0)
  } finally {
    if (rec.exitCode === null) rec.kill('SIGKILL')
  }
  summary = JSON.parse(execFileSync('node', [cli, 'summary', out, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 })) as typeof summary

  served = await startServe(data)
  url = served.url
})

test.afterAll(async () => {
  await served?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** A files row as the table's data attributes give it and as the summary has it. */
const fileKey = (r: Record<string, string | number | null>): string =>
  JSON.stringify(['pid', 'path', 'kind', 'opens', 'open_errors', 'reads', 'read_bytes', 'writes', 'write_bytes'].map((k) => String(r[k] ?? '')))
const netKey = (r: Record<string, string | number | null>): string =>
  JSON.stringify(
    ['pid', 'proto', 'local', 'remote', 'connects', 'connect_errors', 'accepts', 'sends', 'bytes_sent', 'recvs', 'bytes_received'].map((k) =>
      String(r[k] ?? '')
    )
  )

/** Every row the table shows, from its data attributes (data-read-bytes → read_bytes). */
async function shown(scope: Page | Locator, testid: 'file-row' | 'network-row' | 'rate-legend'): Promise<Record<string, string>[]> {
  return scope.getByTestId(testid).evaluateAll((rows) =>
    rows.map((r) => {
      const o: Record<string, string> = {}
      for (const [k, v] of Object.entries((r as HTMLElement).dataset)) o[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = v ?? ''
      return o
    })
  )
}
const sorted = (xs: string[]): string[] => [...xs].sort()

const openTables = (page: Page): Promise<void> => openRecording(page, url, out, 'files-table')

test('the whole run: the tables hold the summary rows, filter by text and by a clicked process', async ({ page }) => {
  const files = summary.files!
  const network = summary.network!
  expect(files.length).toBeGreaterThan(10)
  expect(network.length).toBeGreaterThan(6)
  await openTables(page)
  await expect(page.getByTestId('file-row')).toHaveCount(files.length)
  await expect(page.getByTestId('network-row')).toHaveCount(network.length)
  expect(sorted((await shown(page, 'file-row')).map(fileKey))).toEqual(sorted(files.map(fileKey)))
  expect(sorted((await shown(page, 'network-row')).map(netKey))).toEqual(sorted(network.map(netKey)))
  // at the default 1280 px the files table fits its pane: long paths break, every column shows
  // (the temporary directory's paths are wider than what the other columns leave)
  const overflow = await page.getByTestId('files-table').evaluate((t) => t.parentElement!.scrollWidth - t.parentElement!.clientWidth)
  expect(overflow).toBeLessThanOrEqual(0)

  // failed opens read with their errno; failed connects with theirs
  const nope = page.locator(`[data-testid="file-row"][data-path="${work.a}/sub/nope.txt"]`)
  await expect(nope.getByTestId('file-open-errors')).toHaveText('2 ENOENT')
  const refused = network.filter((r) => r.connect_errors > 0)
  expect(refused.length).toBeGreaterThan(0)
  await expect(page.getByTestId('network-connect-errors').filter({ hasText: 'ECONNREFUSED' }).first()).toBeVisible()
  // a connection reset by its peer says so; a socket without a name is unnamed, not unknown
  const resets = network.filter((r) => r.close_error === 'ECONNRESET')
  expect(resets.length).toBeGreaterThan(0)
  await expect(page.getByTestId('network-state').filter({ hasText: 'close ECONNRESET' })).toHaveCount(resets.length)
  await expect(page.getByTestId('network-table')).not.toContainText('unavailable')
  // what was done by name shows beside the file (the dynamic loader checks /etc/ld.so.preload
  // with access(): a stat by name, failed where the file does not exist)
  const statted = files.find((r) => r.stats > 0 && r.path !== null)
  expect(statted, 'a path stat-ed by name').toBeDefined()
  const cell = page.locator(`[data-testid="file-row"][data-path="${statted!.path}"][data-pid="${statted!.pid}"]`).getByTestId('file-by-name')
  await expect(cell).toContainText(`stat ${statted!.stats}`)
  await page.getByTestId('files-pane').screenshot({ path: join(shots, 'detail-files.png') })
  await page.getByTestId('network-pane').screenshot({ path: join(shots, 'detail-network.png') })

  // the text filter: the second half's directory
  await page.getByTestId('files-filter').fill(work.b)
  const inB = files.filter((r) => r.path?.includes(work.b))
  expect(inB.length).toBeGreaterThan(3)
  await expect(page.getByTestId('file-row')).toHaveCount(inB.length)
  expect(sorted((await shown(page, 'file-row')).map(fileKey))).toEqual(sorted(inB.map(fileKey)))
  await page.getByTestId('files-filter').fill('')
  const facts = JSON.parse(readFileSync(join(work.nb, 'facts.json'), 'utf8')) as Record<string, number>
  const addr = `127.0.0.1:${facts.c4}`
  await page.getByTestId('network-filter').fill(addr)
  const withAddr = network.filter((r) => r.local?.includes(addr) || r.remote?.includes(addr))
  expect(withAddr.length).toBeGreaterThan(0)
  await expect(page.getByTestId('network-row')).toHaveCount(withAddr.length)
  await page.getByTestId('network-filter').fill('')

  // a click keeps that process in both tables
  const pid = inB.find((r) => r.read_bytes + r.write_bytes > 0)!.pid
  await page.locator(`[data-testid="file-row"][data-pid="${pid}"]`).first().click()
  await expect(page.getByTestId('files-pid')).toHaveText(`pid ${pid} ✕`)
  await expect(page.getByTestId('file-row')).toHaveCount(files.filter((r) => r.pid === pid).length)
  await expect(page.getByTestId('network-row')).toHaveCount(network.filter((r) => r.pid === pid).length)
  // and the rate charts follow it: its busiest files only
  const rates = page.getByTestId('rates-pane')
  await expect(rates).toHaveAttribute('data-pid', String(pid))
  const legendPids = (await shown(rates, 'rate-legend')).map((l) => Number(l.pid))
  expect(legendPids.length).toBeGreaterThan(0)
  expect(new Set(legendPids)).toEqual(new Set([pid]))
  await page.getByTestId('files-pid').click()
  await expect(page.getByTestId('file-row')).toHaveCount(files.length)
  await expect(rates).toHaveAttribute('data-pid', '')
})

test('one row per file: each file summed over the processes that used it; a click shows them', async ({ page }) => {
  const files = summary.files!
  await openTables(page)
  await page.getByTestId('files-per-file').check()
  const paths = new Set(files.map((r, i) => r.path ?? `#${i}`))
  await expect(page.getByTestId('file-row')).toHaveCount(paths.size)
  await expect(page.getByTestId('files-count')).toHaveText(`${paths.size} of ${paths.size}`)
  // a file every process of the tree read: the C library
  const libc = files.find((r) => /\/libc\.so\.6$/.test(r.path ?? ''))!.path!
  const users = files.filter((r) => r.path === libc)
  expect(new Set(users.map((r) => r.pid)).size).toBeGreaterThan(2)
  const row = page.locator(`[data-testid="file-row"][data-path="${libc}"]`)
  await expect(row).toHaveCount(1)
  await expect(row).toHaveAttribute('data-pids', String(new Set(users.map((r) => r.pid)).size))
  await expect(row).toHaveAttribute('data-read-bytes', String(users.reduce((n, r) => n + r.read_bytes, 0)))
  await expect(row).toHaveAttribute('data-opens', String(users.reduce((n, r) => n + r.opens, 0)))
  await expect(row).toContainText(`${new Set(users.map((r) => r.pid)).size} processes`)
  await page.getByTestId('files-pane').screenshot({ path: join(shots, 'detail-files-per-file.png') })
  // a click: the processes that used it, one row each
  await row.click()
  await expect(page.getByTestId('files-per-file')).not.toBeChecked()
  await expect(page.getByTestId('files-filter')).toHaveValue(libc)
  await expect(page.getByTestId('file-row')).toHaveCount(users.length)
  expect(sorted((await shown(page, 'file-row')).map(fileKey))).toEqual(sorted(users.map(fileKey)))
})

test('the busiest files and peers over time: the top rows by bytes, drawn on the timeline axis', async ({ page }) => {
  await openTables(page)
  const pane = page.getByTestId('rates-pane')
  await expect(pane).toBeVisible()
  // the whole run, charted to its end (not to the "end of time" the whole range is asked as)
  await expect(pane).toHaveAttribute('data-from', '0')
  expect(Number(await pane.getAttribute('data-to'))).toBe(summary.session.duration_ms)
  // each chart: the rows with the most bytes (at most RATE_SERIES), each one of the summary's
  const check = async (id: string, rows: { pid: number; label: string | null; bytes: number }[]): Promise<void> => {
    const moved = rows.filter((r) => r.bytes > 0 && r.label !== null)
    const want = Math.min(RATE_SERIES, moved.length)
    expect(want).toBeGreaterThan(0)
    const chart = page.getByTestId(`${id}-rates`)
    await expect(chart).toHaveAttribute('data-series', String(want))
    await expect(chart.locator('canvas')).toBeVisible()
    const legend = (await shown(chart, 'rate-legend')).map((l) => ({ pid: Number(l.pid), label: l.label!, bytes: Number(l.bytes) }))
    expect(legend.map((l) => l.bytes)).toEqual(
      moved
        .map((r) => r.bytes)
        .sort((a, b) => b - a)
        .slice(0, want)
    )
    for (const l of legend) expect(moved, JSON.stringify(l)).toContainEqual(l)
    // each named with its process's name and pid
    const names = await chart.getByTestId('rate-legend').allInnerTexts()
    legend.forEach((l, i) => expect(names[i]).toContain(`${l.label} (${comm(l.pid)} ${l.pid})`))
  }
  // the network is watched: sockets are the peers' chart's, not the files'
  await check(
    'file',
    summary.files!.filter((r) => r.kind !== 'socket').map((r) => ({ pid: r.pid, label: r.path, bytes: r.read_bytes + r.write_bytes }))
  )
  // per process and peer: a client that came in is its host and the address it came to
  const peers = new Map<string, { pid: number; label: string | null; bytes: number }>()
  for (const r of summary.network!) {
    const inbound = r.direction === 'in' && r.remote !== null && (r.family === 'ipv4' || r.family === 'ipv6')
    const label = inbound ? `${r.remote!.replace(/:\d+$/, '')} → ${r.local}` : (r.remote ?? r.local)
    // a socket with no remote end is a line of its own
    const key = `${r.pid} ${r.remote === null ? r.socket : label}`
    const p = peers.get(key) ?? { pid: r.pid, label, bytes: 0 }
    p.bytes += r.bytes_sent + r.bytes_received
    peers.set(key, p)
  }
  await check('peer', [...peers.values()])
  await pane.screenshot({ path: join(shots, 'detail-rates.png') })
})

test('a range narrowed to the second half: only what happened in it', async ({ page }) => {
  const files = summary.files!
  const network = summary.network!
  const pidsOf = (d: string): Set<number> => new Set(files.filter((r) => r.path?.startsWith(d + '/')).map((r) => r.pid))
  const [aPids, bPids] = [pidsOf(work.a), pidsOf(work.b)]
  const factsB = JSON.parse(readFileSync(join(work.nb, 'facts.json'), 'utf8')) as Record<string, number>
  const netB = network.find((r) => r.local === `127.0.0.1:${factsB.c4}`)!
  const netA = network.find((r) => r.local === `127.0.0.1:${(JSON.parse(readFileSync(join(work.na, 'facts.json'), 'utf8')) as Record<string, number>).c4}`)!
  const second = new Set([...bPids, netB.pid])
  const first = new Set([...aPids, netA.pid])
  const lastOfFirst = Math.max(...files.filter((r) => first.has(r.pid) && r.last_ms !== null).map((r) => r.last_ms!))
  const firstOfSecond = Math.min(...files.filter((r) => second.has(r.pid) && r.first_ms !== null).map((r) => r.first_ms!))
  expect(firstOfSecond - lastOfFirst, 'the pause between the halves').toBeGreaterThan(GAP_MS / 2)

  await openTables(page)
  await expect(page.getByTestId('file-row')).toHaveCount(files.length)
  // zoom at the plots' right end (where the lanes' readouts end) until the range starts inside the pause
  const readout = (await page.getByTestId('lane-cpu-readout').boundingBox())!
  await page.mouse.move(readout.x + readout.width - 1, readout.y + 60)
  const detail = page.getByTestId('detail')
  let from = 0
  for (let i = 0; i < 30 && from <= lastOfFirst; i++) {
    await page.mouse.wheel(0, -120)
    const before = from
    await expect.poll(async () => Number(await detail.getAttribute('data-from')), { timeout: 5_000 }).not.toBe(before)
    from = Number(await detail.getAttribute('data-from'))
  }
  expect(from).toBeGreaterThan(lastOfFirst)
  expect(from, 'zoomed past the second half').toBeLessThanOrEqual(firstOfSecond)

  // the second half's processes, whole; nothing of the first half's
  const rows = await shown(page, 'file-row')
  expect(rows.some((r) => first.has(Number(r.pid)))).toBe(false)
  expect(sorted(rows.filter((r) => second.has(Number(r.pid))).map(fileKey))).toEqual(sorted(files.filter((r) => second.has(r.pid)).map(fileKey)))
  expect(rows.length).toBeLessThan(files.length)
  const net = await shown(page, 'network-row')
  expect(net.some((r) => first.has(Number(r.pid)))).toBe(false)
  expect(sorted(net.filter((r) => second.has(Number(r.pid))).map(netKey))).toEqual(sorted(network.filter((r) => second.has(r.pid)).map(netKey)))
  await page.getByTestId('files-pane').screenshot({ path: join(shots, 'detail-files-range.png') })
  await page.getByTestId('network-pane').screenshot({ path: join(shots, 'detail-network-range.png') })
})

test('a recording made without --detail says so instead of showing empty tables', async ({ page }) => {
  const plain = join(dirname(out), 'plain.syscope')
  execFileSync('node', [cli, 'record', '--out', plain, '--', 'true'], { stdio: 'ignore', env: { ...process.env, XDG_DATA_HOME: join(dir, 'data') } })
  await page.goto(url)
  await page.locator(`[data-testid="recording-row"][data-path="${plain}"]`).click()
  await expect(page.getByTestId('session-state')).toHaveText('recording')
  await expect(page.getByTestId('files-unwatched')).toContainText('recorded without --detail')
  await expect(page.getByTestId('network-unwatched')).toContainText('recorded without --detail')
  await expect(page.getByTestId('file-row')).toHaveCount(0)
})

test('compare: the files and peers only one recording used, with the bytes of each', async ({ page }) => {
  const data = join(dir, 'data')
  const c = join(dir, 'files-c')
  mkdirSync(join(c, 'sub'), { recursive: true })
  const other = join(dirname(out), 'other.syscope')
  execFileSync('node', [cli, 'record', '--detail', '--out', other, '--', join(dir, 'files'), c], {
    stdio: 'ignore',
    env: { ...process.env, XDG_DATA_HOME: data }
  })
  const sb = JSON.parse(execFileSync('node', [cli, 'summary', other, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 })) as typeof summary & {
    network_peers: unknown[] | null
  }
  const sa = JSON.parse(execFileSync('node', [cli, 'summary', out, '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 })) as typeof summary & {
    network_peers: { remote: string }[] | null
  }
  await page.goto(url)
  await page.getByTestId('nav-compare').click()
  await expect(page.getByTestId('compare-a').locator(`option[value="${out}"]`)).toHaveCount(1)
  await page.getByTestId('compare-a').selectOption(out)
  await page.getByTestId('compare-b').selectOption(other)
  await page.getByTestId('compare-run').click()
  const row = (path: string) => page.locator(`[data-testid="compare-files-row"][data-name="${path}"]`)
  const bytes = (s: typeof summary, path: string): number => s.files!.filter((r) => r.path === path).reduce((n, r) => n + r.read_bytes + r.write_bytes, 0)
  // the third run's files are new, with its bytes; the first two runs' are gone, with theirs
  for (const [path, status, a, b] of [
    [`${c}/sub/a.txt`, 'new', 0, bytes(sb, `${c}/sub/a.txt`)],
    [`${work.a}/sub/b.txt`, 'gone', bytes(sa, `${work.a}/sub/b.txt`), 0]
  ] as const) {
    await expect(row(path)).toHaveAttribute('data-status', status)
    await expect(row(path)).toHaveAttribute('data-a', String(a))
    await expect(row(path)).toHaveAttribute('data-b', String(b))
  }
  expect(bytes(sb, `${c}/sub/a.txt`)).toBeGreaterThan(0)
  // a file both used (the C library every run loads), summed over each run's processes
  const both = sa.files!.find((r) => r.path !== null && r.kind === 'file' && sb.files!.some((x) => x.path === r.path))!.path!
  await expect(row(both)).toHaveAttribute('data-status', 'both')
  await expect(row(both)).toHaveAttribute('data-a', String(bytes(sa, both)))
  await expect(row(both)).toHaveAttribute('data-b', String(bytes(sb, both)))
  // the third run used no network: every peer of the first is gone
  expect(sb.network_peers).toEqual([])
  await expect(page.getByTestId('compare-peers-row')).toHaveCount(sa.network_peers!.length)
  await page.getByTestId('compare-peers-status').selectOption('new')
  await expect(page.getByTestId('compare-peers-row')).toHaveCount(0)
  await page.getByTestId('compare-files-status').selectOption('new')
  await expect(page.locator('[data-testid="compare-files-row"]:not([data-status="new"])')).toHaveCount(0)
  // pipes are named by inodes that differ from run to run: not matched, not listed
  await expect(page.locator('[data-testid="compare-files-row"][data-name^="pipe:"]')).toHaveCount(0)
  await page.getByTestId('compare-files').screenshot({ path: join(shots, 'detail-compare-files.png') })
})

test('a live session launched with files and network, counts only: its tables and rate charts as it runs', async ({ page }) => {
  // the workload reads one file, waits on a FIFO until the test has seen that file live, then
  // reads a second one and ends
  const first = join(dir, 'live-first.txt')
  const second = join(dir, 'live-second.txt')
  writeFileSync(first, 'x'.repeat(3000))
  writeFileSync(second, 'y'.repeat(5000))
  const go = join(dir, 'live-go')
  execFileSync('mkfifo', [go])
  // however the test ends, the workload is not left waiting on the FIFO (if it is reading it)
  let released = false
  const release = (): void => {
    try {
      const fd = openSync(go, constants.O_WRONLY | constants.O_NONBLOCK)
      writeSync(fd, 'go\n')
      closeSync(fd)
    } catch {
      // no reader: it is not waiting
    }
  }
  try {
    await page.goto(url)
    await page.getByTestId('launch-program').fill('sh')
    await page.getByTestId('launch-args').fill(`-c 'cat ${first} > /dev/null; read x < ${go}; cat ${second} > /dev/null'`)
    // files and network in the counts-only mode: the exit hook alone, so no time in calls
    await page.getByTestId('launch-detail').check()
    await page.getByTestId('launch-counts-only').check()
    await page.getByTestId('launch-start').click()
    await expect(page.getByTestId('session-title')).toBeVisible()
    const row = (path: string) => page.locator(`[data-testid="file-row"][data-path="${path}"]`)
    await expect(row(first)).toBeVisible({ timeout: 15_000 })
    await expect(page.getByTestId('session-state')).toHaveText('running')
    await expect(row(first)).toHaveAttribute('data-read-bytes', '3000')
    await expect(row(first).getByTestId('file-time')).toHaveText('—')
    await expect(row(second)).toHaveCount(0)
    await expect(page.locator(`[data-testid="rate-legend"][data-label="${first}"]`)).toHaveAttribute('data-bytes', '3000')
    // a blocking write: it waits for the shell to open the FIFO
    writeFileSync(go, 'go\n')
    released = true
    await expect(page.getByTestId('session-state')).toHaveText('ended', { timeout: 15_000 })
    await expect(row(second)).toHaveAttribute('data-read-bytes', '5000', { timeout: 15_000 })
    await expect(page.locator(`[data-testid="rate-legend"][data-label="${second}"]`)).toHaveAttribute('data-bytes', '5000')
  } finally {
    if (!released) release()
  }
})
