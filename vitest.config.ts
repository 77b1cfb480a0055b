import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// One runner for Node-side and renderer unit tests; the real helper, real BPF and real /proc
// are used where a test needs them (CI runs as root on a kernel with BTF).
export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
