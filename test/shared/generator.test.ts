// scripts/gen-syscall-table.mjs: the checked-in tables are current, agree with the C
// preprocessor on the real headers, and a run over fixture headers gives exactly the table
// those headers describe, in TypeScript and in C.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SYSCALLS_AARCH64, SYSCALLS_X86_64 } from '../../src/shared/syscalls/table.generated'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SCRIPT = join(ROOT, 'scripts/gen-syscall-table.mjs')
const FIXTURES = join(ROOT, 'test/shared/fixtures')
const X86_HEADER = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h'
const GENERIC_HEADER = '/usr/include/asm-generic/unistd.h'
const haveHeaders = existsSync(X86_HEADER) && existsSync(GENERIC_HEADER)

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0
}

function generator(args: string[]) {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

let tmp = ''
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'syscope-gen-'))
})
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

describe.runIf(haveHeaders)('the checked-in tables', () => {
  it('match a fresh run over the installed UAPI headers (--check)', () => {
    const r = generator(['--check'])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/up to date/)
  })

  // The generator evaluates the headers' conditionals itself; cpp is the reference.
  it.runIf(onPath('cpp'))('agree with the C preprocessor on both headers', () => {
    // asm/bitsperlong.h would bring the build machine's word size; aarch64's is given on the command line
    const inc = join(tmp, 'inc')
    mkdirSync(join(inc, 'asm'), { recursive: true })
    writeFileSync(join(inc, 'asm/bitsperlong.h'), '')
    const viaCpp = (header: string, defines: string[]): Map<number, string> => {
      const out = execFileSync('cpp', ['-dM', '-undef', '-nostdinc', `-I${inc}`, ...defines.map((d) => `-D${d}`), header], { encoding: 'utf8' })
      const macros = new Map([...out.matchAll(/^#define (__NR\w+) (.+)$/gm)].map((m) => [m[1] ?? '', (m[2] ?? '').trim()]))
      const value = (v: string): number => (/^\d+$/.test(v) ? Number(v) : value(macros.get(v) ?? 'NaN'))
      const table = new Map<number, string>()
      for (const [macro, body] of macros) {
        const name = macro.slice('__NR_'.length)
        if (macro.startsWith('__NR_') && name !== 'syscalls' && name !== 'arch_specific_syscall') table.set(value(body), name)
      }
      return table
    }
    const arm64 = [
      '__BITS_PER_LONG=64',
      '__ARCH_WANT_RENAMEAT',
      '__ARCH_WANT_NEW_STAT',
      '__ARCH_WANT_SET_GET_RLIMIT',
      '__ARCH_WANT_TIME32_SYSCALLS',
      '__ARCH_WANT_SYS_CLONE3',
      '__ARCH_WANT_MEMFD_SECRET'
    ]
    const cases: [Record<number, string>, Map<number, string>][] = [
      [SYSCALLS_X86_64, viaCpp(X86_HEADER, ['__x86_64__'])],
      [SYSCALLS_AARCH64, viaCpp(GENERIC_HEADER, arm64)]
    ]
    for (const [ours, reference] of cases) {
      expect(reference.size).toBeGreaterThan(300)
      // everything the header defines, under the same number
      for (const [nr, name] of reference) expect([nr, ours[nr]]).toEqual([nr, name])
      // anything more is a newer syscall, on a number and under a name the header does not use
      const headerNames = new Set(reference.values())
      const extra = Object.entries(ours).filter(([nr]) => !reference.has(Number(nr)))
      expect(extra.filter(([, name]) => headerNames.has(name))).toEqual([])
      expect(extra.map(([, name]) => name)).toEqual(expect.arrayContaining(['cachestat', 'mseal']))
    }
  })
})

describe('a run over fixture headers', () => {
  const fixtureArgs = ['--x86_64-header', join(FIXTURES, 'unistd_64.h'), '--generic-header', join(FIXTURES, 'generic-unistd.h')]
  const run = (name: string, extra: string[] = []) => {
    const ts = join(tmp, `${name}.ts`)
    const c = join(tmp, `${name}.h`)
    const r = generator([...fixtureArgs, '--out-ts', ts, '--out-c', c, ...extra])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    return { ts, c }
  }

  const X86: Record<number, string> = {
    0: 'read',
    1: 'write',
    2: 'open',
    3: 'close',
    39: 'getpid',
    59: 'execve',
    60: 'exit',
    110: 'getppid',
    231: 'exit_group',
    232: 'epoll_wait',
    318: 'getrandom',
    451: 'cachestat'
  }
  const ARM: Record<number, string> = {
    0: 'io_setup',
    22: 'epoll_pwait',
    25: 'fcntl',
    38: 'renameat',
    62: 'lseek',
    63: 'read',
    64: 'write',
    79: 'newfstatat',
    80: 'fstat',
    84: 'sync_file_range',
    93: 'exit',
    94: 'exit_group',
    113: 'clock_gettime',
    163: 'getrlimit',
    164: 'setrlimit',
    172: 'getpid',
    173: 'getppid',
    221: 'execve',
    224: 'swapon',
    226: 'mprotect',
    278: 'getrandom',
    435: 'clone3',
    447: 'memfd_secret',
    451: 'cachestat',
    453: 'something_newer'
  }

  it('gives exactly the tables the headers describe (--headers-only)', async () => {
    const { ts } = run('only', ['--headers-only'])
    const mod = (await import(ts)) as typeof import('../../src/shared/syscalls/table.generated')
    expect(mod.SYSCALLS_X86_64).toEqual(X86)
    expect(mod.SYSCALLS_AARCH64).toEqual(ARM)
    expect(mod.MAX_NR_X86_64).toBe(451)
    expect(mod.MAX_NR_AARCH64).toBe(453)
    const text = readFileSync(ts, 'utf8')
    expect(text.split('\n')[0]).toMatch(
      /^\/\/ Generated by `node scripts\/gen-syscall-table\.mjs --x86_64-header .*unistd_64\.h --generic-header .*generic-unistd\.h --headers-only`/
    )
  })

  it('adds the newer syscalls only where the header has neither the number nor the name', async () => {
    const { ts } = run('newer')
    const mod = (await import(ts)) as typeof import('../../src/shared/syscalls/table.generated')
    // the header's own entries are all kept
    expect(mod.SYSCALLS_X86_64).toMatchObject(X86)
    expect(mod.SYSCALLS_AARCH64).toMatchObject(ARM)
    expect(mod.SYSCALLS_X86_64[452]).toBe('fchmodat2')
    expect(mod.SYSCALLS_X86_64[335]).toBe('uretprobe')
    expect(mod.SYSCALLS_AARCH64[335]).toBeUndefined()
    // 453 is the fixture's own syscall on aarch64, so map_shadow_stack does not take it
    expect(mod.SYSCALLS_AARCH64[453]).toBe('something_newer')
    expect(Object.values(mod.SYSCALLS_AARCH64)).not.toContain('map_shadow_stack')
    expect(mod.SYSCALLS_X86_64[453]).toBe('map_shadow_stack')
  })

  it.runIf(onPath('cc'))('writes a C table that compiles cleanly and answers like the TypeScript one', () => {
    const { c } = run('ctable', ['--headers-only'])
    const prog = join(tmp, 'names.c')
    writeFileSync(
      prog,
      [
        '#include <stdio.h>',
        `#include "${c}"`,
        'int main(void)',
        '{',
        '\tstatic const struct { int arch; long nr; } q[] = {',
        '\t\t{ ARCH_X86_64, 0 }, { ARCH_X86_64, 231 }, { ARCH_X86_64, 4 }, { ARCH_X86_64, 451 }, { ARCH_X86_64, 452 },',
        '\t\t{ ARCH_X86_64, -1 }, { ARCH_AARCH64, 84 }, { ARCH_AARCH64, 221 }, { ARCH_AARCH64, 453 }, { ARCH_AARCH64, 454 },',
        '\t\t{ 7, 0 },',
        '\t};',
        '\tfor (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {',
        '\t\tconst char *name = syscall_name(q[i].arch, q[i].nr);',
        '\t\tprintf("%s\\n", name ? name : "(null)");',
        '\t}',
        '\tprintf("%d %d\\n", SYSCALL_NAMES_X86_64_LEN, SYSCALL_NAMES_AARCH64_LEN);',
        '\treturn 0;',
        '}',
        ''
      ].join('\n')
    )
    const exe = join(tmp, 'names')
    const cc = spawnSync('cc', ['-std=c11', '-Wall', '-Wextra', '-Wpedantic', '-Werror', prog, '-o', exe], { encoding: 'utf8' })
    expect(cc.stderr).toBe('')
    expect(cc.status).toBe(0)
    const out = execFileSync(exe, { encoding: 'utf8' }).trim().split('\n')
    expect(out).toEqual([
      'read',
      'exit_group',
      '(null)',
      'cachestat',
      '(null)',
      '(null)',
      'sync_file_range',
      'execve',
      'something_newer',
      '(null)',
      '(null)',
      '452 454'
    ])
  })

  it('writes the same bytes every time', () => {
    const a = run('det-a')
    const b = run('det-b')
    expect(readFileSync(b.ts, 'utf8')).toBe(readFileSync(a.ts, 'utf8'))
    expect(readFileSync(b.c, 'utf8')).toBe(readFileSync(a.c, 'utf8'))
  })

  it('--check passes on fresh output and fails, naming the file, on stale or missing output', () => {
    const { ts, c } = run('check')
    const check = (outTs: string, outC: string) => generator([...fixtureArgs, '--out-ts', outTs, '--out-c', outC, '--check'])
    expect(check(ts, c).status).toBe(0)
    writeFileSync(c, readFileSync(c, 'utf8').replace('"read"', '"reed"'))
    const stale = check(ts, c)
    expect(stale.status).toBe(1)
    expect(stale.stderr).toContain(c)
    expect(stale.stderr).not.toContain(ts)
    expect(stale.stderr).toMatch(/regenerate with: node scripts\/gen-syscall-table\.mjs --x86_64-header/)
    const missing = check(join(tmp, 'nonexistent.ts'), c)
    expect(missing.status).toBe(1)
    expect(missing.stderr).toContain('nonexistent.ts')
  })

  it('fails with a message for a header it cannot use', () => {
    const absent = generator(['--x86_64-header', join(tmp, 'absent.h'), '--out-ts', join(tmp, 'x.ts'), '--out-c', join(tmp, 'x.h')])
    expect(absent.status).toBe(2)
    expect(absent.stderr).toMatch(/^gen-syscall-table: .*absent\.h/)
    expect(existsSync(join(tmp, 'x.ts'))).toBe(false)

    const bad = join(tmp, 'bad.h')
    writeFileSync(bad, '#define __NR_read 0\n#ifdef X\n#define __NR_write 1\n')
    const unterminated = generator(['--x86_64-header', bad, '--out-ts', join(tmp, 'y.ts'), '--out-c', join(tmp, 'y.h')])
    expect(unterminated.status).toBe(2)
    expect(unterminated.stderr).toMatch(/unterminated #if/)

    const dup = join(tmp, 'dup.h')
    writeFileSync(dup, '#define __NR_read 0\n#define __NR_reed 0\n')
    const twice = generator(['--x86_64-header', dup, '--out-ts', join(tmp, 'z.ts'), '--out-c', join(tmp, 'z.h')])
    expect(twice.status).toBe(2)
    expect(twice.stderr).toMatch(/0 is both read and reed/)
  })
})
