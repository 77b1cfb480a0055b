// @vitest-environment happy-dom
// Components through their props, their rendered text and the calls they make on window.syscope.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import type { Comparison, ComparisonSide, ProcessListEntry, SessionSnapshot, SetupDiagnosis, SyscallRow } from '../../src/shared/contract'
import LaunchForm from '../../src/renderer/src/components/LaunchForm.vue'
import SyscallTable from '../../src/renderer/src/components/SyscallTable.vue'
import ProcessTable from '../../src/renderer/src/components/ProcessTable.vue'
import StatusPill from '../../src/renderer/src/components/StatusPill.vue'
import AttachView from '../../src/renderer/src/views/AttachView.vue'
import SetupView from '../../src/renderer/src/views/SetupView.vue'
import SessionView from '../../src/renderer/src/views/SessionView.vue'
import CompareView from '../../src/renderer/src/views/CompareView.vue'
import { toasts } from '../../src/renderer/src/lib/notify'
import { formatMs, formatPct } from '../../src/renderer/src/lib/format'
import { READOUT_MS } from '../../src/renderer/src/composables/useSessionData'
import { fakeApi, treePoint } from './fixtures'

const use = (impl: Parameters<typeof fakeApi>[0]) => {
  const f = fakeApi(impl)
  window.syscope = f.api
  return f
}
const mounted: { unmount(): void }[] = []
const track = <T extends { unmount(): void }>(w: T): T => (mounted.push(w), w)
afterEach(() => {
  for (const w of mounted.splice(0)) w.unmount()
  toasts.value = []
})
const texts = (w: ReturnType<typeof mount>, testid: string): string[] => w.findAll(`[data-testid="${testid}"]`).map((e) => e.text())

describe('LaunchForm', () => {
  it('shows the exact argv as chips while typing, and the quoting error instead when unbalanced', async () => {
    use({})
    const w = track(mount(LaunchForm))
    await w.get('[data-testid="launch-program"]').setValue('sh')
    await w.get('[data-testid="launch-args"]').setValue(`-c 'echo "a b"' ''`)
    expect(texts(w, 'launch-argv-chip')).toEqual(['sh', '-c', 'echo "a b"', "''"])
    await w.get('[data-testid="launch-args"]').setValue(`-c 'oops`)
    expect(w.find('[data-testid="launch-argv-chip"]').exists()).toBe(false)
    expect(w.get('[data-testid="launch-args-error"]').text()).toMatch(/unbalanced single quote/)
  })

  it('sends the request it shows: argv, cwd, environment, interval, eBPF', async () => {
    const f = use({ launch: () => ({ id: 's1', title: 't', kind: 'launch', state: 'running' }) })
    const w = track(mount(LaunchForm))
    await w.get('[data-testid="launch-program"]').setValue(' /usr/bin/make ')
    await w.get('[data-testid="launch-args"]').setValue('-j2 "all tests"')
    await w.get('[data-testid="launch-cwd"]').setValue('/src')
    await w.get('[data-testid="launch-env-add"]').trigger('click')
    await w.get('[data-testid="launch-env-key"]').setValue('CC')
    await w.get('[data-testid="launch-env-value"]').setValue('clang -O2')
    await w.get('[data-testid="launch-interval"]').setValue('50')
    await w.get('[data-testid="launch-ebpf"]').setValue(false)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(f.calls).toEqual([
      { method: 'launch', args: [{ argv: ['/usr/bin/make', '-j2', 'all tests'], cwd: '/src', env: { CC: 'clang -O2' }, intervalMs: 50, ebpf: false }] }
    ])
    expect(w.emitted('started')?.[0]?.[0]).toMatchObject({ id: 's1' })
  })

  it('sends the helper modes chosen: files and network, calls and errors only, or both', async () => {
    const f = use({ launch: () => ({ id: 's1', title: 't', kind: 'launch', state: 'running' }) })
    const w = track(mount(LaunchForm))
    await w.get('[data-testid="launch-program"]').setValue('true')
    const detail = w.get<HTMLInputElement>('[data-testid="launch-detail"]')
    const counts = w.get<HTMLInputElement>('[data-testid="launch-counts-only"]')
    await detail.setValue(true)
    await w.get('form').trigger('submit')
    await flushPromises()
    await counts.setValue(true)
    await w.get('form').trigger('submit')
    await flushPromises()
    await detail.setValue(false)
    await w.get('form').trigger('submit')
    await flushPromises()
    // without eBPF neither applies
    await w.get('[data-testid="launch-ebpf"]').setValue(false)
    expect(counts.element.disabled).toBe(true)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(f.calls.map((c) => c.args[0])).toEqual([
      { argv: ['true'], intervalMs: 100, ebpf: true, detail: true },
      { argv: ['true'], intervalMs: 100, ebpf: true, detail: true, countsOnly: true },
      { argv: ['true'], intervalMs: 100, ebpf: true, countsOnly: true },
      { argv: ['true'], intervalMs: 100, ebpf: false }
    ])
  })

  it('refuses to start without a program or with a bad variable name, saying why', async () => {
    const f = use({})
    const w = track(mount(LaunchForm))
    await w.get('form').trigger('submit')
    expect(w.get('[data-testid="launch-error"]').text()).toBe('Name a program to run.')
    await w.get('[data-testid="launch-program"]').setValue('true')
    await w.get('[data-testid="launch-env-add"]').trigger('click')
    await w.get('[data-testid="launch-env-key"]').setValue('9X')
    await w.get('form').trigger('submit')
    expect(w.get('[data-testid="launch-error"]').text()).toMatch(/Environment row 1: "9X" is not a variable name/)
    expect(f.calls).toEqual([])
  })

  it('shows a failed launch inline and as a toast', async () => {
    use({
      launch: () => {
        throw new Error('/nonexistent: No such file or directory')
      }
    })
    const w = track(mount(LaunchForm))
    await w.get('[data-testid="launch-program"]').setValue('/nonexistent')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="launch-error"]').text()).toBe('/nonexistent: No such file or directory')
    expect(toasts.value.map((t) => t.text)).toEqual(['Launch failed: /nonexistent: No such file or directory'])
  })
})

