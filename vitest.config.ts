import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { resolve } from 'node:path'

// One runner for Node-side and renderer unit tests; the real helper, real BPF and real /proc
// are used where a test needs them (CI runs as root on a kernel with BTF).
export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { '@shared': resolve('src/shared'), '@renderer': resolve('src/renderer/src') } },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    pool: 'forks',
    // one file at a time: CPU figures and BPF programs of one test must not compete with another's
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
