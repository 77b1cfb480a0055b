// The shared syscall tables and categories: names the kernel ABI fixes, a deliberate category for
// every syscall of both architectures, chart colours, and per-category totals.
import { describe, expect, it } from 'vitest'
import type { CategoryId } from '../../src/shared/contract'
import { CATEGORY_MEMBERS, CATEGORY_OF } from '../../src/shared/syscalls/categories'
import {
  ARCHES,
  CATEGORIES,
  CATEGORY_IDS,
  aggregateByCategory,
  categoryInfo,
  categoryOf,
  maxSyscallNr,
  syscallCategory,
  syscallName,
  syscallTable,
  type Arch
} from '../../src/shared/syscalls/index'

// A compile-time list of every CategoryId: tsc fails here if contract.ts gains or loses one.
// prettier-ignore
const EVERY_CATEGORY: Record<CategoryId, true> = {
  file_io: true, memory: true, process: true, network: true, time: true,
  ipc: true, security: true, signal: true, system: true, other: true
}

const allNames = (): Set<string> => new Set(ARCHES.flatMap((a) => Object.values(syscallTable(a))))

describe('syscall numbers', () => {
  it('name the numbers the x86_64 ABI fixes', () => {
    // prettier-ignore
    const fixed: [number, string][] = [
      [0, 'read'], [1, 'write'], [39, 'getpid'], [59, 'execve'], [60, 'exit'], [110, 'getppid'],
      [231, 'exit_group'], [232, 'epoll_wait'], [318, 'getrandom'], [202, 'futex'], [262, 'newfstatat'],
      [435, 'clone3'], [450, 'set_mempolicy_home_node']
    ]
    for (const [nr, name] of fixed) expect([nr, syscallName('x86_64', nr)]).toEqual([nr, name])
  })

  it('name the numbers the aarch64 (generic) ABI fixes, 64-bit names and arm64 choices included', () => {
    // prettier-ignore
    const fixed: [number, string][] = [
      [63, 'read'], [64, 'write'], [172, 'getpid'], [173, 'getppid'], [221, 'execve'], [93, 'exit'],
      [94, 'exit_group'], [278, 'getrandom'], [22, 'epoll_pwait'],
      // __NR3264_* under their 64-bit names
      [25, 'fcntl'], [43, 'statfs'], [44, 'fstatfs'], [45, 'truncate'], [46, 'ftruncate'], [62, 'lseek'],
      [71, 'sendfile'], [79, 'newfstatat'], [80, 'fstat'], [222, 'mmap'], [223, 'fadvise64'],
      // what arm64's __ARCH_WANT_* macros switch on, and sync_file_range (not ..._range2)
      [38, 'renameat'], [163, 'getrlimit'], [164, 'setrlimit'], [435, 'clone3'], [447, 'memfd_secret'],
      [84, 'sync_file_range']
    ]
    for (const [nr, name] of fixed) expect([nr, syscallName('aarch64', nr)]).toEqual([nr, name])
  })

  it('leave out what a 64-bit aarch64 does not have', () => {
    const arm = new Set(Object.values(syscallTable('aarch64')))
    for (const name of [
      'open',
      'stat',
      'fork',
      'epoll_wait',
      'fcntl64',
      'mmap2',
      'llseek',
      'clock_gettime64',
      'sync_file_range2',
      'arch_specific_syscall',
      'syscalls'
    ]) {
      expect(arm.has(name), name).toBe(false)
    }
    // 244..259 are arch-private (arm64 uses none) and 295..402 are never assigned
    for (const nr of [244, 259, 295, 402, 403, 423]) expect(syscallTable('aarch64')[nr], String(nr)).toBeUndefined()
  })

  it('know the syscalls of kernels newer than the installed headers', () => {
    for (const arch of ARCHES) {
      expect(syscallName(arch, 452)).toBe('fchmodat2')
      expect(syscallName(arch, 462)).toBe('mseal')
      expect(syscallName(arch, 469)).toBe('file_setattr')
      expect(maxSyscallNr(arch)).toBeGreaterThanOrEqual(469)
    }
    expect(syscallName('x86_64', 335)).toBe('uretprobe')
  })

  it('give every number a well-formed name, each name once per architecture', () => {
    for (const arch of ARCHES) {
      const table = syscallTable(arch)
      const nrs = Object.keys(table).map(Number)
      expect(Math.max(...nrs)).toBe(maxSyscallNr(arch))
      const names = Object.values(table)
      for (const name of names) expect(name).toMatch(/^[a-z_][a-z0-9_]*$/)
      expect(new Set(names).size).toBe(names.length)
      expect(names.length).toBeGreaterThan(300)
    }
  })

  it('call an unknown number sys_<nr>', () => {
    expect(syscallName('x86_64', 999)).toBe('sys_999')
    expect(syscallName('aarch64', 300)).toBe('sys_300')
    expect(syscallName('x86_64', -1)).toBe('sys_-1')
    expect(syscallName('x86_64', 1.5)).toBe('sys_1.5')
  })
})