const row = (nr: number, name: string, calls: number, errors: number, time_ns: number, category: SyscallRow['category'] = 'file_io'): SyscallRow => ({
  nr,
  name,
  category,
  calls,
  errors,
  time_ns,
  calls_per_s: calls / 2
})

describe('SyscallTable', () => {
  const rows = [row(0, 'read', 500, 0, 9000), row(1, 'write', 900, 3, 1000), row(9, 'mmap', 40, 0, 50_000, 'memory')]
  const names = (w: ReturnType<typeof mount>): (string | undefined)[] => w.findAll('[data-testid="syscall-row"]').map((r) => r.attributes('data-name'))

  it('lists by calls, most first, with units', () => {
    const w = track(mount(SyscallTable, { props: { rows } }))
    expect(names(w)).toEqual(['write', 'read', 'mmap'])
    const cells = w
      .findAll('[data-testid="syscall-row"]')[0]!
      .findAll('td')
      .map((c) => c.text())
    expect(cells).toEqual(['write', 'File I/O', '900', '450/s', '3', '1.00 µs', '1 ns'])
  })

  it('sorts by any column, a second click reversing', async () => {
    const w = track(mount(SyscallTable, { props: { rows } }))
    await w.get('[data-testid="sort-time_ns"]').trigger('click')
    expect(names(w)).toEqual(['mmap', 'read', 'write'])
    await w.get('[data-testid="sort-name"]').trigger('click')
    expect(names(w)).toEqual(['mmap', 'read', 'write'])
    await w.get('[data-testid="sort-name"]').trigger('click')
    expect(names(w)).toEqual(['write', 'read', 'mmap'])
    await w.get('[data-testid="sort-errors"]').trigger('click')
    expect(names(w)[0]).toBe('write')
    expect(w.get('th[aria-sort="descending"]').text()).toMatch(/errors/)
  })

  it('filters by name and by category', async () => {
    const w = track(mount(SyscallTable, { props: { rows, category: 'memory' } }))
    expect(names(w)).toEqual(['mmap'])
    await w.setProps({ category: '' })
    await w.get('[data-testid="syscall-filter"]').setValue('re')
    expect(names(w)).toEqual(['read'])
  })
})

