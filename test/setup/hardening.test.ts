// The privilege boundary of the setup scripts (they run as root through pkexec): each test
// reproduces one way the old scripts could be turned against the system, on a throwaway --root
// image, and checks the image is left byte for byte as it was.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { projectRoot } from '../../src/main/paths'

const SCRIPT = join(projectRoot(), 'setup', 'syscope-setup.sh')
const TRACEFS_SCRIPT = join(projectRoot(), 'setup', 'setup_tracefs_permissions.sh')
const HELPER = join(projectRoot(), 'build', 'helper', 'syscope-helper')
const NOBODY = 65534
let scratch: string
let root: string

function setup(args: string[]) {
  return spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8' })
}

/** Every path under dir: type, mode, owner and content hash (or link target). */
function image(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      const s = lstatSync(p)
      const what = e.isSymbolicLink() ? `-> ${readlinkSync(p)}` : e.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : ''
      out.push(`${relative(dir, p)} ${s.mode.toString(8)} ${s.uid}:${s.gid} ${what}`)
      if (e.isDirectory()) walk(p)
    }
  }
  walk(dir)
  return out.sort()
}

/** getcap's word for a file: empty when it has no capabilities */
function capsOf(path: string): string {
  return execFileSync('getcap', [path], { encoding: 'utf8' }).trim()
}

function makeRoot(dir: string): void {
  mkdirSync(join(dir, 'etc'), { recursive: true })
  mkdirSync(join(dir, 'var', 'lib'), { recursive: true })
  mkdirSync(join(dir, 'usr', 'local'), { recursive: true })
  for (const f of ['passwd', 'group', 'shadow', 'gshadow']) if (existsSync(`/etc/${f}`)) copyFileSync(`/etc/${f}`, join(dir, 'etc', f))
}

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'syscope-hardening-'))
  root = join(scratch, 'root')
  mkdirSync(root, { mode: 0o755 })
  makeRoot(root)
})
afterEach(() => rmSync(scratch, { recursive: true, force: true }))

describe('setup never overwrites or removes what it did not install', () => {
  it('leaves an administrator’s udev rule alone on install and on uninstall', () => {
    const rules = join(root, 'etc/udev/rules.d')
    mkdirSync(rules, { recursive: true })
    const mine = '# the administrator’s own rule\nACTION=="add", RUN+="/bin/true"\n'
    writeFileSync(join(rules, '99-tracefs.rules'), mine)
    const before = image(root)
    const r = setup(['--root', root, 'install-tracefs'])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/99-tracefs.rules exists and was not installed by syscope's setup: refusing to overwrite it/)
    expect(readFileSync(join(rules, '99-tracefs.rules'), 'utf8')).toBe(mine)
    // the failed run rolled back its group; nothing of the run is left in the image
    expect(readFileSync(join(root, 'etc/group'), 'utf8')).not.toMatch(/^tracing:/m)
    expect(setup(['--root', root, '--uninstall']).status).toBe(0)
    expect(readFileSync(join(rules, '99-tracefs.rules'), 'utf8')).toBe(mine)
    expect(image(root).filter((l) => !/^etc\/(group|gshadow)-? /.test(l))).toEqual(before.filter((l) => !/^etc\/(group|gshadow)-? /.test(l)))
  })

  it('keeps a file setup installed but someone changed afterwards', () => {
    expect(setup(['--root', root, 'install-helper', '--from', HELPER]).status).toBe(0)
    const dest = join(root, 'usr/local/libexec/syscope/syscope-helper')
    writeFileSync(dest, '#!/bin/sh\necho replaced by the administrator\n')
    const again = setup(['--root', root, 'install-helper', '--from', HELPER])
    expect(again.status).toBe(1)
    expect(again.stderr).toMatch(/syscope-helper changed since syscope's setup installed it: refusing to overwrite it/)
    const u = setup(['--root', root, '--uninstall'])
    expect(u.status, u.stderr).toBe(0)
    expect(u.stdout).toMatch(/changed since setup installed it: left in place/)
    expect(readFileSync(dest, 'utf8')).toMatch(/replaced by the administrator/)
  })

  it('records only what it created: a refused install leaves no manifest entry', () => {
    mkdirSync(join(root, 'usr/local/libexec/syscope'), { recursive: true })
    writeFileSync(join(root, 'usr/local/libexec/syscope/syscope-helper'), 'not ours\n', { mode: 0o755 })
    const r = setup(['--root', root, 'install-helper', '--from', HELPER])
    expect(r.status).toBe(1)
    expect(readFileSync(join(root, 'usr/local/libexec/syscope/syscope-helper'), 'utf8')).toBe('not ours\n')
    expect(capsOf(join(root, 'usr/local/libexec/syscope/syscope-helper'))).toBe('')
    const m = join(root, 'var/lib/syscope/setup-manifest')
    expect(existsSync(m) ? readFileSync(m, 'utf8') : '').not.toMatch(/syscope-helper/)
  })
})

describe('a failed step rolls back the whole run', () => {
  it('leaves no group, file, manifest or directory behind', () => {
    const keep = (l: string[]): string[] => l.filter((x) => !/^etc\/(group|gshadow)- /.test(x))
    const before = image(root)
    const r = setup(['--root', root, 'install-tracefs', '--user', 'no-such-user-here'])
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(/a step failed: undoing what this run did/)
    expect(keep(image(root))).toEqual(keep(before))
  })
})

describe('setup installs only where no other user can swap the file', () => {
  it('refuses a target directory another user owns', () => {
    const dir = join(root, 'usr/local/libexec/syscope')
    mkdirSync(dir, { recursive: true })
    chownSync(dir, NOBODY, NOBODY)
    const before = image(root)
    const r = setup(['--root', root, 'install-helper', '--from', HELPER])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/libexec\/syscope is owned by uid 65534, not root: another user could swap/)
    expect(image(root)).toEqual(before)
  })

  it('refuses a group- or world-writable directory on the way', () => {
    mkdirSync(join(root, 'usr/local/libexec'), { recursive: true, mode: 0o777 })
    execFileSync('chmod', ['0777', join(root, 'usr/local/libexec')])
    const before = image(root)
    const r = setup(['--root', root, 'install-helper', '--from', HELPER])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/usr\/local\/libexec is writable by group or others \(mode 777\)/)
    expect(image(root)).toEqual(before)
  })

  it('gives capabilities only to a verified copy renamed into place, and leaves no temporary file', () => {
    const r = setup(['--root', root, 'install-helper', '--from', HELPER])
    expect(r.status, r.stderr).toBe(0)
    const dir = join(root, 'usr/local/libexec/syscope')
    expect(readdirSync(dir)).toEqual(['syscope-helper'])
    expect(readFileSync(join(dir, 'syscope-helper')).equals(readFileSync(HELPER))).toBe(true)
    expect(capsOf(join(dir, 'syscope-helper'))).toMatch(/ cap_(bpf|perfmon),cap_(perfmon|bpf)=ep$/)
  })
})

