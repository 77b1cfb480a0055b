// The compare view shows what the kernel knew at each process's exit (issue 13 §2): short runs
// recorded with the real CLI (real helper, real BPF), compared in Chromium through `syscope serve`,
// and every figure checked against the recordings' own `summary --json`.
import { startServe, type Served } from './serve'
import { record } from './recorded'
import { test, expect, type Page } from '@playwright/test'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatBytes, formatInt, formatMs, formatNs, NA } from '../../src/renderer/src/lib/format'

const root = join(import.meta.dirname, '..', '..')
const shots = join(root, 'build', 'test-results', 'screenshots')
let served: Served | undefined
let url = ''
let data = ''
const rec: Record<'short' | 'burst' | 'noEbpf', string> = { short: '', burst: '', noEbpf: '' }

// the parts of `summary --json` this test reads
interface Usage {
  user_seconds: number
  system_seconds: number
  max_rss_bytes: number | null
  max_rss_at_most_bytes?: number
  minor_faults: number
  major_faults: number
  vol_ctxsw: number
  invol_ctxsw: number
}
interface Summary {
  session: { duration_ms: number }
  ebpf: { available: boolean; syscalls: { per_syscall: { name: string; count: number; time_ns: number | null; p99_ns: number | null }[] } }
  proc: {
    tree: {
      cpu_seconds: number | null
      peak_cpu_pct: number | null
      mean_cpu_pct: number | null
      peak_processes: number
      usage: Usage | null
      time: { wall_ns: number; on_cpu_ns: number; runqueue_ns: number; blocked_ns: number; blocked_by: { syscall: string; ns: number }[] } | null
    }
    processes: unknown[]
  }
}

const summaries = new Map<string, Summary>()

test.describe.configure({ mode: 'serial' })

test.beforeAll(async () => {
  mkdirSync(shots, { recursive: true })
  data = mkdtempSync(join(tmpdir(), 'syscope-compare-usage-'))
  const dir = join(data, 'syscope', 'recordings')
  mkdirSync(dir, { recursive: true })
  const made = (name: string, extra: string[], argv: string[]): string => {
    const out = join(dir, `${name}.syscope`)
    summaries.set(out, record(data, out, extra, argv))
    return out
  }
  // about 20 ms of copying through a 16 MiB buffer: shorter than one sample, and its max RSS is
  // above the launcher's, so the kernel knows it
  const short = ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=16M', 'count=4', 'status=none']
  rec.short = made('short', [], short)
  rec.burst = made('burst', [], ['sh', '-c', 'for i in $(seq 200); do /bin/true; done'])
  // without eBPF there are no exit figures and no syscall counts: they are not known
  rec.noEbpf = made('no-ebpf', ['--no-ebpf'], short)

  served = await startServe(data)
  url = served.url
})

test.afterAll(async () => {
  await served?.stop()
  rmSync(data, { recursive: true, force: true })
})

async function compare(page: Page, a: string, b: string): Promise<void> {
  await page.goto(url)
  await page.getByTestId('nav-compare').click()
  await expect(page.getByTestId('compare-a').locator(`option[value="${a}"]`)).toHaveCount(1)
  await page.getByTestId('compare-a').selectOption(a)
  await page.getByTestId('compare-b').selectOption(b)
  await page.getByTestId('compare-run').click()
  await expect(page.getByTestId('compare-summary')).toBeVisible()
}

const seconds = (v: number): string => formatMs(v * 1000)

/** The rows that come from the kernel's exit figures and the process counts, read from a summary. */
const rows: { label: string; fmt: (v: number) => string; of: (s: Summary) => number | null }[] = [
  { label: 'CPU time', fmt: seconds, of: (s) => s.proc.tree.cpu_seconds },
  { label: 'CPU user', fmt: seconds, of: (s) => s.proc.tree.usage?.user_seconds ?? null },
  { label: 'CPU system', fmt: seconds, of: (s) => s.proc.tree.usage?.system_seconds ?? null },
  { label: 'max RSS', fmt: formatBytes, of: (s) => s.proc.tree.usage?.max_rss_bytes ?? null },
  { label: 'minor faults', fmt: formatInt, of: (s) => s.proc.tree.usage?.minor_faults ?? null },
  { label: 'major faults', fmt: formatInt, of: (s) => s.proc.tree.usage?.major_faults ?? null },
  { label: 'voluntary switches', fmt: formatInt, of: (s) => s.proc.tree.usage?.vol_ctxsw ?? null },
  { label: 'involuntary switches', fmt: formatInt, of: (s) => s.proc.tree.usage?.invol_ctxsw ?? null },
  { label: 'processes', fmt: formatInt, of: (s) => s.proc.processes.length },
  { label: 'processes at once', fmt: formatInt, of: (s) => s.proc.tree.peak_processes }
]