describe('ProcessTable', () => {
  const p = (pid: number, ppid: number, comm: string, syscalls: number, cpu_seconds: number | null = null, write_bytes: number | null = null) => ({
    pid,
    ppid,
    comm,
    cmdline: [comm],
    cpu_pct_mean: null,
    cpu_pct_peak: null,
    cpu_seconds,
    read_bytes: null,
    write_bytes,
    rss_peak_bytes: 1024,
    syscalls,
    syscall_errors: 0,
    exitedAtMs: pid === 3 ? 1500 : null
  })
  it('shows the tree with figures, and folds a subtree', async () => {
    const w = track(mount(ProcessTable, { props: { processes: [p(1, 0, 'make', 10), p(2, 1, 'cc1', 500), p(3, 2, 'as', 7)] } }))
    const rows = () => w.findAll('[data-testid="process-row"]')
    expect(rows().map((r) => r.attributes('data-pid'))).toEqual(['1', '2', '3'])
    expect(rows()[2]!.text()).toContain('1.50 s')
    expect(rows()[0]!.text()).toContain('running')
    await rows()[1]!.get('button.fold').trigger('click')
    expect(rows().map((r) => r.attributes('data-pid'))).toEqual(['1', '2'])
  })

  it('shows each process’s CPU time, and sorts siblings by it', async () => {
    const w = track(
      mount(ProcessTable, { props: { processes: [p(1, 0, 'make', 10, 0.02), p(2, 1, 'cc1', 5, 1.25), p(4, 1, 'ld', 5, 3.5), p(5, 1, 'as', 5, null)] } })
    )
    const rows = () => w.findAll('[data-testid="process-row"]')
    expect(rows().map((r) => r.get('[data-testid="process-cpu-time"]').text())).toEqual(['20.0 ms', '1.25 s', '3.50 s', '—'])
    await w.get('[data-testid="sort-cpu_seconds"]').trigger('click')
    expect(rows().map((r) => r.attributes('data-pid'))).toEqual(['1', '4', '2', '5'])
  })

  it('shows what each process wrote, and sorts siblings by it', async () => {
    const w = track(
      mount(ProcessTable, { props: { processes: [p(1, 0, 'sh', 10, null, 0), p(2, 1, 'dd', 5, null, 16 * 2 ** 20), p(4, 1, 'cat', 5, null, 2048)] } })
    )
    const rows = () => w.findAll('[data-testid="process-row"]')
    expect(rows().map((r) => r.get('[data-testid="process-written"]').text())).toEqual(['0 B', '16.0 MiB', '2.00 KiB'])
    await w.get('[data-testid="sort-write_bytes"]').trigger('click')
    expect(rows().map((r) => r.attributes('data-pid'))).toEqual(['1', '2', '4'])
    await w.get('[data-testid="sort-write_bytes"]').trigger('click')
    expect(rows().map((r) => r.attributes('data-pid'))).toEqual(['1', '4', '2'])
  })
})

describe('StatusPill', () => {
  it('says ready and the mode, or what is missing', () => {
    const ready = track(
      mount(StatusPill, { props: { status: { ready: true, mode: 'tp_btf', helperPath: null, helperReason: null, problem: null, fix: null }, error: null } })
    )
    expect(ready.text()).toBe('eBPF ready (tp_btf)')
    const missing = track(
      mount(StatusPill, {
        props: {
          status: { ready: false, mode: null, helperPath: null, helperReason: null, problem: 'the helper has no capabilities', fix: 'open Setup' },
          error: null
        }
      })
    )
    expect(missing.text()).toBe('Syscalls unavailable: the helper has no capabilities')
  })
})

const entry = (pid: number, ppid: number, comm: string, cannotTrace: string | null = null): ProcessListEntry => ({
  pid,
  ppid,
  comm,
  cmdline: `${comm} --x`,
  user: 'me',
  uid: 1000,
  cpu_pct: 1,
  rss_bytes: 4096,
  startedAtMs: null,
  cannotTrace
})

