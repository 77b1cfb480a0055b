// `syscope record --detail` on a kernel that refuses the files and network programs: syscalls
// are still counted, and the summary says why files and the network are missing. The test-only
// hooks build of the helper hands the verifier programs it really rejects: the TCP state
// programs, which only --detail loads, and the classic tracepoint mode's exit program (that mode
// has no TCP state program, and would otherwise load --detail when tracefs is mounted).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../src/main/paths'
import type { Summary } from '../../src/main/types/summary'
import { buildCli, runCli } from './harness'

const HOOKS = join(projectRoot(), 'build', 'helper', 'hooks', 'syscope-helper')

let data: string
beforeAll(() => {
  buildCli()
  data = mkdtempSync(join(tmpdir(), 'syscope-fallback-'))
})
afterAll(() => rmSync(data, { recursive: true, force: true }))

describe('syscope record --detail where the kernel refuses its programs', () => {
  it('counts syscalls without files and network, and says why', () => {
    const r = runCli(['record', '--detail', '--json', '--', 'cat', '/etc/hostname'], {
      SYSCOPE_HELPER: HOOKS,
      SYSCOPE_TEST_REJECT_PROG: 'tcp_state,tp_sys_exit',
      XDG_DATA_HOME: data
    })
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as Summary
    // counted, in the mode it asked for first
    expect(s.ebpf.available).toBe(true)
    expect(s.ebpf.syscalls.per_syscall.find((x) => x.name === 'read')?.count).toBeGreaterThan(0)
    // not watched, and why
    expect(s.files).toBeNull()
    expect(s.network).toBeNull()
    expect(s.session.warnings.join('\n')).toMatch(
      /files and the network are not watched: this kernel refused their programs \(.*btf_tcp_state.*\); syscalls are counted without them/
    )
  })
})