/** What one side's cell must read for a summary's figure. */
function expected(row: (typeof rows)[number], s: Summary): string {
  const v = row.of(s)
  return v === null ? 'unavailable' : row.fmt(v)
}

/** The bound its hover text gives for a value not known, if any. */
function expectedBound(row: (typeof rows)[number], s: Summary): string {
  const bound = row.label === 'max RSS' && row.of(s) === null ? s.proc.tree.usage?.max_rss_at_most_bytes : undefined
  return bound === undefined ? '' : `at most ${formatBytes(bound)}`
}

async function cells(page: Page, label: string): Promise<{ text: string[]; value: string[]; title: string[] }> {
  const tds = page.locator(`[data-testid="compare-figure"][data-label="${label}"] td`)
  await expect(tds).toHaveCount(5)
  const text = await tds.allInnerTexts()
  const value = await tds.evaluateAll((els) => els.map((e) => e.getAttribute('data-value') ?? ''))
  const title = await tds.evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''))
  return { text: text.map((t) => t.trim()), value, title }
}

test('a 20 ms command and a burst of 200 children: the exit figures of both, with their change', async ({ page }) => {
  const a = summaries.get(rec.short)!
  const b = summaries.get(rec.burst)!
  // what the recordings say is what this test holds the view to; it needs the exit figures
  expect(a.proc.tree.usage).not.toBeNull()
  expect(b.proc.tree.usage).not.toBeNull()
  expect(b.proc.processes.length).toBeGreaterThanOrEqual(201)
  await compare(page, rec.short, rec.burst)
  for (const row of rows) {
    const { text, value, title } = await cells(page, row.label)
    const va = row.of(a)
    const vb = row.of(b)
    expect(text.slice(0, 3), row.label).toEqual([row.label, expected(row, a), expected(row, b)])
    expect(
      title.slice(1, 3).map((t) => t.split(':')[0]),
      `${row.label}: what is known of it`
    ).toEqual([expectedBound(row, a), expectedBound(row, b)])
    // the exact value behind the text, not only its rounding
    expect(value.slice(1, 3), row.label).toEqual([va === null ? '' : String(va), vb === null ? '' : String(vb)])
    const delta = va === null || vb === null ? NA : (vb >= va ? '+' : '−') + row.fmt(Math.abs(vb - va))
    expect(text[3], `${row.label} B − A`).toBe(delta)
  }
  // the burst's CPU, switches and children are known and above zero: shown as such
  for (const label of ['CPU time', 'voluntary switches', 'processes']) {
    const { value } = await cells(page, label)
    expect(Number(value[2]), label).toBeGreaterThan(0)
  }
  await expectNoFalseZero(page)
  await page.screenshot({ path: join(shots, 'compare-usage.png'), fullPage: true })
})

test('a recording made without eBPF: its exit figures and syscalls read unavailable, not 0', async ({ page }) => {
  const a = summaries.get(rec.short)!
  const c = summaries.get(rec.noEbpf)!
  expect(c.ebpf.available).toBe(false)
  expect(c.proc.tree.usage).toBeNull()
  await compare(page, rec.short, rec.noEbpf)
  for (const label of ['CPU user', 'CPU system', 'max RSS', 'minor faults', 'voluntary switches', 'involuntary switches', 'syscalls', 'syscall rate']) {
    const { text } = await cells(page, label)
    expect(text[2], label).toBe('unavailable')
    expect(text[1], label).not.toBe('unavailable')
    expect(text.slice(3), `${label}: no change can be told`).toEqual([NA, NA])
  }
  // /proc alone: the samples may have seen the run once (its CPU rate then had no interval
  // before it and read 0 %) or not at all. Either way no CPU figure reads 0: the view showed
  // "CPU peak 0.0 %, CPU mean 0.0 %" beside 80 ms of CPU time.
  for (const label of ['CPU peak', 'CPU mean', 'CPU time', 'RSS peak']) {
    const { text, value } = await cells(page, label)
    if (value[2] === '') expect(text[2], label).toBe('unavailable')
    else expect(Number(value[2]), label).toBeGreaterThan(0)
  }
  const cpu = c.proc.tree.cpu_seconds
  // where the samples' rates missed it, the mean is its CPU time over the run
  if (cpu !== null && c.proc.tree.peak_cpu_pct === null) expect(c.proc.tree.mean_cpu_pct).toBeCloseTo((cpu / (c.session.duration_ms / 1000)) * 100, 0)
  expect((await cells(page, 'processes at once')).text[2]).toBe('1')
  // its syscalls were not counted: not 0 calls, nor a change
  const row = page.getByTestId('compare-row').filter({ hasText: 'execve' })
  const execve = a.ebpf.syscalls.per_syscall.find((x) => x.name === 'execve')!
  // nor times: A's are its own, B's not known
  await expect(row.locator('td')).toHaveText([
    'execve',
    /Process/,
    formatInt(execve.count),
    'unavailable',
    NA,
    NA,
    formatNs(execve.time_ns),
    'unavailable',
    NA,
    formatNs(execve.p99_ns),
    'unavailable'
  ])
  // nor where its time went
  await expect(page.locator('[data-testid="compare-wall-figure"][data-label="on a CPU"] td[data-side="b"]')).toHaveText('unavailable')
  await expect(page.getByTestId('compare-donut-b')).toContainText('Syscalls unavailable')
  // the short run's max RSS is above its launcher's: the kernel knows it, and it is not 0
  const rss = await cells(page, 'max RSS')
  expect(rss.text[1]).toBe(formatBytes(a.proc.tree.usage!.max_rss_bytes!))
  expect(a.proc.tree.usage!.max_rss_bytes!).toBeGreaterThan(0)
  await expectNoFalseZero(page)
  await page.screenshot({ path: join(shots, 'compare-usage-no-ebpf.png'), fullPage: true })
})

