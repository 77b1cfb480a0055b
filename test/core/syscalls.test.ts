import { describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { CATEGORY_OF } from '../../src/shared/syscalls/categories'
import { SYSCALLS_AARCH64, SYSCALLS_X86_64 } from '../../src/shared/syscalls/table.generated'
import { aggregateByCategory, categoryOf, syscallName } from '../../src/shared/syscalls/index'

describe('syscall tables', () => {
  it('name the numbers the kernel ABI fixes', () => {
    const x86: [number, string][] = [
      [0, 'read'],
      [1, 'write'],
      [39, 'getpid'],
      [59, 'execve'],
      [60, 'exit'],
      [110, 'getppid'],
      [231, 'exit_group'],
      [232, 'epoll_wait'],
      [318, 'getrandom'],
      [435, 'clone3']
    ]
    for (const [nr, name] of x86) expect(syscallName('x86_64', nr)).toBe(name)
    const arm: [number, string][] = [
      [63, 'read'],
      [64, 'write'],
      [172, 'getpid'],
      [173, 'getppid'],
      [221, 'execve'],
      [93, 'exit'],
      [94, 'exit_group'],
      [278, 'getrandom'],
      [22, 'epoll_pwait'],
      [25, 'fcntl'],
      [79, 'newfstatat'],
      [80, 'fstat'],
      [435, 'clone3']
    ]
    for (const [nr, name] of arm) expect(syscallName('aarch64', nr)).toBe(name)
    expect(syscallName('x86_64', 999)).toBe('sys_999')
  })

  it('assign every syscall of both architectures to a category on purpose', () => {
    const names = new Set([...Object.values(SYSCALLS_X86_64), ...Object.values(SYSCALLS_AARCH64)])
    const missing = [...names].filter((n) => !CATEGORY_OF.has(n))
    expect(missing).toEqual([])
    const stale = [...CATEGORY_OF.keys()].filter((n) => !names.has(n))
    expect(stale).toEqual([])
  })

  it('do better than the seed on the classic misfilings', () => {
    expect(categoryOf('x86_64', 232)).toBe('file_io') // epoll_wait is fd readiness, not time
    expect(categoryOf('x86_64', 318)).toBe('security') // getrandom feeds crypto, it is not memory
    expect(categoryOf('x86_64', 202)).toBe('ipc') // futex is synchronisation
    expect(categoryOf('aarch64', 173)).toBe('process')
    expect(categoryOf('x86_64', 41)).toBe('network')
    expect(categoryOf('x86_64', 9)).toBe('memory')
    expect(categoryOf('x86_64', 62)).toBe('signal')
    expect(categoryOf('x86_64', 228)).toBe('time')
  })

  it('aggregate per-syscall counts by category', () => {
    const m = aggregateByCategory(
      'x86_64',
      new Map([
        [0, { calls: 5, errors: 1, time_ns: 10 }],
        [1, { calls: 2, errors: 0, time_ns: 5 }],
        [41, { calls: 3, errors: 3, time_ns: 7 }]
      ])
    )
    expect(m.get('file_io')).toEqual({ calls: 7, errors: 1, time_ns: 15 })
    expect(m.get('network')).toEqual({ calls: 3, errors: 3, time_ns: 7 })
  })

  it.runIf(existsSync('/usr/include/x86_64-linux-gnu/asm/unistd_64.h'))('match a fresh run of the generator over the UAPI headers', () => {
    const out = execFileSync('node', ['scripts/gen-syscall-table.mjs', '--check'], { encoding: 'utf8' })
    expect(out).toMatch(/up to date/)
  })
})
