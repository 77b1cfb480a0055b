// The renderer in Debian's Chromium against the real backend (`syscope serve`: real helper,
// real BPF, real processes), through the same contract the Electron preload exposes.
import { startServe, type Served } from './serve'
import { test, expect, type Page } from '@playwright/test'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')
const shots = join(root, 'build', 'test-results', 'screenshots')
let served: Served | undefined
let url = ''
let data = ''
const started: ChildProcess[] = []

test.describe.configure({ mode: 'serial' })

test.beforeAll(async () => {
  mkdirSync(shots, { recursive: true })
  data = mkdtempSync(join(tmpdir(), 'syscope-e2e-'))
  served = await startServe(data)
  url = served.url
})

test.afterAll(async () => {
  for (const c of started) c.kill('SIGKILL')
  await served?.stop()
  rmSync(data, { recursive: true, force: true })
})

async function launch(page: Page, program: string, args: string): Promise<void> {
  await page.getByTestId('nav-home').click()
  await page.getByTestId('launch-program').fill(program)
  await page.getByTestId('launch-args').fill(args)
  await page.getByTestId('launch-interval').fill('50')
  await page.getByTestId('launch-start').click()
  await expect(page.getByTestId('session-title')).toBeVisible()
}

test('launch a workload, watch its syscalls, narrow the range, reopen and compare', async ({ page }) => {
  await page.goto(url)
  await expect(page.getByTestId('ebpf-status')).toHaveText(/eBPF ready \(tp_btf\)/)
  await page.getByTestId('launch-args').fill(`-c 'echo "a b"'`)
  await expect(page.getByTestId('launch-argv')).toHaveText(/-c\s*echo "a b"/)
  await page.screenshot({ path: join(shots, 'home.png'), fullPage: true })

  // the workload waits in the middle until the test has seen its first part live: it opens a
  // FIFO that the test writes to once it has
  const go = join(data, 'go')
  execFileSync('mkfifo', [go])
  await launch(
    page,
    'sh',
    `-c 'for i in $(seq 1 150); do cat /etc/hostname > /dev/null; done; read x < ${go}; for i in $(seq 1 20); do ls / > /dev/null; done'`
  )
  // syscalls and categories appear while it runs
  await expect(page.getByTestId('syscall-row').filter({ hasText: 'execve' })).toBeVisible({ timeout: 15_000 })
  await expect(page.getByTestId('category-breakdown')).toContainText('calls')
  await expect(page.getByTestId('session-state')).toHaveText('running')
  await page.screenshot({ path: join(shots, 'session-live.png'), fullPage: true })
  writeFileSync(go, 'go\n')
  await expect(page.getByTestId('session-state')).toHaveText('ended', { timeout: 15_000 })
  // the whole-run breakdown settles once the final ticks are in
  let whole = 0
  await expect
    .poll(
      async () => {
        const now = Number(await page.getByTestId('breakdown-total').getAttribute('data-calls'))
        const settled = now === whole
        whole = now
        return settled
      },
      { intervals: [500, 500, 500, 1000] }
    )
    .toBe(true)
  expect(whole).toBeGreaterThan(300)

  // zoom into the first part of the timeline: the breakdown follows the range
  const box = (await page.getByTestId('timeline').boundingBox())!
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5)
  for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -300)
  await expect(page.getByTestId('category-breakdown')).toContainText(/\d+\.\d–\d+\.\d s/, { timeout: 15_000 })
  await expect.poll(async () => Number(await page.getByTestId('breakdown-total').getAttribute('data-calls'))).toBeLessThan(whole)
  await page.screenshot({ path: join(shots, 'session-range.png'), fullPage: true })

  // a second run to compare with
  await launch(page, 'sh', `-c 'for i in $(seq 1 40); do ls / > /dev/null; done'`)
  await expect(page.getByTestId('session-state')).toHaveText('ended', { timeout: 15_000 })

  // reopen the first recording from the list
  await page.getByTestId('nav-home').click()
  await expect(page.getByTestId('recording-row')).toHaveCount(2)
  await page.getByTestId('recording-row').last().click()
  await expect(page.getByTestId('session-state')).toHaveText('recording')
  // what it was: a command launched (not "recording" twice)
  await expect(page.getByTestId('session-kind')).toHaveText('launched')
  await expect(page.getByTestId('syscall-row').filter({ hasText: 'execve' })).toBeVisible()
  await page.screenshot({ path: join(shots, 'recording.png'), fullPage: true })

  // compare the two
  await page.getByTestId('nav-compare').click()
  const options = page.getByTestId('compare-a').locator('option')
  await expect(options).toHaveCount(3)
  const values = await options.evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean))
  await page.getByTestId('compare-a').selectOption(values[0]!)
  await page.getByTestId('compare-b').selectOption(values[1]!)
  await page.getByTestId('compare-run').click()
  await expect(page.getByTestId('compare-syscalls')).toContainText('execve')
  await page.screenshot({ path: join(shots, 'compare.png'), fullPage: true })
})

test('pick a running process in the attach view and attach to it', async ({ page }) => {
  const target = spawn('sh', ['-c', 'while :; do cat /etc/hostname > /dev/null; sleep 0.1; done'], { stdio: 'ignore' })
  started.push(target)
  await page.goto(url)
  await page.getByTestId('nav-attach').click()
  await page.getByLabel('flat').check()
  await page.getByTestId('picker-search').fill(String(target.pid))
  await expect(page.getByTestId('picker-row')).toHaveCount(1)
  await page.screenshot({ path: join(shots, 'attach.png'), fullPage: true })
  await page.getByTestId('picker-search').press('Enter')
  await expect(page.getByTestId('session-title')).toContainText(`pid ${target.pid}`)
  await expect(page.getByTestId('session-kind')).toHaveText('attached')
  await expect(page.getByTestId('syscall-row').filter({ hasText: 'execve' })).toBeVisible({ timeout: 15_000 })
  await page.getByTestId('session-detach').click()
  await expect(page.getByTestId('session-state')).toHaveText('ended', { timeout: 15_000 })
  // detached, not killed
  expect(() => process.kill(target.pid!, 0)).not.toThrow()
})

test('the setup view shows the checklist from the helper’s diagnosis', async ({ page }) => {
  await page.goto(url)
  await page.getByTestId('nav-setup').click()
  await expect(page.getByTestId('check-btf')).toContainText('present')
  await expect(page.getByTestId('check-kptr_restrict')).toContainText('not needed')
  await page.screenshot({ path: join(shots, 'setup.png'), fullPage: true })
})

test('bad input through the contract comes back as errors, shown to the user', async ({ page }) => {
  await page.goto(url)
  const r = await page.evaluate(async () => {
    const out: string[] = []
    for (const bad of [
      () => window.syscope.launch({ argv: 'x' as unknown as string[] }),
      () => window.syscope.snapshot('nope', 10),
      () => window.syscope.breakdown('x'.repeat(200), 0, 1)
    ]) {
      try {
        await bad()
        out.push('no error')
      } catch (e) {
        out.push(`${(e as { code: string }).code}`)
      }
    }
    return out
  })
  expect(r).toEqual(['EINVAL', 'ENOENT', 'EINVAL'])
  await page.getByTestId('launch-program').fill('/nonexistent/program')
  await page.getByTestId('launch-start').click()
  await expect(page.getByTestId('toast')).toContainText('No such file or directory')
})
