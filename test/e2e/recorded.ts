// Recordings for the browser specs: made by `syscope record` into the data directory a
// `syscope serve` reads (serve.ts), their summaries read back as JSON, and opened from the app's
// list of recordings.
import { execFileSync } from 'node:child_process'
import { expect, type Page } from '@playwright/test'
import type { Summary } from '../../src/main/types/summary'
import { cli } from './serve'

/** `syscope record --no-tty --out OUT ARGS -- ARGV` with its data in `data`, then its summary */
export function record(data: string, out: string, args: string[], argv: string[]): Summary {
  const env = { ...process.env, XDG_DATA_HOME: data }
  execFileSync('node', [cli, 'record', '--no-tty', '--out', out, ...args, '--', ...argv], { env, stdio: ['ignore', 'ignore', 'inherit'] })
  return JSON.parse(execFileSync('node', [cli, 'summary', out, '--json'], { encoding: 'utf8', env, maxBuffer: 256 << 20 })) as Summary
}

/** The recording at `path` opened from the list at `url`, once its pane `pane` shows. */
export async function openRecording(page: Page, url: string, path: string, pane: string): Promise<void> {
  await page.goto(url)
  await page.locator(`[data-testid="recording-row"][data-path="${path}"]`).click()
  await expect(page.getByTestId('session-state')).toHaveText('recording')
  await expect(page.getByTestId(pane)).toBeVisible({ timeout: 15_000 })
}
