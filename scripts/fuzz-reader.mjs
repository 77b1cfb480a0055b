// Runs the recording reader's fuzz test (test/core/recording-fuzz.test.ts) for longer than the
// test suite does: `npm run fuzz:reader -- [SECONDS]` (default 300, or SYSCOPE_FUZZ_SECONDS);
// SYSCOPE_FUZZ_SEED=<seed> replays a run whose seed it printed.
import { spawnSync } from 'node:child_process'

const arg = process.argv[2] ?? process.env.SYSCOPE_FUZZ_SECONDS ?? '300'
const seconds = Number(arg)
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error(`fuzz:reader: "${arg}" is not a number of seconds: run it as npm run fuzz:reader -- 600`)
  process.exit(2)
}
const r = spawnSync('npx', ['vitest', 'run', 'test/core/recording-fuzz.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, SYSCOPE_FUZZ_SECONDS: String(seconds) }
})
process.exit(r.status ?? 1)
