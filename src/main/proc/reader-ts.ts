// Reading one process's /proc files in TypeScript (the fallback when the N-API reader is not
// built). A process that vanishes mid-read is reported as gone (null), never as an error.
import { readdir, readFile } from 'node:fs/promises'
import { parseIo, parseSmapsRollup, parseStat, parseStatus } from './parse'
import type { RawProcess } from './types'

const GONE = new Set(['ENOENT', 'ESRCH'])

async function text(path: string): Promise<string | null | 'gone'> {
  try {
    return await readFile(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? ''
    return GONE.has(code) ? 'gone' : null
  }
}

/** `what`: READ_* bits of sampler.ts (stat is always read); fields not asked for are left out. */
export async function readProcessTs(procRoot: string, pid: number, what = 0xf): Promise<Partial<RawProcess> | null> {
  const base = `${procRoot}/${pid}`
  const skip = Promise.resolve(undefined)
  const [stat, status, io, smaps, fds] = await Promise.all([
    text(`${base}/stat`),
    what & 0x1 ? text(`${base}/status`) : skip,
    what & 0x2 ? text(`${base}/io`) : skip,
    what & 0x4 ? text(`${base}/smaps_rollup`) : skip,
    what & 0x8
      ? readdir(`${base}/fd`).then(
          (d) => d.length,
          () => null
        )
      : skip
  ])
  if (stat === 'gone' || stat === null || status === 'gone' || status === null) return null
  const s = parseStat(stat)
  if (!s) return null
  const out: Partial<RawProcess> = {
    pid,
    ppid: s.ppid,
    comm: s.comm,
    state: s.state,
    starttime_ticks: s.starttime_ticks,
    utime_ticks: s.utime_ticks,
    stime_ticks: s.stime_ticks,
    threads: s.num_threads,
    minflt: s.minflt,
    majflt: s.majflt
  }
  if (status !== undefined) {
    const st = parseStatus(status)
    Object.assign(out, { uid: st.uid, rss_bytes: st.vm_rss_bytes, swap_bytes: st.vm_swap_bytes, hwm_bytes: st.vm_hwm_bytes, vol_ctxsw: st.voluntary_ctxt_switches, invol_ctxsw: st.nonvoluntary_ctxt_switches })
  }
  if (io !== undefined) {
    const i = io === 'gone' || io === null ? null : parseIo(io)
    Object.assign(out, { rchar: i?.rchar ?? null, wchar: i?.wchar ?? null, read_bytes: i?.read_bytes ?? null, write_bytes: i?.write_bytes ?? null })
  }
  if (smaps !== undefined) {
    const sm = smaps === 'gone' || smaps === null ? null : parseSmapsRollup(smaps)
    out.pss_bytes = sm?.pss_bytes ?? null
    if (sm?.rss_bytes != null) out.rss_bytes = sm.rss_bytes
    if (sm?.swap_bytes != null) out.swap_bytes = sm.swap_bytes
  }
  if (fds !== undefined) out.fds = fds
  return out
}

