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

export async function readProcessTs(procRoot: string, pid: number, withSmaps = true): Promise<RawProcess | null> {
  const base = `${procRoot}/${pid}`
  const [stat, status, io, smaps, fds] = await Promise.all([
    text(`${base}/stat`),
    text(`${base}/status`),
    text(`${base}/io`),
    withSmaps ? text(`${base}/smaps_rollup`) : Promise.resolve(null),
    readdir(`${base}/fd`).then(
      (d) => d.length,
      () => null
    )
  ])
  if (stat === 'gone' || stat === null || status === 'gone' || status === null) return null
  const s = parseStat(stat)
  if (!s) return null
  const st = parseStatus(status)
  const i = io === 'gone' || io === null ? null : parseIo(io)
  const sm = smaps === 'gone' || smaps === null ? null : parseSmapsRollup(smaps)
  return {
    pid,
    ppid: s.ppid,
    comm: s.comm,
    state: s.state,
    uid: st.uid,
    starttime_ticks: s.starttime_ticks,
    utime_ticks: s.utime_ticks,
    stime_ticks: s.stime_ticks,
    threads: s.num_threads,
    minflt: s.minflt,
    majflt: s.majflt,
    rss_bytes: sm?.rss_bytes ?? st.vm_rss_bytes,
    pss_bytes: sm?.pss_bytes ?? null,
    swap_bytes: sm?.swap_bytes ?? st.vm_swap_bytes,
    hwm_bytes: st.vm_hwm_bytes,
    vol_ctxsw: st.voluntary_ctxt_switches,
    invol_ctxsw: st.nonvoluntary_ctxt_switches,
    fds,
    rchar: i?.rchar ?? null,
    wchar: i?.wchar ?? null,
    read_bytes: i?.read_bytes ?? null,
    write_bytes: i?.write_bytes ?? null
  }
}
