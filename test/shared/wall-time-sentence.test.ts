// The wall-time sentence (src/shared/wall-time.ts) as the CLI summary and the app say it.
import { describe, expect, it } from 'vitest'
import { wallTimeSentence, type BlockedBy, type WallTime } from '../../src/shared/wall-time'

const ms = 1e6
function tree(blocked_by: WallTime['blocked_by']): WallTime {
  const blocked = blocked_by.reduce((s, b) => s + b.ns, 0)
  return {
    wall_ns: 300 * ms + blocked,
    elapsed_ns: 250 * ms,
    on_cpu_ns: 300 * ms,
    on_cpu_system_ns: 100 * ms,
    on_cpu_user_ns: 200 * ms,
    runqueue_ns: 0,
    runqueue_preempted_ns: 0,
    blocked_ns: blocked,
    blocked_uninterruptible_ns: 0,
    blocked_by
  }
}

/** the tree with one row: ns blocked in wait4, by whom */
const wait4 = (ns: number, who: Omit<BlockedBy, 'syscall' | 'ns' | 'uninterruptible_ns'>): WallTime =>
  tree([{ syscall: 'wait4', ns, uninterruptible_ns: 0, ...who }])

describe('wallTimeSentence', () => {
  it('names who waited for whom', () => {
    const w = wait4(240 * ms, {
      processes: [{ pid: 10, comm: 'sh', ns: 240 * ms }],
      waiting_for: [
        { pid: 12, comm: 'sqlite3' },
        { pid: 11, comm: 'sh' }
      ]
    })
    expect(wallTimeSentence(w)).toContain(': 0.24 s wait4 (sh waiting for sqlite3, sh)')
  })

  it('says each waiting process with its own children, and how many more waited', () => {
    const w = wait4(240 * ms, {
      processes: [
        { pid: 10, comm: 'bash', ns: 120 * ms },
        { pid: 11, comm: 'bash', ns: 100 * ms },
        { pid: 12, comm: 'make', ns: 20 * ms }
      ],
      waiting_for: [
        { pid: 11, comm: 'bash', ppid: 10 },
        { pid: 13, comm: 'git', ppid: 11 },
        { pid: 14, comm: 'cc', ppid: 12 }
      ]
    })
    expect(wallTimeSentence(w)).toContain(': 0.24 s wait4 (bash ×2 waiting for bash, git; make waiting for cc)')
  })

  it('says the processes by name as the summary counted them all (make -j)', () => {
    const w = wait4(1900 * ms, {
      // the three with the most time, as before; and every one by name
      processes: [
        { pid: 10, comm: 'make', ns: 200 * ms },
        { pid: 21, comm: 'cc', ns: 170 * ms },
        { pid: 22, comm: 'cc', ns: 160 * ms }
      ],
      waiting_for: [{ pid: 21, comm: 'cc', ppid: 10 }],
      processes_total: 16,
      process_names: [
        { comm: 'cc', processes: 14, ns: 1650 * ms, waiting_for: ['cc1', 'as', 'collect2'] },
        { comm: 'make', processes: 1, ns: 200 * ms, waiting_for: ['cc'] },
        { comm: 'collect2', processes: 1, ns: 50 * ms, waiting_for: ['ld'] }
      ]
    })
    expect(wallTimeSentence(w)).toContain(': 1.90 s wait4 (cc ×14 waiting for cc1, as, collect2; make waiting for cc; and 1 more)')
  })

  it('in a recording from before the names, says the processes it kept of one name once (make -j)', () => {
    const cc = [20, 21, 22, 23].map((pid, i) => ({ pid, comm: 'cc', ns: (30 - i) * ms }))
    const w = wait4(240 * ms, {
      processes: [{ pid: 10, comm: 'make', ns: 100 * ms }, ...cc, { pid: 30, comm: 'sh', ns: 5 * ms }],
      waiting_for: [
        ...cc.map((c) => ({ pid: c.pid, comm: 'cc', ppid: 10 })),
        ...cc.map((c) => ({ pid: c.pid + 100, comm: 'cc1', ppid: c.pid })),
        { pid: 200, comm: 'as', ppid: 23 },
        { pid: 300, comm: 'true', ppid: 30 }
      ]
    })
    // the four cc together (114 ms) before make (100 ms); sh the one more
    expect(wallTimeSentence(w)).toContain(': 0.24 s wait4 (cc ×4 waiting for cc1, as; make waiting for cc; and 1 more)')
  })

  it('names a process whose name was never read by its pid, never as an empty name', () => {
    // an older recording: a shell's subshell forked and gone before /proc could be read
    const w = wait4(240 * ms, {
      processes: [{ pid: 10, comm: '', ns: 240 * ms }],
      waiting_for: [
        { pid: 12, comm: 'sqlite3' },
        { pid: 11, comm: '' }
      ]
    })
    expect(wallTimeSentence(w)).toContain(': 0.24 s wait4 (pid 10 waiting for sqlite3, pid 11)')
  })
})