describe('AttachView', () => {
  const list = [entry(1, 0, 'init', 'owned by root'), entry(40, 1, 'bash'), entry(41, 40, 'vim'), entry(50, 1, 'top')]

  it('lists processes as a tree, dims the ones it cannot trace with the reason', async () => {
    use({ listProcesses: () => list })
    const w = track(mount(AttachView))
    await flushPromises()
    const rows = w.findAll('[data-testid="picker-row"]')
    expect(rows.map((r) => r.attributes('data-pid'))).toEqual(['1', '40', '41', '50'])
    expect(rows[0]!.classes()).toContain('off')
    expect(rows[0]!.get('[data-testid="picker-reason"]').text()).toBe('owned by root')
  })

  it('search selects the first match it may trace; arrows move; Enter attaches with the options', async () => {
    const f = use({ listProcesses: () => list, attach: () => ({ id: 'a1', title: 'pid 50', kind: 'attach', state: 'running' }) })
    const w = track(mount(AttachView))
    await flushPromises()
    const search = w.get('[data-testid="picker-search"]')
    await search.setValue('vim')
    expect(w.findAll('[data-testid="picker-row"]').map((r) => r.attributes('data-pid'))).toEqual(['1', '40', '41'])
    expect(w.get('tr.sel').attributes('data-pid')).toBe('41')
    await search.setValue('')
    await search.trigger('keydown', { key: 'End' }) // ignored in the search box
    await w.get('tbody').trigger('keydown', { key: 'End' })
    expect(w.get('tr.sel').attributes('data-pid')).toBe('50')
    await search.trigger('keydown', { key: 'ArrowUp' })
    expect(w.get('tr.sel').attributes('data-pid')).toBe('41')
    await search.trigger('keydown', { key: 'ArrowDown' })
    await search.trigger('keydown', { key: 'Enter' })
    await flushPromises()
    // and again with files and network watched
    await w.get('[data-testid="attach-detail"]').setValue(true)
    await search.trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(f.calls.filter((c) => c.method === 'attach')).toEqual([
      { method: 'attach', args: [{ pid: 50, intervalMs: 100, ebpf: true }] },
      { method: 'attach', args: [{ pid: 50, intervalMs: 100, ebpf: true, detail: true }] }
    ])
    expect(w.emitted('open')?.[0]?.[0]).toMatchObject({ id: 'a1' })
  })

  it('does not try to attach to a process it cannot trace: it says why', async () => {
    const f = use({ listProcesses: () => list })
    const w = track(mount(AttachView))
    await flushPromises()
    await w.get('[data-testid="picker-row"]').trigger('dblclick')
    expect(w.get('[data-testid="attach-error"]').text()).toBe('Cannot attach to init (1): owned by root')
    expect(f.calls.some((c) => c.method === 'attach')).toBe(false)
  })
})

