// The test utilities themselves: until() waits for an event and names it when it never comes;
// the soak script reads vitest's and Playwright's JSON reports per test.
import { describe, expect, it } from 'vitest'
import { until } from './until'
import { syscallNr } from './syscall-nr'
// @ts-expect-error: a plain ES module script without types
import { playwrightOutcomes, vitestOutcomes } from '../../scripts/soak.mjs'

describe('until', () => {
  it('resolves with the first truthy value, from a sync or an async predicate', async () => {
    let n = 0
    expect(await until('n reaches 3', () => (++n >= 3 ? n : null), { intervalMs: 1 })).toBe(3)
    let m = 0
    expect(await until('m reaches 2', async () => ++m >= 2, { intervalMs: 1 })).toBe(true)
  })

  it('throws an error naming what it waited for once the deadline passed', async () => {
    await expect(until('pigs fly', () => false, { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow('timed out after 30 ms waiting until pigs fly')
  })
})

describe('syscallNr', () => {
  it('names a syscall of the running arch, and rejects an unknown name clearly', () => {
    expect(syscallNr('getppid')).toBe(process.arch === 'arm64' ? 173 : 110)
    expect(() => syscallNr('no_such_call')).toThrow(/no syscall named no_such_call on (x86_64|aarch64)/)
  })
})

describe('the soak script’s report readers', () => {
  it('reads per-test outcomes from a vitest JSON report, a file that failed to load included', () => {
    const report = {
      testResults: [
        {
          name: '/x/test/a.test.ts',
          status: 'failed',
          assertionResults: [
            { ancestorTitles: ['suite'], title: 'ok', status: 'passed' },
            { ancestorTitles: ['suite'], title: 'bad', status: 'failed' },
            { ancestorTitles: [], title: 'later', status: 'skipped' }
          ]
        },
        { name: '/x/test/b.test.ts', status: 'failed', assertionResults: [] }
      ]
    }
    expect(vitestOutcomes(report)).toEqual([
      ['/x/test/a.test.ts > suite > ok', 'passed'],
      ['/x/test/a.test.ts > suite > bad', 'failed'],
      ['/x/test/a.test.ts > later', 'skipped'],
      ['/x/test/b.test.ts (the file itself)', 'failed']
    ])
  })

  it('reads nested Playwright suites, counting a flaky test as failed', () => {
    const report = {
      suites: [
        {
          title: 'j.spec.ts',
          file: 'j.spec.ts',
          specs: [
            { title: 'one', file: 'j.spec.ts', tests: [{ status: 'expected' }] },
            { title: 'two', file: 'j.spec.ts', tests: [{ status: 'flaky' }] }
          ],
          suites: [
            {
              title: 'group',
              file: 'j.spec.ts',
              specs: [{ title: 'three', file: 'j.spec.ts', tests: [{ status: 'skipped' }, { status: 'unexpected', projectName: 'p' }] }]
            }
          ]
        }
      ],
      errors: [{ message: 'global setup failed\nat x' }]
    }
    expect(playwrightOutcomes(report)).toEqual([
      ['j.spec.ts > one', 'passed'],
      ['j.spec.ts > two', 'failed'],
      ['j.spec.ts > group > three', 'skipped'],
      ['j.spec.ts > group > three [p]', 'failed'],
      ['playwright: global setup failed', 'failed']
    ])
  })
})
