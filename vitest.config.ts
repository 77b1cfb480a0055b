import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { resolve } from 'node:path'

const alias = { '@shared': resolve('src/shared'), '@renderer': resolve('src/renderer/src') }

// Tests that need no root, no BPF and no live processes of their own: the shared contract, the
// renderer, parsers and the recording format. A contributor without root runs them alone with
// `npm run test:unit`. Every other test file (including a new one not listed here) is a system
// test: real helper, real BPF, /proc, pkexec, run as root.
export const UNIT_TESTS = [
  'test/shared/**/*.test.ts',
  'test/renderer/**/*.test.ts',
  'test/core/packed-table.test.ts',
  'test/core/recording.test.ts',
  'test/core/recording-stream.test.ts',
  'test/core/store.test.ts',
  'test/core/syscalls.test.ts',
  'test/core/bytes-text.test.ts',
  'test/core/validate.test.ts',
  'test/core/file-use.test.ts',
  'test/util/**/*.test.ts',
  'test/cli/file-lines.test.ts'
]
const NOT_TESTS = ['test/e2e/**', 'node_modules/**']

export default defineConfig({
  plugins: [vue()],
  resolve: { alias },
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: UNIT_TESTS,
          exclude: NOT_TESTS,
          // each file works in its own temporary directory and measures no time or CPU share,
          // so files may run side by side
          fileParallelism: true,
          // the unit files first, on their own, so none runs beside a system test
          sequence: { groupOrder: 0 }
        }
      },
      {
        extends: true,
        test: {
          name: 'system',
          include: ['test/**/*.test.ts'],
          exclude: [...NOT_TESTS, ...UNIT_TESTS],
          // one file at a time: CPU figures and BPF programs of one test must not compete with
          // another's
          fileParallelism: false,
          sequence: { groupOrder: 1 }
        }
      }
    ]
  }
})