test('where the time went in each, and the time in each syscall, as their summaries say', async ({ page }) => {
  const a = summaries.get(rec.short)!
  const b = summaries.get(rec.burst)!
  const [wa, wb] = [a.proc.tree.time!, b.proc.tree.time!]
  expect(wa).not.toBeNull()
  expect(wb).not.toBeNull()
  await compare(page, rec.short, rec.burst)
  const figure = async (label: string): Promise<string[]> =>
    page
      .locator(`[data-testid="compare-wall-figure"][data-label="${label}"] td[data-side]`)
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-value') ?? ''))
  // the exact values behind the cells
  for (const [label, get] of [
    ['thread time', (w: typeof wa) => w.wall_ns],
    ['on a CPU', (w: typeof wa) => w.on_cpu_ns],
    ['waiting for a CPU', (w: typeof wa) => w.runqueue_ns],
    ['blocked', (w: typeof wa) => w.blocked_ns]
  ] as const)
    expect((await figure(label)).slice(0, 2), label).toEqual([String(get(wa)), String(get(wb))])
  // the burst's shell waited for its 200 children: a reason of its own, 0 in the short run
  const wait4 = wb.blocked_by.find((x) => x.syscall === 'wait4')!
  expect(wait4.ns).toBeGreaterThan(0)
  expect((await figure('blocked in wait4')).slice(0, 2)).toEqual([String(wa.blocked_by.find((x) => x.syscall === 'wait4')?.ns ?? 0), String(wait4.ns)])
  // each syscall's time in both, and its change
  const [ea, eb] = [a, b].map((s) => s.ebpf.syscalls.per_syscall.find((x) => x.name === 'execve')!)
  const row = page.locator('[data-testid="compare-row"][data-name="execve"]')
  await expect(row.locator('[data-col="a_time"]')).toHaveText(formatNs(ea!.time_ns))
  await expect(row.locator('[data-col="b_time"]')).toHaveText(formatNs(eb!.time_ns))
  const d = eb!.time_ns! - ea!.time_ns!
  await expect(row.locator('[data-col="time_delta"]')).toHaveText((d > 0 ? '+' : '') + formatNs(d))
  await expect(row.locator('[data-col="b_p99"]')).toHaveText(formatNs(eb!.p99_ns))
  await page.getByTestId('compare-wall').screenshot({ path: join(shots, 'compare-wall.png') })
})

/** No side's cell reads zero ("0 B", "0.0 %", "0") unless the value behind it is 0. */
async function expectNoFalseZero(page: Page): Promise<void> {
  const shown = await page
    .locator('[data-testid="compare-figure"] td[data-side]')
    .evaluateAll((els) =>
      els.filter((e) => e.hasAttribute('data-value')).map((e) => ({ text: (e.textContent ?? '').trim(), value: e.getAttribute('data-value') ?? '' }))
    )
  expect(shown.length).toBeGreaterThan(20)
  for (const { text, value } of shown) {
    if (/^0(\.0+)? ?(B|%|ns|s)?$/.test(text)) expect(value, `"${text}" shown for ${value || 'an unknown value'}`).toBe('0')
  }
}
