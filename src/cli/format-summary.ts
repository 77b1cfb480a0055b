// The readable end-of-run summary of `syscope record` / `syscope summary`.
import type { Summary, WallTime } from '../main/types/summary'
import { formatBytes, formatDuration, formatCount, formatCounted, formatProcess, formatProcesses } from '../shared/format'
import { wallTimeSentence } from '../shared/wall-time'
import { printableDeep } from '../shared/printable'
import { peerRemote } from '../main/analysis/network'
import { fileLines } from './file-lines'

/** a disk's requests other than reads and writes, by op (shared/disk.ts), counted */
const OP_NAMES: Record<string, [string, string]> = { flush: ['flush', 'flushes'], discard: ['discard', 'discards'], other: ['other request', 'other requests'] }

export function formatSummary(summary: Summary): string {
  // names the processes gave (paths, command lines) shown as text, their control characters
  // escaped; the files' paths as they are printed (fileLines): a tree's tens of thousands of
  // rows, of which a dozen are shown
  const s = printableDeep({ ...summary, files: null })
  const out: string[] = []
  const ses = s.session
  const comms = new Map(s.proc.processes.map((p) => [p.pid, p.comm]))
  const commOf = (pid: number): string => comms.get(pid) ?? ''
  out.push(`\nsyscope: ${ses.title}`)
  const ending = describeEnding(ses)
  out.push(
    `  ${formatDuration(ses.duration_ms * 1e6)}, ${ses.samples} samples every ${ses.interval_ms} ms, ${formatCounted(s.proc.processes.length, 'process', 'processes')}, ${ending}`
  )
  const t = s.proc.tree
  out.push('')
  out.push('  /proc')
  out.push(
    `    CPU       peak ${pct(t.peak_cpu_pct)}  mean ${pct(t.mean_cpu_pct)}  total ${t.cpu_seconds === null ? 'unavailable' : `${t.cpu_seconds.toFixed(2)} s`}`
  )
  out.push(`    memory    peak RSS ${bytes(t.peak_rss_bytes)}  peak PSS ${bytes(t.peak_pss_bytes)}`)
  // logical I/O (page cache and pipes included), and the part that reached the disk; a
  // recording from before logical I/O was kept has only the second
  const io = (logical: number | null | undefined, block: number | null, to: string): string =>
    logical === undefined || logical === null ? bytes(block) : `${bytes(logical)} (${bytes(block)} ${to} disk)`
  out.push(`    I/O       read ${io(t.rchar_bytes, t.read_bytes, 'from')}  written ${io(t.wchar_bytes, t.write_bytes, 'to')}`)
  out.push(`    peaks     ${counted(t.peak_threads, 'thread')}  ${counted(t.peak_fds, 'fd')}  ${counted(t.peak_processes, 'process', 'processes')}`)
  // exact at exit (as /usr/bin/time -v), for every process of the tree
  const u = t.usage ?? null
  if (u) {
    // the kernel keeps one high-water mark across exec: a command that never rose above its
    // launcher's is known only to be below that
    const bound = u.max_rss_bytes === null ? u.max_rss_at_most_bytes : undefined
    const rss = bound !== undefined ? `at most ${bytes(bound)} (never above its launcher's)` : bytes(u.max_rss_bytes)
    out.push(`    at exit   user ${u.user_seconds.toFixed(2)} s  system ${u.system_seconds.toFixed(2)} s  max RSS ${rss}`)
    out.push(
      `              ${formatCount(u.minor_faults)} minor + ${formatCount(u.major_faults)} major faults  ${formatCount(u.vol_ctxsw)} voluntary + ${formatCount(u.invol_ctxsw)} involuntary switches`
    )
  }
  const wall = wallParagraph(t.time ?? null)
  if (wall) out.push('', wall)
  out.push('')
  const sc = s.ebpf.syscalls
  if (!s.ebpf.available) {
    out.push(`  syscalls: unavailable — ${s.ebpf.problem ?? 'unknown reason'}`)
    if (s.ebpf.fix) out.push(`    fix: ${s.ebpf.fix}`)
  } else {
    const timed = sc.time_ns !== null
    const inSyscalls = timed ? `, ${formatDuration(sc.time_ns!)} in syscalls (wall time, blocked included)` : ' (counts only: no times)'
    out.push(
      `  syscalls (${s.ebpf.attach ?? s.ebpf.mode}): ${formatCount(sc.total)} calls, ${formatCount(sc.errors)} failed${inSyscalls}, ${formatCount(sc.analysis.syscall_rate_per_sec)}/s`
    )
    const cats = Object.entries(sc.by_category)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
    // none made (a process asleep throughout): no categories nor table of calls
    if (cats.length) out.push('    ' + cats.map(([c, n]) => `${c} ${((n / Math.max(1, sc.total)) * 100).toFixed(1)}%`).join('  '))
    // the durations (timed mode): the median, the 99th percentile and the longest call; the
    // errors by errno, most first
    if (sc.per_syscall.length)
      out.push(
        '',
        timed
          ? '    syscall              calls     errors   time in syscalls     p50      p99      max   errors by errno'
          : '    syscall              calls     errors   errors by errno'
      )
    const dur = (v: number | null): string => (v === null ? '—' : formatDuration(v)).padStart(8)
    for (const r of sc.per_syscall.slice(0, 15)) {
      const why = Object.entries(r.errnos ?? {})
        .slice(0, 3)
        .map(([e, n]) => `${e} ${formatCount(n)}`)
        .join(', ')
      const times = timed ? `   ${formatDuration(r.time_ns ?? 0).padStart(12)}   ${dur(r.p50_ns)} ${dur(r.p99_ns)} ${dur(r.max_ns)}` : ''
      out.push(`    ${r.name.padEnd(18)} ${formatCount(r.count).padStart(8)} ${formatCount(r.errors).padStart(10)}${times}   ${why}`.trimEnd())
    }
    const slow = (s.ebpf.slowest_calls ?? []).slice(0, 5)
    if (slow.length) {
      // columns as wide as what they hold: a failed call's errno ("= ERESTARTNOHAND") is long
      const calls = slow.map((c) => c.syscall + (c.errno ? ` = ${c.errno}` : ''))
      // a thread other than the main one after its process, as the app's latency pane says it
      const by = slow.map((c) => formatProcess(c.pid, c.comm) + (c.tid !== c.pid ? `/${c.tid}` : ''))
      const callWidth = Math.max(18, ...calls.map((c) => c.length))
      const byWidth = Math.max(...by.map((b) => b.length))
      out.push('')
      out.push(`    ${'slowest calls'.padEnd(callWidth)}     took        at   ${'by'.padEnd(byWidth)}   target`)
      slow.forEach((c, i) =>
        out.push(
          `    ${calls[i]!.padEnd(callWidth)} ${formatDuration(c.duration_ns).padStart(8)} ${`${(c.t_ms / 1000).toFixed(2)} s`.padStart(9)}   ${by[i]!.padEnd(byWidth)}   ${c.target ?? ''}`.trimEnd()
        )
      )
    }
  }
  if (summary.files) {
    out.push('', ...fileLines(summary.files, s.network !== null, commOf))
  }
  if (s.network) {
    // the peers moved most bytes, then the connects that failed
    const peers = s.network_peers ?? []
    const failed = s.network.filter((r) => r.connect_errors > 0)
    const listening = s.network.filter((r) => r.direction === 'listen')
    out.push('')
    out.push(
      s.network.length
        ? `  network: ${formatCounted(new Set(s.network.map((r) => `${r.pid} ${r.socket}`)).size, 'socket')}, ${formatCounted(peers.length, 'peer')}, ${formatCount(listening.length)} listening, ${formatCount(failed.length)} with failed connects`
        : '  network: no sockets'
    )
    const header = '    sent        received    sockets   proto  peer'
    if (peers.length) out.push(header)
    for (const p of peers.slice(0, 10)) {
      out.push(
        `    ${formatBytes(p.bytes_sent).padEnd(11)} ${formatBytes(p.bytes_received).padEnd(11)} ${formatCount(p.sockets).padStart(7)}   ${p.proto.padEnd(6)} ${p.remote}${p.local ? ` → ${p.local} (in)` : ''}`
      )
    }
    // sockets with no name at either end (a socketpair: a command's stdout when syscope
    // launched it without a terminal, a program's own IPC) are no peer, but what they moved is
    // the network's too
    const unnamed = s.network.filter((r) => peerRemote(r) === null && r.direction !== 'listen' && r.bytes_sent + r.bytes_received > 0)
    if (unnamed.length) {
      const sum = (f: (r: (typeof unnamed)[number]) => number): number => unnamed.reduce((n, r) => n + f(r), 0)
      if (!peers.length) out.push(header)
      out.push(
        `    ${formatBytes(sum((r) => r.bytes_sent)).padEnd(11)} ${formatBytes(sum((r) => r.bytes_received)).padEnd(11)} ${formatCount(unnamed.length).padStart(7)}   ${[...new Set(unnamed.map((r) => r.proto))].join('/').padEnd(6)} (no name at either end: socketpairs)`
      )
    }
    for (const r of listening.slice(0, 5))
      out.push(`    listening on ${r.local ?? '(unnamed)'} (${r.proto}, ${formatProcess(r.pid, commOf(r.pid))}): ${formatCount(r.accepts)} accepted`)
    // one line per peer: a resolver or a retry loop fails on a new socket each time, often in
    // every process of the tree
    interface FailedTo {
      pids: Set<number>
      proto: string
      remote: string | null
      errors: number
      connects: number
      errno: string | null
      at: number
    }
    const failedTo = new Map<string, FailedTo>()
    for (const r of failed) {
      const key = `${r.proto} ${r.remote}`
      const f = failedTo.get(key) ?? { pids: new Set(), proto: r.proto, remote: r.remote, errors: 0, connects: 0, errno: null, at: -1 }
      f.pids.add(r.pid)
      f.errors += r.connect_errors
      f.connects += r.connects
      if ((r.opened_ms ?? 0) >= f.at) [f.errno, f.at] = [r.errno, r.opened_ms ?? 0]
      failedTo.set(key, f)
    }
    for (const f of [...failedTo.values()].sort((a, b) => b.errors - a.errors).slice(0, 5)) {
      const who = formatProcesses([...f.pids], commOf)
      out.push(
        `    connect to ${f.remote ?? '(unknown)'} failed (${f.proto}, ${who}): ${formatCount(f.errors)} of ${formatCount(f.connects)}, last ${f.errno ?? 'unknown'}`
      )
    }
    for (const r of s.network.filter((x) => x.close_error !== null).slice(0, 5)) {
      out.push(
        `    connection ${r.local ?? '(unnamed)'} → ${r.remote ?? '(unknown)'} ended with ${r.close_error} (${r.proto}, ${formatProcess(r.pid, commOf(r.pid))})`
      )
    }
  }
  if (s.disk?.length) {
    // one line per device: the whole machine's requests on it, then the tracked processes' share
    const dur = (v: number | null): string => (v === null ? '?' : formatDuration(v))
    out.push('')
    out.push(`  disk: ${formatCounted(s.disk.length, 'device')}`)
    for (const d of s.disk) {
      const ours = d.processes.reduce((n, p) => n + p.requests, 0)
      const depth = d.queue_depth ? `, queue depth ${d.queue_depth.mean.toFixed(2)} mean ${d.queue_depth.max.toFixed(2)} max` : ''
      // flushes, discards...: requests too, with no data of their own
      const others = d.by_op
        .filter((o) => o.op !== 'read' && o.op !== 'write' && o.requests > 0)
        .map((o) => `, ${formatCounted(o.requests, ...(OP_NAMES[o.op] ?? [`${o.op} request`, `${o.op} requests`]))}`)
        .join('')
      out.push(
        `    ${d.device.padEnd(8)} ${formatCounted(d.reads, 'read')} ${formatBytes(d.read_bytes)}, ${formatCounted(d.writes, 'write')} ${formatBytes(d.write_bytes)}${others}, p50 ${dur(d.p50_ns)} p99 ${dur(d.p99_ns)}${depth}; ${formatCount(ours)} of ${formatCount(d.requests)} requests by tracked processes`
      )
    }
  }
  for (const w of ses.warnings) out.push(`  warning: ${w}`)
  for (const n of s.ebpf.filled_in?.notes ?? []) out.push(`  note: ${n}`)
  if (ses.recording) out.push(`\n  recording: ${ses.recording}`)
  return out.join('\n') + '\n'
}

function wallParagraph(w: WallTime | null): string | null {
  return w ? `  wall time ${wallTimeSentence(w)}` : null
}

/** A recording never closed (its writer was killed) ended abnormally: it was not detached. */
function describeEnding(ses: Summary['session']): string {
  if (ses.closed === false) return 'ended abnormally: the recording was not closed (syscope or the machine stopped while recording)'
  if (ses.exit_signal) return `killed by ${ses.exit_signal}`
  if (ses.exit_code !== null) return `exit code ${ses.exit_code}`
  return ses.end_message ?? 'detached'
}

const pct = (v: number | null): string => (v === null ? 'unavailable' : `${v.toFixed(1)}%`)
const bytes = (v: number | null): string => (v === null ? 'unavailable' : formatBytes(v))
/** "1 thread", "9 fds", "? threads" where unknown */
const counted = (v: number | null, what: string, plural = `${what}s`): string => (v === null ? `? ${plural}` : formatCounted(v, what, plural))
