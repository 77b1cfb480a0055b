// The same app in real Electron, where an Electron build exists (ELECTRON_OVERRIDE_DIST_PATH).
import { test, expect, _electron as electron } from '@playwright/test'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')

test('the Electron window opens sandboxed and shows eBPF status', async () => {
  test.skip(
    !process.env.ELECTRON_OVERRIDE_DIST_PATH,
    'no Electron binary here: set ELECTRON_OVERRIDE_DIST_PATH to an Electron build to run the Electron journey'
  )
  const app = await electron.launch({ args: [join(root, 'out', 'main', 'index.js')] })
  const win = await app.firstWindow()
  await expect(win.getByTestId('ebpf-status')).toBeVisible()
  expect(await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined')
  await app.close()
})
