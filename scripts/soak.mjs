#!/usr/bin/env node
// Runs the test suites N times and says, per test, how often it failed: the way to find a test
// that fails now and then (by timing, by load, by what another test left behind).
//
//   npm run test:soak -- 10                       every suite, 10 times
//   npm run test:soak -- 5 node                   the vitest suite only
//   npm run test:soak -- 5 node -- --project unit the unit project only
//   npm run test:soak -- 20 node -- test/core/pipeline.test.ts
//   npm run test:soak -- 3 browser                the Playwright specs
//   npm run test:soak -- 5 --busy 2               every suite, 5 times, beside two busy loops
//
// Each run is scripts/run-tests.mjs with the same arguments; the per-test results come from the
// JSON reports it leaves in build/test-results (vitest's and Playwright's). The C, type-check and
// lint suites report no per-test file: they count as one entry each ("c suite", "lint suite").
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const resultsDir = join(root, 'build', 'test-results')
const VITEST_JSON = join(resultsDir, 'vitest.json')
const PLAYWRIGHT_JSON = join(resultsDir, 'playwright.json')

function usage(problem) {
  console.error(
    `${problem}\nusage: npm run test:soak -- N [--busy K] [suite...] [-- vitest arguments]   (N a whole number from 1 to 1000; K busy loops from 1 to 64 run beside the suite; suites c, typecheck, lint, node, browser)`
  )
  process.exit(2)
}

/** test name → how often it ran, failed and was skipped */
const tally = new Map()
function note(name, outcome) {
  const t = tally.get(name) ?? { runs: 0, failed: 0, skipped: 0 }
  if (outcome === 'skipped') t.skipped++
  else t.runs++
  if (outcome === 'failed') t.failed++
  tally.set(name, t)
}

/** vitest's JSON report: a file that failed before any test ran counts as one failed entry */
export function vitestOutcomes(report) {
  const out = []
  for (const file of report.testResults ?? []) {
    const rel = file.name.startsWith(root) ? file.name.slice(root.length) : file.name
    const tests = file.assertionResults ?? []
    if (tests.length === 0) {
      out.push([`${rel} (the file itself)`, file.status === 'failed' ? 'failed' : 'passed'])
      continue
    }
    for (const t of tests) {
      const outcome = t.status === 'passed' ? 'passed' : t.status === 'failed' ? 'failed' : 'skipped'
      out.push([`${rel} > ${[...(t.ancestorTitles ?? []), t.title].join(' > ')}`, outcome])
    }
  }
  return out
}

/** Playwright's JSON report: suites nest; a test that passed only on retry ("flaky") failed once */
export function playwrightOutcomes(report) {
  const out = []
  const walk = (suite, path) => {
    const here = suite.title && suite.title !== suite.file ? [...path, suite.title] : path
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        const outcome = t.status === 'expected' ? 'passed' : t.status === 'skipped' ? 'skipped' : 'failed'
        const project = t.projectName ? ` [${t.projectName}]` : ''
        out.push([`${spec.file ?? suite.file} > ${[...here, spec.title].join(' > ')}${project}`, outcome])
      }
    }
    for (const s of suite.suites ?? []) walk(s, here)
  }
  for (const s of report.suites ?? []) walk(s, [])
  for (const e of report.errors ?? []) out.push([`playwright: ${String(e.message ?? e).split('\n')[0]}`, 'failed'])
  return out
}

/**
 * K shell busy loops (`sh -c 'while :; do :; done'`), the load the issue asks the suite to
 * survive; ended by their PIDs when the soak ends, also on Ctrl-C or a kill.
 */
function startBusyLoops(k) {
  const pids = []
  for (let i = 0; i < k; i++) pids.push(spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }).pid)
  const stop = () => {
    for (const pid of pids.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // gone already
      }
    }
  }
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.on(sig, () => {
      stop()
      process.exit(130)
    })
  process.on('exit', stop)
  if (k) console.log(`soak: ${k} busy loop${k === 1 ? '' : 's'} running beside the suite (pids ${pids.join(', ')})`)
  return { stop }
}

function readJson(path) {
  if (!existsSync(path)) return null
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    console.error(`cannot read ${path}: ${e.message}`)
    return null
  }
}

