// The guided eBPF setup: a checklist from the helper's own diagnosis, the exact commands that
// would fix what is missing, running them through one sudo prompt (pkexec), and undoing them.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import type { SetupCheck, SetupDiagnosis, SetupPlan, SetupResult } from '../../shared/contract'
import { doctorReport, forgetReadiness, type DoctorReport } from '../doctor'
import type { EbpfOptions } from '../session/ebpf'
import { INSTALLED_HELPER, buildTreeHelper } from '../helper/locate'
import { runElevated, shellQuote } from './elevate'
import { buildChecks } from './checks'
import { projectRoot } from '../paths'

export interface SetupService {
  diagnose(): Promise<SetupDiagnosis>
  plan(): Promise<SetupPlan>
  apply(): Promise<SetupResult>
  undo(): Promise<SetupResult>
}

export interface SetupOptions {
  ebpf?: EbpfOptions
  /** the setup script (default: setup/syscope-setup.sh of this build) */
  script?: string
  /** the helper binary to install (default: the build tree's) */
  helperSource?: string
  /** runs the joined command as root; default: @vscode/sudo-prompt (pkexec) */
  elevate?: (command: string) => Promise<{ stdout: string; stderr: string }>
}

/** The build id a helper binary reports (`--version`), or null. */
function helperBuild(path: string): string | null {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 5000 }).match(/\(build (\w+)\)/)?.[1] ?? null
  } catch {
    return null
  }
}

function userGroups(): string[] {
  try {
    return execFileSync('id', ['-Gn'], { encoding: 'utf8' }).trim().split(/\s+/)
  } catch {
    return []
  }
}

export function createSetup(opts: SetupOptions = {}): SetupService {
  const script = opts.script ?? join(projectRoot(), 'setup', 'syscope-setup.sh')
  const elevate = opts.elevate ?? runElevated
  // diagnosis of the helper the app would use once installed, as this user
  const installedOpts: EbpfOptions = { ...opts.ebpf, helperPath: opts.ebpf?.helperPath ?? INSTALLED_HELPER }

  async function report(): Promise<{ r: DoctorReport; source: string | null; appBuild: string | null }> {
    const source = opts.helperSource ?? buildTreeHelper()
    const r = existsSync(installedOpts.helperPath!) ? await doctorReport(installedOpts) : await doctorReport({ ...opts.ebpf, helperPath: source ?? undefined })
    return { r, source, appBuild: source ? helperBuild(source) : null }
  }

  /** installed, ready, and the same build as this app's helper */
  const current = (r: DoctorReport, appBuild: string | null): boolean =>
    r.ready && r.helper.path === INSTALLED_HELPER && (appBuild === null || r.helper.build === appBuild)

  async function diagnose(): Promise<SetupDiagnosis> {
    const { r, source, appBuild } = await report()
    const checks: SetupCheck[] = buildChecks(r, { installedPath: INSTALLED_HELPER, sourcePath: source, appBuild, groups: userGroups() })
    return { ready: current(r, appBuild), worksNow: r.ready, asRoot: process.getuid?.() === 0, checks }
  }

  async function steps(): Promise<SetupPlan['steps']> {
    const { r, source, appBuild } = await report()
    if (current(r, appBuild)) return []
    if (!source) throw Object.assign(new Error('there is no helper to install: build it first with `npm run setup`'), { code: 'ENOENT' })
    const needsTracefs = r.mode === 'tracepoint'
    const install = ['/bin/bash', script, 'install-helper', '--from', source, ...(needsTracefs ? ['--tracefs-fallback'] : [])]
    const s: SetupPlan['steps'] = []
    if (needsTracefs) {
      // first: the helper with cap_dac_read_search is installed for group "tracing" only, so
      // the group must exist before it. The account this process runs as, not $USER: the
      // environment could name someone else.
      const user = userInfo().username
      s.push({
        description: 'This kernel only supports the classic tracepoint mode: let the group "tracing" read the few tracefs files it needs, at every boot',
        command: ['/bin/bash', script, 'install-tracefs', ...(user ? ['--user', user] : [])]
      })
    }
    s.push({
      description: `Copy the helper to ${INSTALLED_HELPER} (root-owned, so its file capabilities are honoured) and give it cap_bpf,cap_perfmon${needsTracefs ? ',cap_dac_read_search (group "tracing" only)' : ''} and nothing else`,
      command: install
    })
    return s
  }

  async function run(commands: string[][], what: string): Promise<SetupResult> {
    const line = commands.map((c) => c.map(shellQuote).join(' ')).join(' && ')
    try {
      await elevate(line)
    } catch (e) {
      forgetReadiness()
      return { ok: false, message: `${what} did not complete: ${(e as Error).message}`, diagnosis: await diagnose() }
    }
    forgetReadiness()
    const diagnosis = await diagnose()
    return { ok: true, message: `${what} done`, diagnosis }
  }

  return {
    diagnose,
    plan: async () => ({ steps: await steps() }),
    async apply() {
      const s = await steps()
      if (s.length === 0) return { ok: true, message: 'nothing to do: eBPF is ready', diagnosis: await diagnose() }
      return run(
        s.map((x) => x.command),
        'setup'
      )
    },
    undo: () => run([['/bin/bash', script, '--uninstall']], 'undo')
  }
}
