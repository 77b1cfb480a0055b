import { defineConfig } from '@playwright/test'

// The renderer runs in Debian's Chromium against the real backend (`syscope serve`); Electron
// journeys run only where ELECTRON_OVERRIDE_DIST_PATH names an Electron build.
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'build/test-results/e2e',
  timeout: 90_000,
  workers: 1,
  retries: 0,
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    },
    screenshot: 'only-on-failure',
    trace: 'off'
  }
})
