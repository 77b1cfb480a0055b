// The setup scripts, for real: against a temporary --root, and on this machine (CI runs as root).
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { projectRoot } from '../../src/main/paths'

const SCRIPT = join(projectRoot(), 'setup', 'syscope-setup.sh')
const HELPER = join(projectRoot(), 'build', 'helper', 'syscope-helper')
let root: string

/** the file's capabilities as a sorted list, effective+permitted required */
function caps(path: string): string[] {
  const out = execFileSync('getcap', [path], { encoding: 'utf8' }).trim()
  const m = out.match(/ (\S+)=ep$/)
  return m ? m[1]!.split(',').sort() : [`unexpected: ${out}`]
}

function setup(args: string[]) {
  return spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8' })
}

/** Every path under dir with its mode and owner: what "as found" means. */
function snapshot(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      const s = statSync(p)
      out.push(`${relative(dir, p)} ${s.mode.toString(8)} ${s.uid}:${s.gid} ${e.isFile() ? readFileSync(p).length : ''}`)
      if (e.isDirectory()) walk(p)
    }
  }
  walk(dir)
  return out.sort()
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'syscope-root-'))
  mkdirSync(join(root, 'etc'), { recursive: true })
  mkdirSync(join(root, 'var', 'lib'), { recursive: true })
  mkdirSync(join(root, 'usr', 'local'), { recursive: true })
  for (const f of ['passwd', 'group', 'shadow', 'gshadow']) if (existsSync(`/etc/${f}`)) copyFileSync(`/etc/${f}`, join(root, 'etc', f))
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('syscope-setup.sh against a temporary root', () => {
  it('is shellcheck clean, as are the other scripts', () => {
    const scripts = ['setup/syscope-setup.sh', 'setup/setup_tracefs_permissions.sh', 'scripts/setup.sh', '.ci/run', 'test/helper-c/run-c-tests.sh']
    const r = spawnSync('shellcheck', scripts, { cwd: projectRoot(), encoding: 'utf8' })
    expect(r.stdout + r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it('installs the helper with exactly cap_bpf,cap_perfmon, idempotently, and uninstalls to what was there', () => {
    const before = snapshot(root)
    const r = setup(['--root', root, 'install-helper', '--from', HELPER])
    expect(r.status, r.stderr).toBe(0)
    const dest = join(root, 'usr/local/libexec/syscope/syscope-helper')
    expect(caps(dest)).toEqual(['cap_bpf', 'cap_perfmon'])
    expect(statSync(dest).mode & 0o7777).toBe(0o755)
    expect(statSync(dest).uid).toBe(0)
    const once = snapshot(root)
    const manifest = readFileSync(join(root, 'var/lib/syscope/setup-manifest'), 'utf8')
    expect(setup(['--root', root, 'install-helper', '--from', HELPER]).status).toBe(0)
    expect(snapshot(root)).toEqual(once)
    expect(readFileSync(join(root, 'var/lib/syscope/setup-manifest'), 'utf8')).toBe(manifest)
    const u = setup(['--root', root, '--uninstall'])
    expect(u.status, u.stderr).toBe(0)
    expect(snapshot(root)).toEqual(before)
  })

  it('adds cap_dac_read_search only for the tracefs fallback, for group tracing only', () => {
    expect(setup(['--root', root, 'install-tracefs']).status).toBe(0)
    expect(setup(['--root', root, 'install-helper', '--from', HELPER, '--tracefs-fallback']).status).toBe(0)
    const dest = join(root, 'usr/local/libexec/syscope/syscope-helper')
    expect(caps(dest)).toEqual(['cap_bpf', 'cap_dac_read_search', 'cap_perfmon'])
    const gid = Number(readFileSync(join(root, 'etc/group'), 'utf8').match(/^tracing:x:(\d+):/m)![1])
    expect(statSync(dest).gid).toBe(gid)
    expect(statSync(dest).mode & 0o7777).toBe(0o750)
  })

  it('sets up the tracefs group, unit and rule, and removes them again', () => {
    const before = snapshot(root)
    const r = setup(['--root', root, 'install-tracefs', '--user', 'nobody'])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/systemd is not running here/)
    expect(readFileSync(join(root, 'etc/group'), 'utf8')).toMatch(/^tracing:x:\d+:nobody$/m)
    expect(existsSync(join(root, 'etc/systemd/system/tracefs-permissions.service'))).toBe(true)
    expect(existsSync(join(root, 'etc/udev/rules.d/99-tracefs.rules'))).toBe(true)
    expect(setup(['--root', root, '--uninstall']).status).toBe(0)
    expect(readFileSync(join(root, 'etc/group'), 'utf8')).not.toMatch(/^tracing:/m)
    expect(snapshot(root).filter((l) => !/^etc\/(group|gshadow)(-| )/.test(l))).toEqual(before.filter((l) => !/^etc\/(group|gshadow)(-| )/.test(l)))
  })

  it('--dry-run prints every command and changes nothing', () => {
    const before = snapshot(root)
    const r = setup(['--root', root, '--dry-run', 'install-helper', '--from', HELPER])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^\+ install -m 0755 -o root -g root .*syscope-helper .*\/usr\/local\/libexec\/syscope\/\.syscope-helper\.X+$/m)
    expect(r.stdout).toMatch(/^\+ mv -fT -- .*\/\.syscope-helper\.X+ .*\/usr\/local\/libexec\/syscope\/syscope-helper$/m)
    expect(r.stdout).toMatch(/^\+ setcap cap_bpf,cap_perfmon=ep /m)
    expect(snapshot(root)).toEqual(before)
  })

  it('refuses kptr_restrict=0, and records a justified sysctl with its reason', () => {
    const r = setup(['--root', root, 'set-sysctl', 'kernel.kptr_restrict', '0', '--reason', 'the seed said so'])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/refusing kernel.kptr_restrict=0/)
    expect(setup(['--root', root, 'set-sysctl', 'kernel.perf_event_paranoid', '2']).stderr).toMatch(/needs --reason/)
    const ok = setup(['--root', root, 'set-sysctl', 'kernel.perf_event_paranoid', '2', '--reason', 'measured: needed here'])
    expect(ok.status, ok.stderr).toBe(0)
    expect(readFileSync(join(root, 'etc/sysctl.d/60-syscope.conf'), 'utf8')).toBe('# measured: needed here\nkernel.perf_event_paranoid = 2\n')
    expect(setup(['--root', root, '--uninstall']).status).toBe(0)
    expect(existsSync(join(root, 'etc/sysctl.d/60-syscope.conf'))).toBe(false)
  })

  it('rejects bad usage with a clear message', () => {
    expect(setup(['install-helper']).stderr).toMatch(/needs --from PATH/)
    expect(setup(['frob']).status).toBe(2)
    expect(setup(['--root', root, 'install-helper', '--from', '/nonexistent']).stderr).toMatch(/is not an executable file/)
  })
})

describe('syscope-setup.sh on this machine', () => {
  const dest = '/usr/local/libexec/syscope/syscope-helper'
  const hadLibexec = existsSync('/usr/local/libexec')
  afterAll(() => {
    if (existsSync('/var/lib/syscope/setup-manifest')) setup(['--uninstall'])
  })

  it('installs for real, and uninstall leaves the system as found', () => {
    expect(existsSync(dest)).toBe(false)
    const before = existsSync('/usr/local/libexec') ? snapshot('/usr/local/libexec') : []
    const r = setup(['install-helper', '--from', HELPER])
    expect(r.status, r.stderr).toBe(0)
    expect(caps(dest)).toEqual(['cap_bpf', 'cap_perfmon'])
    const status = JSON.parse(setup(['status', '--json']).stdout)
    expect(status).toMatchObject({ helper_installed: true, helper_caps: expect.stringMatching(/=ep$/) })
    expect(setup(['--uninstall']).status).toBe(0)
    expect(existsSync(dest)).toBe(false)
    expect(existsSync('/var/lib/syscope')).toBe(false)
    expect(existsSync('/usr/local/libexec')).toBe(hadLibexec)
    if (hadLibexec) expect(snapshot('/usr/local/libexec')).toEqual(before)
  })
})