describe('syscall categories', () => {
  it('assign every syscall name of both architectures on purpose, and nothing else', () => {
    const names = allNames()
    const missing = [...names].filter((n) => !CATEGORY_OF.has(n))
    expect(missing).toEqual([])
    const stale = [...CATEGORY_OF.keys()].filter((n) => !names.has(n))
    expect(stale).toEqual([])
  })

  it('put each name in exactly one category', () => {
    const seen = new Map<string, CategoryId>()
    const twice: string[] = []
    for (const [category, members] of Object.entries(CATEGORY_MEMBERS) as [CategoryId, readonly string[]][]) {
      for (const name of members) {
        const before = seen.get(name)
        if (before) twice.push(`${name}: ${before} and ${category}`)
        seen.set(name, category)
      }
    }
    expect(twice).toEqual([])
  })

  it('keep other for the calls mainline never implemented', () => {
    expect([...CATEGORY_MEMBERS.other].sort()).toEqual(['afs_syscall', 'getpmsg', 'putpmsg', 'security', 'tuxcall', 'vserver'])
    for (const category of CATEGORY_IDS) expect(CATEGORY_MEMBERS[category].length, category).toBeGreaterThan(0)
  })

  it('file well-known syscalls where a user would look for them', () => {
    const expected: Record<string, CategoryId> = {
      read: 'file_io',
      openat: 'file_io',
      close: 'file_io',
      ioctl: 'file_io',
      newfstatat: 'file_io',
      chmod: 'file_io',
      io_uring_enter: 'file_io',
      // fd readiness is I/O, not time (the seed's peer files epoll under time)
      epoll_wait: 'file_io',
      epoll_pwait: 'file_io',
      poll: 'file_io',
      ppoll: 'file_io',
      select: 'file_io',
      pselect6: 'file_io',
      mmap: 'memory',
      brk: 'memory',
      madvise: 'memory',
      memfd_create: 'memory',
      clone: 'process',
      clone3: 'process',
      execve: 'process',
      exit_group: 'process',
      wait4: 'process',
      getpid: 'process',
      sched_yield: 'process',
      prlimit64: 'process',
      ptrace: 'process',
      socket: 'network',
      connect: 'network',
      sendmsg: 'network',
      recvmmsg: 'network',
      socketpair: 'network',
      clock_gettime: 'time',
      nanosleep: 'time',
      clock_nanosleep: 'time',
      timerfd_settime: 'time',
      adjtimex: 'time',
      futex: 'ipc',
      futex_waitv: 'ipc',
      futex_wait: 'ipc',
      pipe2: 'ipc',
      eventfd2: 'ipc',
      shmget: 'ipc',
      mq_open: 'ipc',
      getuid: 'security',
      setresuid: 'security',
      capset: 'security',
      seccomp: 'security',
      landlock_restrict_self: 'security',
      // randomness feeds cryptography; it is not a memory operation (the seed's peer says memory)
      getrandom: 'security',
      kill: 'signal',
      rt_sigaction: 'signal',
      rt_sigprocmask: 'signal',
      rt_sigreturn: 'signal',
      pidfd_send_signal: 'signal',
      uname: 'system',
      mount: 'system',
      reboot: 'system',
      bpf: 'system',
      perf_event_open: 'system',
      chroot: 'system',
      tuxcall: 'other'
    }
    const got = Object.fromEntries(Object.keys(expected).map((name) => [name, syscallCategory(name)]))
    expect(got).toEqual(expected)
  })

  it('categorise by number on each architecture', () => {
    expect(categoryOf('x86_64', 232)).toBe('file_io')
    expect(categoryOf('aarch64', 22)).toBe('file_io')
    expect(categoryOf('x86_64', 318)).toBe('security')
    expect(categoryOf('aarch64', 278)).toBe('security')
    expect(categoryOf('x86_64', 202)).toBe('ipc')
    expect(categoryOf('aarch64', 98)).toBe('ipc') // futex
    expect(categoryOf('aarch64', 222)).toBe('memory') // mmap
    expect(categoryOf('x86_64', 999)).toBe('other')
    expect(syscallCategory('sys_999')).toBe('other')
    expect(syscallCategory('constructor')).toBe('other')
  })
})