describe('cap_dac_read_search only for group tracing', () => {
  it('refuses --tracefs-fallback before the group exists instead of installing it for everyone', () => {
    const before = image(root)
    const r = setup(['--root', root, 'install-helper', '--from', HELPER, '--tracefs-fallback'])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/there is no such group: run install-tracefs first/)
    expect(image(root)).toEqual(before)
  })
})

describe('--root never follows a symbolic link out of the image', () => {
  it('refuses a link on the install path', () => {
    const outside = join(scratch, 'outside')
    mkdirSync(outside)
    rmSync(join(root, 'usr/local'), { recursive: true })
    symlinkSync(outside, join(root, 'usr/local'))
    const r = setup(['--root', root, 'install-helper', '--from', HELPER])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/usr\/local is a symbolic link: setup follows no symbolic link/)
    expect(readdirSync(outside)).toEqual([])
  })

  it('refuses a link where the manifest or a tracefs file would go', () => {
    const outside = join(scratch, 'outside')
    mkdirSync(outside)
    rmSync(join(root, 'var/lib'), { recursive: true })
    symlinkSync(outside, join(root, 'var/lib'))
    expect(setup(['--root', root, 'install-helper', '--from', HELPER]).status).toBe(1)
    expect(readdirSync(outside)).toEqual([])
    rmSync(join(root, 'var/lib'))
    mkdirSync(join(root, 'var/lib'))
    mkdirSync(join(root, 'etc/udev'))
    symlinkSync(outside, join(root, 'etc/udev/rules.d'))
    const r = setup(['--root', root, 'install-tracefs'])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/rules.d is a symbolic link/)
    expect(readdirSync(outside)).toEqual([])
  })
})