describe('SetupView', () => {
  const diagnosis = (ready: boolean, now: { worksNow?: boolean; asRoot?: boolean } = {}): SetupDiagnosis => ({
    ready,
    worksNow: now.worksNow ?? ready,
    asRoot: now.asRoot ?? false,
    checks: [
      { id: 'btf', label: 'Kernel BTF', status: 'ok', detail: 'present', why: 'CO-RE', change: null },
      {
        id: 'helper',
        label: 'Helper installed',
        status: ready ? 'ok' : 'fail',
        detail: ready ? 'installed' : 'not installed',
        why: 'capabilities need a root-owned file',
        change: ready ? null : 'copy it'
      }
    ]
  })

  it('shows the checklist, the exact commands before running them, then the result and the new diagnosis', async () => {
    const f = use({
      setupDiagnose: () => diagnosis(false),
      setupPlan: () => ({ steps: [{ description: 'Install the helper', command: ['/bin/bash', '/x/syscope-setup.sh', 'install-helper'] }] }),
      setupApply: () => ({ ok: true, message: 'Installed.', diagnosis: diagnosis(true) })
    })
    const w = track(mount(SetupView))
    await flushPromises()
    expect(w.get('[data-testid="check-helper"]').attributes('data-status')).toBe('fail')
    expect(w.get('[data-testid="check-helper"]').text()).toContain('Fix would: copy it')
    await w.get('[data-testid="setup-fix"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="setup-command"]').text()).toBe('/bin/bash /x/syscope-setup.sh install-helper')
    expect(f.calls.map((c) => c.method)).toEqual(['setupDiagnose', 'setupPlan'])
    await w.get('[data-testid="setup-apply"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="setup-message"]').text()).toBe('Installed.')
    expect(w.get('[data-testid="check-helper"]').attributes('data-status')).toBe('ok')
    expect(w.emitted('changed')).toHaveLength(1)
  })

  it('says what works now and for whom', async () => {
    const verdict = async (d: SetupDiagnosis): Promise<string> => {
      use({ setupDiagnose: () => d })
      const w = track(mount(SetupView))
      await flushPromises()
      return w.get('[data-testid="setup-ready"]').text()
    }
    expect(await verdict(diagnosis(true))).toBe('Ready: syscalls are counted without root.')
    // as root, before the install: the pill says eBPF ready, and so must this (for this session)
    expect(await verdict(diagnosis(false, { worksNow: true, asRoot: true }))).toMatch(
      /^Syscalls are counted in this session, which runs as root\. Not ready for your user without root/
    )
    expect(await verdict(diagnosis(false, { worksNow: true }))).toMatch(/^Syscalls are counted now, with a helper that is not installed/)
    expect(await verdict(diagnosis(false))).toBe('Not ready: syscalls cannot be counted yet.')
  })

  it('asks before Undo, and shows a refused authentication as an error', async () => {
    use({
      setupDiagnose: () => diagnosis(true),
      setupUndo: () => {
        throw new Error('authentication was cancelled')
      }
    })
    const w = track(mount(SetupView))
    await flushPromises()
    await w.get('[data-testid="setup-undo"]').trigger('click')
    expect(w.get('[data-testid="setup-undo-confirm"]').text()).toMatch(/Remove everything setup installed/)
    await w.get('[data-testid="setup-undo-apply"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="setup-error"]').text()).toBe('Undo: authentication was cancelled')
    expect(w.find('[data-testid="setup-message"]').exists()).toBe(false)
  })
})