describe('category display', () => {
  // WCAG relative luminance and contrast ratio
  const channel = (v: number): number => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
  const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => channel(parseInt(hex.slice(i, i + 2), 16) / 255)) as [number, number, number]
  const luminance = (hex: string): number => {
    const [r, g, b] = rgb(hex)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
  }
  const contrast = (a: string, b: string): number => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
    return (hi + 0.05) / (lo + 0.05)
  }
  // OKLab, where a Euclidean distance of 0.1 is an obvious difference
  const oklab = (hex: string): [number, number, number] => {
    const [r, g, b] = rgb(hex)
    const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b)
    const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b)
    const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b)
    return [
      0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
      1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
      0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s
    ]
  }
  const distance = (a: string, b: string): number => {
    const [p, q] = [oklab(a), oklab(b)]
    return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2])
  }

  it('list the ten categories once each, in the seed order', () => {
    expect(CATEGORY_IDS).toEqual(['file_io', 'memory', 'process', 'network', 'time', 'ipc', 'security', 'signal', 'system', 'other'])
    expect(new Set(CATEGORY_IDS)).toEqual(new Set(Object.keys(EVERY_CATEGORY)))
    for (const c of CATEGORIES) {
      expect(c.label.length).toBeGreaterThan(0)
      expect(categoryInfo(c.id)).toBe(c)
    }
  })

  it('give each a colour readable on light and dark backgrounds and unlike the others', () => {
    for (const c of CATEGORIES) {
      expect(c.color).toMatch(/^#[0-9a-f]{6}$/)
      expect(contrast(c.color, '#ffffff'), `${c.id} on white`).toBeGreaterThanOrEqual(3)
      expect(contrast(c.color, '#1e1e1e'), `${c.id} on #1e1e1e`).toBeGreaterThanOrEqual(3)
    }
    for (const [i, a] of CATEGORIES.entries()) {
      for (const b of CATEGORIES.slice(i + 1)) expect(distance(a.color, b.color), `${a.id} vs ${b.id}`).toBeGreaterThanOrEqual(0.1)
    }
  })
})

describe('aggregateByCategory', () => {
  const sum = (m: Map<CategoryId, { calls: number; errors: number; time_ns: number }>) =>
    [...m.values()].reduce((t, c) => ({ calls: t.calls + c.calls, errors: t.errors + c.errors, time_ns: t.time_ns + c.time_ns }), {
      calls: 0,
      errors: 0,
      time_ns: 0
    })

  it('fold per-syscall counts into per-category totals, all ten categories in display order', () => {
    const perNr = new Map([
      [0, { calls: 5, errors: 1, time_ns: 10 }], // read
      [1, { calls: 2, errors: 0, time_ns: 5 }], // write
      [232, { calls: 4, errors: 0, time_ns: 1000 }], // epoll_wait
      [41, { calls: 3, errors: 3, time_ns: 7 }], // socket
      [202, { calls: 9, errors: 2, time_ns: 50 }] // futex
    ])
    const m = aggregateByCategory('x86_64', perNr)
    expect([...m.keys()]).toEqual(CATEGORY_IDS)
    expect(m.get('file_io')).toEqual({ calls: 11, errors: 1, time_ns: 1015 })
    expect(m.get('network')).toEqual({ calls: 3, errors: 3, time_ns: 7 })
    expect(m.get('ipc')).toEqual({ calls: 9, errors: 2, time_ns: 50 })
    expect(m.get('memory')).toEqual({ calls: 0, errors: 0, time_ns: 0 })
  })

  it('read a plain object keyed by number, as JSON gives it, per architecture', () => {
    const perNr = JSON.parse(
      '{"63": {"calls": 7, "errors": 0, "time_ns": 70}, "278": {"calls": 1, "errors": 0, "time_ns": 3}, "222": {"calls": 2, "errors": 1, "time_ns": 9}}'
    ) as Record<string, { calls: number; errors: number; time_ns: number }>
    const arm = aggregateByCategory('aarch64', perNr)
    expect(arm.get('file_io')).toEqual({ calls: 7, errors: 0, time_ns: 70 })
    expect(arm.get('security')).toEqual({ calls: 1, errors: 0, time_ns: 3 })
    expect(arm.get('memory')).toEqual({ calls: 2, errors: 1, time_ns: 9 })
    // the same numbers mean other syscalls on x86_64: 63 uname, 278 vmsplice, 222 timer_create
    const x86 = aggregateByCategory('x86_64', perNr)
    expect(x86.get('system')?.calls).toBe(7)
    expect(x86.get('file_io')?.calls).toBe(1)
    expect(x86.get('time')?.calls).toBe(2)
  })

  it('count unknown numbers and odd keys as other, so nothing is lost', () => {
    const perNr = { 9999: { calls: 4, errors: 4, time_ns: 1 }, abc: { calls: 1, errors: 0, time_ns: 2 }, 0: { calls: 3, errors: 0, time_ns: 3 } }
    const m = aggregateByCategory('x86_64', perNr)
    expect(m.get('other')).toEqual({ calls: 5, errors: 4, time_ns: 3 })
    expect(sum(m)).toEqual({ calls: 8, errors: 4, time_ns: 6 })
  })

  it('give zeros for no input', () => {
    for (const arch of ['x86_64', 'aarch64'] as Arch[]) expect(sum(aggregateByCategory(arch, new Map()))).toEqual({ calls: 0, errors: 0, time_ns: 0 })
  })
})
