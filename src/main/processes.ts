// The attach picker's process list: every process with its user, name, command line, CPU % since
// the previous listing, memory and start time, and — for those this user cannot trace — why.
import { readdir, readFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { textOf } from './proc/bytes-text'
import { CLK_TCK, bootTimeMs } from './proc/clock'
import { parseStat, parseStatus } from './proc/parse'
import type { ProcessListEntry } from '../shared/contract'

let previous: { at: number; ticks: Map<number, number> } | null = null
let users: { at: number; names: Map<number, string> } | null = null

function userNames(): Map<number, string> {
  if (users && Date.now() - users.at < 30_000) return users.names
  const names = new Map<number, string>()
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':')
      if (f.length > 2 && f[0]) names.set(Number(f[2]), f[0])
    }
  } catch {
    /* no passwd: numeric uids */
  }
  users = { at: Date.now(), names }
  return names
}

export async function listProcesses(procRoot = '/proc'): Promise<ProcessListEntry[]> {
  const me = process.getuid?.() ?? 0
  const names = userNames()
  const boot = bootTimeMs(procRoot)
  const now = performance.now()
  const ticks = new Map<number, number>()
  const entries = await readdir(procRoot)
  const out: ProcessListEntry[] = []
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (e) => {
        const pid = Number(e)
        try {
          const [stat, status, cmdline] = await Promise.all([
            readFile(`${procRoot}/${pid}/stat`).then((b) => textOf(b)),
            readFile(`${procRoot}/${pid}/status`, 'utf8'),
            readFile(`${procRoot}/${pid}/cmdline`)
              .then((b) => textOf(b))
              .catch(() => '')
          ])
          const st = parseStat(stat)
          if (!st) return
          const { comm, ppid } = st
          const cpuTicks = st.utime_ticks + st.stime_ticks
          const start = st.starttime_ticks
          const { uid: knownUid, vm_rss_bytes: rssBytes } = parseStatus(status)
          const uid = knownUid ?? -1
          ticks.set(pid, cpuTicks)
          const prevTicks = previous?.ticks.get(pid)
          const cpu = previous && prevTicks !== undefined ? Math.max(0, (cpuTicks - prevTicks) / CLK_TCK / ((now - previous.at) / 1000)) * 100 : null
          const kernelThread = cmdline === '' && (ppid === 2 || pid === 2)
          out.push({
            pid,
            ppid,
            user: names.get(uid) ?? String(uid),
            uid,
            comm,
            cmdline: cmdline.split('\0').filter(Boolean).join(' ') || `[${comm}]`,
            cpu_pct: cpu,
            // VmRSS, not stat's page count: the page size differs between kernels (4K, 16K, 64K)
            rss_bytes: rssBytes,
            startedAtMs: boot === null ? null : boot + (start / CLK_TCK) * 1000,
            cannotTrace:
              pid === process.pid
                ? 'this is syscope itself'
                : kernelThread
                  ? 'a kernel thread makes no syscalls'
                  : me !== 0 && uid !== me
                    ? `belongs to ${names.get(uid) ?? `uid ${uid}`}; syscope only traces your own processes`
                    : null
          })
        } catch {
          // the process exited while we read it: normal, just skip it
        }
      })
  )
  previous = { at: now, ticks }
  return out.sort((a, b) => a.pid - b.pid)
}