describe('set-sysctl only ever makes a setting stricter', () => {
  const refused: [string, string][] = [
    ['kernel.kptr_restrict', '0'],
    ['kernel.kptr_restrict', '00'],
    ['kernel.kptr_restrict', '-0'],
    ['kernel.kptr_restrict', '+1'],
    ['kernel.kptr_restrict', ' 1'],
    ['kernel.kptr_restrict', '1 '],
    ['kernel.kptr_restrict', '0x1'],
    ['kernel.unprivileged_bpf_disabled', '0'],
    ['kernel.perf_event_paranoid', '-1'],
    ['kernel.perf_event_paranoid', '1'],
    ['kernel.randomize_va_space', '0'],
    ['kernel.randomize_va_space', '2'],
    ['net.core.bpf_jit_enable', '0'],
    ['net.core.bpf_jit_enable', '2'],
    ['vm.overcommit_memory', '1']
  ]
  it.each(refused)('refuses %s %j', (name, value) => {
    const before = image(root)
    const r = setup(['--root', root, 'set-sysctl', name, value, '--reason', 'test'])
    expect(r.status).not.toBe(0)
    expect(r.stderr).toMatch(/refusing|not a plain decimal number/)
    expect(image(root)).toEqual(before)
  })

  it('accepts a stricter value in a file of its own and restores the directory exactly', () => {
    const d = join(root, 'etc/sysctl.d')
    mkdirSync(d)
    writeFileSync(join(d, '99-sysctl.conf'), 'kernel.sysrq = 0\n')
    const before = image(root)
    const r = setup(['--root', root, 'set-sysctl', 'kernel.kptr_restrict', '2', '--reason', 'hide kernel addresses'])
    expect(r.status, r.stderr).toBe(0)
    // the same setting again replaces its line instead of adding a second one (2: the strictest,
    // so whatever the running kernel has, never refused as weaker)
    expect(setup(['--root', root, 'set-sysctl', 'kernel.kptr_restrict', '2', '--reason', 'again']).status).toBe(0)
    expect(readFileSync(join(d, '60-syscope.conf'), 'utf8')).toBe('# again\nkernel.kptr_restrict = 2\n')
    expect(setup(['--root', root, '--uninstall']).status).toBe(0)
    expect(image(root)).toEqual(before)
  })

  it('never appends to an administrator’s 60-syscope.conf, and uninstall keeps it byte for byte', () => {
    const d = join(root, 'etc/sysctl.d')
    mkdirSync(d)
    const admin = '# mine\nkernel.kptr_restrict = 2\n'
    writeFileSync(join(d, '60-syscope.conf'), admin)
    const before = image(root)
    const r = setup(['--root', root, 'set-sysctl', 'kernel.kptr_restrict', '2', '--reason', 'test'])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/60-syscope.conf exists and was not written by syscope's setup: refusing to overwrite it/)
    expect(setup(['--root', root, '--uninstall']).status).toBe(0)
    expect(readFileSync(join(d, '60-syscope.conf'), 'utf8')).toBe(admin)
    expect(image(root)).toEqual(before)
  })
})

describe('status --json', () => {
  it('is valid JSON with the right capabilities for a path with a space, a quote and a backslash', () => {
    const odd = join(scratch, 'an "odd" \\ root')
    mkdirSync(odd, { mode: 0o755 })
    makeRoot(odd)
    const r = setup(['--root', odd, 'install-helper', '--from', HELPER])
    expect(r.status, r.stderr).toBe(0)
    const s = setup(['--root', odd, 'status', '--json'])
    expect(s.status).toBe(0)
    const status = JSON.parse(s.stdout)
    expect(status.helper_installed).toBe(true)
    expect(status.helper_path).toBe(join(odd, 'usr/local/libexec/syscope/syscope-helper'))
    expect(status.helper_caps).toMatch(/^cap_(bpf|perfmon),cap_(perfmon|bpf)=ep$/)
    expect(setup(['--root', odd, '--uninstall']).status).toBe(0)
  })
})

