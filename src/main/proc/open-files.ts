// The files a process holds open, from /proc/PID/fd: for a process syscope attaches to, what it
// opened before it was watched (the helper's files monitor meets a file only when a call uses
// it). Read by the app, as the user: the helper gives up its capabilities, and reading another
// process's fd links takes ptrace access that a user has to their own processes.
import { readdir, readlink, stat } from 'node:fs/promises'
import { textOf } from './bytes-text'
import type { FileKind } from '../types/recording-format'

export interface OpenFile {
  /** DEV:INO as the kernel side names a file: the device as the kernel encodes it (major << 20 | minor);
   * an anonymous inode's with its name after (DEV:INO:anon_inode:[eventfd]) */
  file: string
  kind: FileKind
  /** the path's components from the leaf up (an anonymous inode's one name), as the kernel side
   * sends them; null for a pipe or socket (named by its inode) */
  parts: string[] | null
}

function kindOf(mode: bigint, target: string): FileKind {
  if (target.startsWith('anon_inode:')) return 'anon'
  switch (Number(mode & 0o170000n)) {
    case 0o100000:
      return 'file'
    case 0o040000:
      return 'dir'
    case 0o010000:
      return 'pipe'
    case 0o140000:
      return 'socket'
    case 0o020000:
    case 0o060000:
      return 'device'
    default:
      return 'other'
  }
}

/** user space's dev_t (glibc's encoding) as the kernel's own: MKDEV(major, minor) */
function kernelDev(dev: bigint): bigint {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn)
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn)
  return (major << 20n) | minor
}

/** Every file pid has open now; [] when it is gone or its fds cannot be read. */
export async function openFiles(pid: number): Promise<OpenFile[]> {
  const dir = `/proc/${pid}/fd`
  let fds: string[]
  try {
    fds = await readdir(dir)
  } catch {
    return []
  }
  const out: OpenFile[] = []
  const seen = new Set<string>()
  for (const fd of fds) {
    try {
      const [st, target] = await Promise.all([stat(`${dir}/${fd}`, { bigint: true }), readlink(`${dir}/${fd}`, { encoding: 'buffer' }).then((b) => textOf(b))])
      const kind = kindOf(st.mode, target)
      // eventfds, timerfds, epolls... share one inode: the kernel side tells them apart by a
      // number given in the order it meets them, which /proc cannot know. Each kind held is its
      // own file here, named as the kernel side names its own (a row per name in the summary)
      const inode = `${kernelDev(st.dev)}:${st.ino}`
      const file = kind === 'anon' ? `${inode}:${target}` : inode
      if (seen.has(file)) continue
      seen.add(file)
      // a file deleted since it was opened: the kernel side names it by its dentry, without the suffix
      const path = target.startsWith('/') ? target.replace(/ \(deleted\)$/, '') : null
      const parts = path ? path.split('/').filter(Boolean).reverse() : kind === 'anon' ? [target.slice('anon_inode:'.length)] : null
      out.push({ file, kind, parts })
    } catch {
      // closed between the listing and the look: not open now
    }
  }
  return out
}

/**
 * What fd `fd` of pid shows in /proc/PID/fd (a path, pipe:[ino], socket:[ino]), if it is still
 * the file `file` (DEV:INO as the kernel side names it): a slow call's fd, looked at just after the
 * call; null once closed, or reused for another file.
 */
export async function fdTarget(pid: number, fd: number, file: string): Promise<string | null> {
  const link = `/proc/${pid}/fd/${fd}`
  try {
    const [st, target] = await Promise.all([stat(link, { bigint: true }), readlink(link, { encoding: 'buffer' }).then((b) => textOf(b))])
    // the kernel side's DEV:INO, less the number it tells names at one inode apart by
    return `${kernelDev(st.dev)}:${st.ino}` === file.split(':').slice(0, 2).join(':') ? target : null
  } catch {
    return null
  }
}