describe('SessionView', () => {
  const snapshot = (ready: boolean): SessionSnapshot => ({
    info: {
      id: 's1',
      kind: 'launch',
      recordedKind: 'launch',
      title: 'make -j2',
      argv: ['make', '-j2'],
      rootPid: 77,
      startedAtMs: 0,
      intervalMs: 100,
      recordingPath: null,
      arch: 'x86_64',
      state: 'running',
      ebpf: {
        ready,
        mode: ready ? 'tp_btf' : null,
        helperPath: null,
        helperReason: null,
        problem: ready ? null : 'the helper is not installed',
        fix: ready ? null : 'open Setup → Fix'
      }
    },
    tree: [treePoint(100), treePoint(200)],
    processes: [],
    processInfo: [],
    events: [],
    output: [{ sessionId: 's1', stream: 'stderr', t_ms: 150, text: 'warning: x\n' }],
    warnings: []
  })
  const breakdown = {
    sessionId: 's1',
    from_ms: 0,
    to_ms: 200,
    total_calls: 3,
    total_errors: 0,
    total_time_ns: 10,
    by_category: [{ category: 'file_io' as const, calls: 3, errors: 0, time_ns: 10 }],
    syscalls: [row(0, 'read', 3, 0, 10)],
    processes: []
  }
  const stubs = { global: { stubs: { EChart: true } } }

  it('shows the session, its syscalls and output; Stop calls stop; the end is followed', async () => {
    const f = use({ snapshot: () => snapshot(true), breakdown: () => breakdown, stop: () => null })
    const w = track(mount(SessionView, { props: { sessionId: 's1' }, ...stubs }))
    await flushPromises()
    expect(w.get('[data-testid="session-title"]').text()).toBe('make -j2')
    expect(w.get('[data-testid="session-state"]').text()).toBe('running')
    expect(w.get('[data-testid="session-kind"]').text()).toBe('launched')
    expect(w.find('[data-testid="ebpf-missing"]').exists()).toBe(false)
    expect(texts(w, 'syscall-row')).toEqual([expect.stringContaining('read')])
    expect(w.get('[data-testid="console"] .stderr').text()).toBe('warning: x')
    expect(w.get('[data-testid="breakdown-total"]').attributes('data-calls')).toBe('3')
    await w.get('[data-testid="session-stop"]').trigger('click')
    await flushPromises()
    expect(f.calls.filter((c) => c.method === 'stop')).toEqual([{ method: 'stop', args: ['s1'] }])
    // live output for this session only
    f.emit('output', { sessionId: 'other', stream: 'stdout', t_ms: 300, text: 'not mine' })
    f.emit('output', { sessionId: 's1', stream: 'stdout', t_ms: 300, text: 'done\n' })
    await new Promise((r) => requestAnimationFrame(() => r(null)))
    await flushPromises()
    expect(w.get('[data-testid="console"]').text()).toContain('done')
    expect(w.get('[data-testid="console"]').text()).not.toContain('not mine')
  })

  it('updates the figures read as text (duration, lane readouts) at most four times a second, ending on the latest', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'requestAnimationFrame', 'cancelAnimationFrame', 'performance'] })
    try {
      const f = use({ snapshot: () => snapshot(true), breakdown: () => breakdown })
      const w = track(mount(SessionView, { props: { sessionId: 's1' }, ...stubs }))
      await vi.advanceTimersByTimeAsync(20)
      const duration = () => w.get('[data-testid="session-duration"]').text()
      const seen = new Set([duration()])
      expect(duration()).toBe(formatMs(200))
      // a tick each frame for a quarter of a second: one more figure shown, not fifteen
      for (let i = 3; i < 18; i++) {
        f.emit('ticks', { sessionId: 's1', tree: [treePoint(i * 100, { cpu_pct: i })], processes: [] })
        await vi.advanceTimersByTimeAsync(16)
        seen.add(duration())
      }
      expect(seen.size).toBeLessThanOrEqual(3)
      await vi.advanceTimersByTimeAsync(READOUT_MS)
      expect(duration()).toBe(formatMs(1700))
      expect(w.get('[data-testid="lane-cpu-readout"]').text()).toBe(formatPct(17))
    } finally {
      vi.useRealTimers()
    }
  })

  it('says plainly when syscalls are missing, why, and how to fix it', async () => {
    use({ snapshot: () => snapshot(false), breakdown: () => ({ ...breakdown, total_calls: 0, by_category: [], syscalls: [] }) })
    const w = track(mount(SessionView, { props: { sessionId: 's1' }, ...stubs }))
    await flushPromises()
    const banner = w.get('[data-testid="ebpf-missing"]').text()
    expect(banner).toContain('the helper is not installed')
    expect(banner).toContain('open Setup → Fix')
  })

  it('shows why a session cannot be opened', async () => {
    use({
      snapshot: () => {
        throw new Error('no session "s1"')
      },
      breakdown: () => breakdown
    })
    const w = track(mount(SessionView, { props: { sessionId: 's1' }, ...stubs }))
    await flushPromises()
    expect(w.get('[data-testid="session-error"]').text()).toBe('no session "s1"')
  })
})