describe('every script answers --help, honours --dry-run and refuses an unknown argument', () => {
  /** a tracefs look-alike with the files the fallback opens, and the group in the image */
  function fakeTracefs(): void {
    writeFileSync(join(root, 'etc/group'), readFileSync(join(root, 'etc/group'), 'utf8') + 'tracing:x:4242:\n')
    for (const t of ['raw_syscalls/sys_enter', 'raw_syscalls/sys_exit', 'sched/sched_process_exec']) {
      const d = join(root, 'sys/kernel/tracing/events', t)
      mkdirSync(d, { recursive: true, mode: 0o700 })
      writeFileSync(join(d, 'id'), '1\n', { mode: 0o600 })
      writeFileSync(join(d, 'format'), 'name\n', { mode: 0o600 })
    }
  }

  it('setup_tracefs_permissions.sh: --help, exit 2 on an unknown argument', () => {
    const h = spawnSync('sh', [TRACEFS_SCRIPT, '--help'], { encoding: 'utf8' })
    expect(h.status).toBe(0)
    expect(h.stdout).toMatch(/--dry-run +print every command/)
    const u = spawnSync('sh', [TRACEFS_SCRIPT, '--bogus'], { encoding: 'utf8' })
    expect(u.status).toBe(2)
    expect(u.stderr).toMatch(/unknown argument '--bogus'/)
  })

  it('setup_tracefs_permissions.sh --dry-run prints each change and makes none, with the group present', () => {
    fakeTracefs()
    const before = image(root)
    const r = spawnSync('sh', [TRACEFS_SCRIPT, '--root', root, '--dry-run'], { encoding: 'utf8' })
    expect(r.status, r.stderr).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines.every((l) => l.startsWith('+ '))).toBe(true)
    expect(lines).toContain(`+ chgrp 4242 ${root}/sys/kernel/tracing ${root}/sys/kernel/tracing/events`)
    expect(lines).toContain(
      `+ chmod g+r ${root}/sys/kernel/tracing/events/raw_syscalls/sys_enter/id ${root}/sys/kernel/tracing/events/raw_syscalls/sys_enter/format`
    )
    expect(image(root)).toEqual(before)
    // and for real, the same commands change exactly those files
    expect(spawnSync('sh', [TRACEFS_SCRIPT, '--root', root]).status).toBe(0)
    const id = lstatSync(join(root, 'sys/kernel/tracing/events/raw_syscalls/sys_enter/id'))
    expect([id.gid, id.mode & 0o777]).toEqual([4242, 0o640])
  })

  it('syscope-setup.sh: --help after a command, exit 2 on an unknown argument', () => {
    for (const cmd of [['install-helper'], ['install-tracefs'], ['set-sysctl'], ['status'], []]) {
      const h = setup([...cmd, '--help'])
      expect(h.status, cmd.join(' ')).toBe(0)
      expect(h.stdout).toMatch(/Exit codes: 0 done/)
    }
    for (const args of [
      ['--frob'],
      ['install-helper', '--frob'],
      ['install-tracefs', '--frob'],
      ['status', '--frob'],
      ['set-sysctl', 'kernel.kptr_restrict', '2', '--frob']
    ]) {
      expect(setup(['--root', root, ...args]).status, args.join(' ')).toBe(2)
    }
  })

  it('syscope-setup.sh --dry-run of each command changes nothing in the image', () => {
    const before = image(root)
    const t = setup(['--root', root, '--dry-run', 'install-tracefs', '--user', 'nobody'])
    expect(t.status, t.stderr).toBe(0)
    expect(t.stdout).toMatch(/^\+ groupadd --prefix .* --system tracing$/m)
    expect(t.stdout).toMatch(/^\+ mv -fT -- .*\/\.99-tracefs\.rules\.X+ .*\/etc\/udev\/rules\.d\/99-tracefs\.rules$/m)
    const s = setup(['--root', root, '--dry-run', 'set-sysctl', 'kernel.kptr_restrict', '2', '--reason', 'why'])
    expect(s.status, s.stderr).toBe(0)
    expect(s.stdout).toMatch(/^\+ write .*60-syscope\.conf: # why \/ kernel\.kptr_restrict = 2$/m)
    expect(image(root)).toEqual(before)
  })
})

describe('set-sysctl on this machine', () => {
  // net.core.bpf_jit_enable=1 is what this machine already has: the live path (a file in
  // /etc/sysctl.d, sysctl -w, and the restore on uninstall) runs for real without changing the
  // kernel's behaviour
  const JIT = '/proc/sys/net/core/bpf_jit_enable'
  const CONF = '/etc/sysctl.d/60-syscope.conf'
  afterEach(() => {
    if (existsSync('/var/lib/syscope/setup-manifest')) setup(['--uninstall'])
  })

  it('writes its own file, applies it, and uninstall leaves /etc/sysctl.d byte for byte', () => {
    expect(readFileSync(JIT, 'utf8').trim(), 'this test needs the BPF JIT on already').toBe('1')
    expect(existsSync(CONF)).toBe(false)
    expect(existsSync('/var/lib/syscope')).toBe(false)
    const before = image('/etc/sysctl.d')
    const r = setup(['set-sysctl', 'net.core.bpf_jit_enable', '1', '--reason', 'syscall counting at JIT speed'])
    expect(r.status, r.stderr).toBe(0)
    expect(readFileSync(CONF, 'utf8')).toBe('# syscall counting at JIT speed\nnet.core.bpf_jit_enable = 1\n')
    expect(readFileSync('/var/lib/syscope/setup-manifest', 'utf8')).toMatch(/^sysctl\tnet\.core\.bpf_jit_enable\t1$/m)
    expect(setup(['--uninstall']).status).toBe(0)
    expect(image('/etc/sysctl.d')).toEqual(before)
    expect(readFileSync(JIT, 'utf8').trim()).toBe('1')
    expect(existsSync('/var/lib/syscope')).toBe(false)
  })
})
