// Who a PID is, with the errors a user can act on: no such process, or another user's.
import { readFile } from 'node:fs/promises'
import { ApiError } from '../errors'
import { textOf } from '../proc/bytes-text'

export interface ProcessIdentity {
  pid: number
  ppid: number
  comm: string
  cmdline: string[]
  uid: number
}

export async function readProcessIdentity(pid: number, procRoot = '/proc'): Promise<ProcessIdentity> {
  let status: string
  let cmdline: string
  try {
    ;[status, cmdline] = await Promise.all([readFile(`${procRoot}/${pid}/status`, 'utf8'), readFile(`${procRoot}/${pid}/cmdline`).then((b) => textOf(b))])
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ESRCH') throw new ApiError('ESRCH', `no process with pid ${pid}: it does not exist or has exited`)
    throw new ApiError(code ?? 'EIO', `cannot read process ${pid}: ${(e as Error).message}`)
  }
  const field = (name: string): string => status.match(new RegExp(`^${name}:\\s*(.*)$`, 'm'))?.[1] ?? ''
  const uid = Number(field('Uid').split(/\s+/)[0])
  const me = process.getuid?.() ?? 0
  if (me !== 0 && uid !== me) {
    throw new ApiError('EPERM', `process ${pid} (${field('Name')}) belongs to uid ${uid}, not to you (uid ${me}): syscope only profiles your own processes`)
  }
  return {
    pid,
    ppid: Number(field('PPid')),
    comm: field('Name'),
    cmdline: cmdline.split('\0').filter((s, i, a) => s !== '' || i < a.length - 1),
    uid
  }
}