describe('CompareView', () => {
  const side = (path: string, calls: number, peak: number | null): ComparisonSide => ({
    path,
    title: path,
    durationMs: 2000,
    total_calls: calls,
    by_category: [{ category: 'file_io', calls, share: 1 }],
    cpu_pct_peak: peak,
    cpu_pct_mean: null,
    rss_peak_bytes: 1 << 20,
    cpu_seconds: 0.5,
    usage: null,
    syscalls_counted: true,
    processes: 1,
    peak_processes: 1,
    wall: {
      wall_ns: 2e9,
      elapsed_ns: 2e9,
      on_cpu_ns: calls * 1e6,
      on_cpu_system_ns: null,
      on_cpu_user_ns: null,
      runqueue_ns: 0,
      runqueue_preempted_ns: 0,
      blocked_ns: 2e9 - calls * 1e6,
      blocked_uninterruptible_ns: 0,
      blocked_by: [{ syscall: 'read', ns: 2e9 - calls * 1e6, uninterruptible_ns: 0 }]
    },
    syscalls_timed: true
  })
  const times = (a: number, b: number) => ({ a_time_ns: a, b_time_ns: b, a_p99_ns: a / 10, b_p99_ns: b / 10 })
  const comparison: Comparison = {
    a: side('/r/a', 100, 50),
    b: side('/r/b', 400, null),
    syscalls: [
      { name: 'read', category: 'file_io', a_calls: 90, b_calls: 100, delta: 10, ratio: 100 / 90, ...times(9e6, 1e6) },
      { name: 'openat', category: 'file_io', a_calls: 10, b_calls: 0, delta: -10 - 50, ratio: 0, ...times(1e5, 0) },
      { name: 'mmap', category: 'memory', a_calls: 0, b_calls: 300, delta: 300, ratio: null, ...times(0, 3e6) }
    ]
  }
  const recordings = [
    { path: '/r/a', title: 'first', startedAtMs: 0, durationMs: 2000, sizeBytes: 10 },
    { path: '/r/b', title: 'second', startedAtMs: 0, durationMs: 2000, sizeBytes: 10 }
  ]

  it('compares the two picked recordings: figures with change, syscalls by the size of their change', async () => {
    const f = use({ listRecordings: () => recordings, compare: () => comparison })
    const w = track(mount(CompareView, { global: { stubs: { EChart: true } } }))
    await flushPromises()
    expect(w.get('[data-testid="compare-a"]').findAll('option')).toHaveLength(3)
    await w.get('[data-testid="compare-a"]').setValue('/r/a')
    await w.get('[data-testid="compare-b"]').setValue('/r/b')
    // (happy-dom does not submit a form from its button's click; a browser does)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(f.calls.find((c) => c.method === 'compare')?.args).toEqual(['/r/a', '/r/b'])
    const figure = (label: string) =>
      w
        .get(`[data-testid="compare-figure"][data-label="${label}"]`)
        .findAll('td')
        .map((c) => c.text())
    expect(figure('syscalls')).toEqual(['syscalls', '100', '400', '+300', '4.00×'])
    expect(figure('CPU peak')).toEqual(['CPU peak', '50.0 %', 'unavailable', '—', '—'])
    const names = () => w.findAll('[data-testid="compare-row"]').map((r) => r.attributes('data-name'))
    expect(names()).toEqual(['mmap', 'openat', 'read'])
    expect(w.findAll('[data-testid="compare-row"]')[0]!.text()).toContain('new')
    await w.get('[data-testid="sort-name"]').trigger('click')
    expect(names()).toEqual(['mmap', 'openat', 'read'])
    await w.get('[data-testid="sort-b_calls"]').trigger('click')
    expect(names()).toEqual(['mmap', 'read', 'openat'])
    // the time in calls, and its change: read fell most
    await w.get('[data-testid="sort-time_delta"]').trigger('click')
    expect(names()).toEqual(['read', 'mmap', 'openat'])
    const read = w.get('[data-testid="compare-row"][data-name="read"]')
    expect(['a_time', 'b_time', 'time_delta', 'a_p99'].map((c) => read.get(`[data-col="${c}"]`).text())).toEqual(['9.00 ms', '1.00 ms', '−8.00 ms', '900 µs'])
    // A had no mmap: its p99 is no call's, not unavailable
    expect(w.get('[data-testid="compare-row"][data-name="mmap"] [data-col="a_p99"]').text()).toBe('—')
    // where the time went in each
    const wall = w
      .get('[data-testid="compare-wall-figure"][data-label="on a CPU"]')
      .findAll('td')
      .map((c) => c.text())
    expect(wall).toEqual(['on a CPU', '100 ms', '400 ms', '+300 ms', '4.00×'])
  })

  it('shows why a comparison failed', async () => {
    use({
      listRecordings: () => recordings,
      compare: () => {
        throw new Error('/r/b: not a syscope recording')
      }
    })
    const w = track(mount(CompareView, { global: { stubs: { EChart: true } } }))
    await flushPromises()
    await w.get('[data-testid="compare-a"]').setValue('/r/a')
    await w.get('[data-testid="compare-b"]').setValue('/r/b')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="compare-error"]').text()).toBe('/r/b: not a syscope recording')
  })
})