function main() {
  const args = process.argv.slice(2)
  const n = Number(args[0])
  if (!Number.isInteger(n) || n < 1 || n > 1000) usage(`the number of runs must come first and be a whole number from 1 to 1000, not "${args[0] ?? ''}"`)
  let suiteArgs = args.slice(1)
  let busy = 0
  if (suiteArgs[0] === '--busy') {
    busy = Number(suiteArgs[1])
    if (!Number.isInteger(busy) || busy < 1 || busy > 64)
      usage(`--busy takes the number of busy loops, a whole number from 1 to 64, not "${suiteArgs[1] ?? ''}"`)
    suiteArgs = suiteArgs.slice(2)
  }
  const loops = startBusyLoops(busy)
  const dashes = suiteArgs.indexOf('--')
  const suites = dashes < 0 ? suiteArgs : suiteArgs.slice(0, dashes)
  const wanted = (s) => suites.length === 0 || suites.includes(s)
  let failedRuns = 0
  for (let i = 1; i <= n; i++) {
    console.log(`\n##### soak run ${i} of ${n} #####`)
    rmSync(VITEST_JSON, { force: true })
    rmSync(PLAYWRIGHT_JSON, { force: true })
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'run-tests.mjs'), ...suiteArgs], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 256 * 1024 * 1024
    })
    const text = r.stdout?.toString() ?? ''
    process.stdout.write(text)
    if (r.status !== 0) failedRuns++
    for (const suite of ['c', 'typecheck', 'lint']) {
      if (!wanted(suite)) continue
      const m = text.match(new RegExp(`^${suite}: (\\d+) passed, (\\d+) failed`, 'm'))
      note(`${suite} suite`, !m || Number(m[2]) > 0 ? 'failed' : 'passed')
    }
    if (wanted('node')) {
      const j = readJson(VITEST_JSON)
      if (!j) note('vitest (no report: the run crashed)', 'failed')
      else {
        const outcomes = vitestOutcomes(j)
        for (const [name, outcome] of outcomes) note(name, outcome)
        // a failure no test owns: an unhandled error, a worker that died (its file then has no
        // results at all), a non-zero exit
        const m = text.match(/^node: \d+ passed, (\d+) failed/m)
        const owned = outcomes.filter(([, o]) => o === 'failed').length
        note('vitest run (errors outside any test: unhandled error, crashed worker)', m && Number(m[1]) > owned ? 'failed' : 'passed')
      }
    }
    if (wanted('browser')) {
      const j = readJson(PLAYWRIGHT_JSON)
      // run-tests.mjs runs no Playwright when there are no specs; then there is no report
      const hasSpecs = /=== suite: browser ===\n(?!browser suite: no end-to-end specs)/.test(text)
      if (j) for (const [name, outcome] of playwrightOutcomes(j)) note(name, outcome)
      else if (hasSpecs) note('playwright (no report: the run crashed)', 'failed')
    }
  }

  loops.stop()

  const rows = [...tally.entries()].sort((a, b) => b[1].failed - a[1].failed || a[0].localeCompare(b[0]))
  const flaky = rows.filter(([, t]) => t.failed > 0)
  console.log(
    `\n===== soak: ${n} run${n === 1 ? '' : 's'} of ${suites.length ? suites.join(', ') : 'every suite'}${busy ? `, beside ${busy} busy loop${busy === 1 ? '' : 's'}` : ''} =====`
  )
  for (const [name, t] of flaky) console.log(`failed ${t.failed} of ${t.runs}  ${name}`)
  // a test that did not run every time (its file crashed, or it is new) is worth a look too
  for (const [name, t] of rows) if (t.failed === 0 && t.runs > 0 && t.runs + t.skipped < n) console.log(`ran only ${t.runs} of ${n} times  ${name}`)
  const never = rows.length - flaky.length
  const failures = flaky.reduce((a, [, t]) => a + t.failed, 0)
  const skipped = rows.filter(([, t]) => t.runs === 0).length
  console.log(
    `${rows.length} tests: ${flaky.length} failed at least once (${failures} failures in all), ${never} never failed${skipped ? ` (${skipped} of them always skipped)` : ''}; ${failedRuns} of ${n} runs failed`
  )
  process.exit(failedRuns > 0 ? 1 : 0)
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) main()
