// The setup checklist, built from the helper's own --diagnose: each item's status, why it
// matters, and what exactly the fix would change.
import type { SetupCheck } from '../../shared/contract'
import { SLOW_LOAD_MS, countsOnlyDetailProbe, detailProbe, type DoctorReport } from '../doctor'

interface Diag {
  kernel?: { release?: string; memcg_accounts_bpf?: boolean }
  btf?: { present?: boolean }
  bpf_syscall?: boolean
  helper?: { path?: string; file_caps?: string | null; nosuid_mount?: boolean }
  attach_modes?: Record<string, { ok?: boolean; error?: string }>
  tracefs?: { mounted?: boolean; readable?: boolean }
  sysctl?: Record<string, number | null>
  lockdown?: string | null
  memlock_bytes?: number | null
  caps_after_attach?: 'dropped' | 'cap_bpf_on_demand' | null
  build?: string
}

export function buildChecks(
  r: DoctorReport,
  where: { installedPath: string; sourcePath: string | null; appBuild: string | null; groups: string[] }
): SetupCheck[] {
  const d = (r.diagnose ?? {}) as Diag
  const checks: SetupCheck[] = []
  const add = (c: SetupCheck): void => void checks.push(c)
  const release = d.kernel?.release ?? 'unknown'
  const [maj = 0, min = 0] = release.split('.').map((x) => parseInt(x, 10))
  add({
    id: 'kernel',
    label: 'Kernel version',
    status: maj > 5 || (maj === 5 && min >= 8) ? 'ok' : 'warn',
    detail: release,
    why: 'BTF-typed tracepoints need 5.5+, task storage 5.11+; older kernels fall back to slower modes.',
    change: null
  })
  add({
    id: 'btf',
    label: 'Kernel BTF',
    status: d.btf?.present ? 'ok' : 'fail',
    detail: d.btf?.present ? '/sys/kernel/btf/vmlinux is present' : '/sys/kernel/btf/vmlinux is missing',
    why: 'The helper is compiled once (CO-RE) and adapts to this kernel using its type information.',
    change: d.btf?.present ? null : 'Use a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distributions since 2020 are).'
  })
  add({
    id: 'bpf',
    label: 'BPF system call',
    status: d.bpf_syscall === false ? 'fail' : 'ok',
    detail: d.bpf_syscall === false ? 'the kernel has no bpf() system call' : 'available',
    why: 'Loading the syscall counters needs bpf().',
    change: null
  })
  const installed = r.helper.path === where.installedPath
  const sameBuild = !installed || where.appBuild === null || r.helper.build === where.appBuild
  add({
    id: 'helper-installed',
    label: 'Helper installed',
    status: !installed ? 'fail' : sameBuild ? 'ok' : 'warn',
    detail: !installed
      ? `not installed; would copy ${where.sourcePath ?? '(not built)'}`
      : sameBuild
        ? `${where.installedPath} (build ${r.helper.build ?? '?'}, same as this app)`
        : `${where.installedPath} is build ${r.helper.build ?? '?'}, this app's helper is build ${where.appBuild}`,
    why: 'File capabilities only work on a root-owned file on a normal mount — not in your home directory or an AppImage. The installed helper must be the build this app speaks to.',
    change: !installed ? `Copy the helper to ${where.installedPath}, owned by root.` : sameBuild ? null : 'Replace the installed helper with this app’s build.'
  })
  const caps = d.helper?.file_caps ?? null
  const capsOk = !!caps && /cap_bpf/.test(caps) && /cap_perfmon/.test(caps) && /=e?p|=ep/.test(caps)
  add({
    id: 'file-caps',
    label: 'Helper capabilities',
    status: capsOk ? 'ok' : r.ready ? 'info' : 'fail',
    detail: caps ?? 'none',
    why: 'cap_bpf and cap_perfmon let the helper load its tracepoint programs without root; it drops them right after attaching.',
    change: capsOk ? null : 'setcap cap_bpf,cap_perfmon=ep on the installed helper (nothing else).'
  })
  const nosuid = d.helper?.nosuid_mount === true
  add({
    id: 'nosuid',
    label: 'Helper mount',
    status: nosuid ? 'fail' : 'ok',
    detail: nosuid ? `${d.helper?.path} is on a nosuid mount: capabilities on it are silently ignored` : 'capabilities are honoured where the helper is',
    why: 'A nosuid mount (often /home, /tmp, or an AppImage) silently ignores file capabilities.',
    change: nosuid ? `Install to ${where.installedPath}.` : null
  })
  const tracefsNeeded = r.mode === 'tracepoint'
  add({
    id: 'tracefs',
    label: 'tracefs access',
    status: !tracefsNeeded ? 'info' : d.tracefs?.readable ? 'ok' : 'fail',
    detail: tracefsNeeded ? (d.tracefs?.readable ? 'readable' : 'not readable by you') : 'not needed: this kernel supports BTF tracepoints',
    why: 'Only the classic-tracepoint fallback reads tracefs; syscope does not open it up unless that mode is the only one that works.',
    change: tracefsNeeded && !d.tracefs?.readable ? 'Let group "tracing" read the few tracefs files the fallback needs, at every boot.' : null
  })
  if (tracefsNeeded) {
    const member = where.groups.includes('tracing')
    add({
      id: 'tracing-group',
      label: 'Group "tracing"',
      status: member ? 'ok' : 'fail',
      detail: member ? 'you are a member' : 'you are not a member (yet: membership takes effect at your next login)',
      why: 'The tracefs files the fallback reads are opened to this group only.',
      change: member ? null : 'Add you to the group "tracing".'
    })
  }
  const paranoid = d.sysctl?.['kernel.perf_event_paranoid']
  add({
    id: 'perf_event_paranoid',
    label: 'perf_event_paranoid',
    status: 'info',
    detail: paranoid === null || paranoid === undefined ? 'unreadable' : String(paranoid),
    why: 'Hardened distributions set 3 or 4. The helper holds cap_perfmon, so it needs no change here — syscope never lowers it.',
    change: null
  })
  const kptr = d.sysctl?.['kernel.kptr_restrict']
  add({
    id: 'kptr_restrict',
    label: 'kptr_restrict',
    status: 'info',
    detail: kptr === null || kptr === undefined ? 'unreadable' : String(kptr),
    why: 'Some guides say to set it to 0. It is not needed: the helper reads no kernel addresses. syscope leaves it alone.',
    change: null
  })
  if (d.caps_after_attach) {
    const onDemand = d.caps_after_attach === 'cap_bpf_on_demand'
    add({
      id: 'caps_after_attach',
      label: 'Privileges while tracing',
      status: 'info',
      detail: onDemand ? 'cap_bpf, raised only while the helper updates its own maps' : 'none: every capability is dropped once attached',
      why: onDemand
        ? 'This kernel (before 5.19, with unprivileged_bpf_disabled set) refuses every bpf() call without cap_bpf, so the helper keeps that one, inactive between its own map updates. syscope does not lower unprivileged_bpf_disabled.'
        : 'Once its programs are attached the helper needs no capability: it holds the maps it uses.',
      change: null
    })
  }
  const lockdown = d.lockdown ?? 'none'
  add({
    id: 'lockdown',
    label: 'Kernel lockdown',
    status: lockdown === 'confidentiality' ? 'fail' : 'ok',
    detail: lockdown,
    why: 'Lockdown in confidentiality mode forbids BPF programs that read kernel memory.',
    change: lockdown === 'confidentiality' ? 'Boot with lockdown=integrity or none; syscope cannot change this.' : null
  })
  const detail = detailProbe(r)
  const counts = countsOnlyDetailProbe(r)
  // --counts-only --detail has programs of its own: said only where they fare worse
  const countsNote =
    counts && !counts.ok ? `; with --counts-only ${counts.stopped ? 'too slow to load: stopped' : `refused: ${counts.error ?? 'no reason given'}`}` : ''
  if (detail)
    add({
      id: 'detail',
      label: 'Files and network (--detail)',
      status: detail.ok && detail.load_ms < SLOW_LOAD_MS && !countsNote ? 'ok' : 'warn',
      detail:
        (detail.ok
          ? `loads in ${(detail.load_ms / 1000).toFixed(1)} s`
          : detail.stopped
            ? (detail.error ?? 'too slow to load: stopped')
            : `refused: ${detail.error ?? 'no reason given'}`) + countsNote,
      why: 'Its programs read kernel memory (files, sockets) and are the larger part: a kernel may refuse them alone, or take long to check them. Syscalls are counted either way.',
      change: null
    })
  if (d.kernel?.memcg_accounts_bpf === false) {
    const ml = d.memlock_bytes
    add({
      id: 'memlock',
      label: 'Locked-memory limit',
      status: ml === null || (ml ?? 0) >= 64 << 20 ? 'ok' : 'warn',
      detail: ml === null ? 'unlimited' : `${Math.round((ml ?? 0) / 1024)} KiB`,
      why: 'Kernels before 5.11 charge BPF maps to RLIMIT_MEMLOCK.',
      change: 'Raise the memlock limit for your user (limits.conf).'
    })
  }
  const mode = r.mode
  add({
    id: 'ready',
    label: 'Syscall tracing',
    status: r.ready ? 'ok' : 'fail',
    detail: r.ready ? `ready (${mode})` : (r.problems[0]?.message ?? 'not ready'),
    why: 'What all of the above adds up to, measured by loading the programs for real as you.',
    change: null
  })
  return checks
}
