// Opening a file the user names as a recording. Only a regular file on a real filesystem is ever
// read: a FIFO would block the opening thread (the app's main thread) forever, and reading a
// character device or a /proc file such as /proc/kmsg consumes what it gives. So the file is
// opened with O_NONBLOCK (which makes open(2) of a FIFO return at once), checked with fstat on
// the descriptor (what is read is what was checked), and refused unless it is a regular file that
// is not on a kernel pseudo-filesystem (/proc, /sys and their kind show files as regular, of size
// 0 or 4096, whatever reading them does).
import { closeSync, constants, fstatSync, openSync, statfsSync, type Stats } from 'node:fs'
import { open, statfs, type FileHandle } from 'node:fs/promises'

export type OpenFailure = 'ENOENT' | 'EACCES' | 'EFOREIGN'

export class OpenFileError extends Error {
  constructor(
    message: string,
    readonly code: OpenFailure
  ) {
    super(message)
  }
}

// statfs(2) f_type of the kernel's pseudo-filesystems (linux/magic.h)
const PSEUDO_FS = new Map<number, string>([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x62656570, 'configfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0xcafe4a11, 'bpf'],
  [0x1cd1, 'devpts'],
  [0x6e736673, 'nsfs'],
  [0x50495045, 'pipefs'],
  [0x534f434b, 'sockfs']
])

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK

function openFailure(path: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return new OpenFileError(`${path}: no such file`, 'ENOENT')
  if (code === 'EACCES' || code === 'EPERM') return new OpenFileError(`${path}: permission denied`, 'EACCES')
  if (code === 'ENXIO') return new OpenFileError(`${path}: is a socket or device, not a recording`, 'EFOREIGN')
  return e as Error
}

/** Why `stat` (and the filesystem of type `fsType`) is not a readable recording, or null. */
function refusal(path: string, stat: Stats, fsType: number | null): string | null {
  if (stat.isDirectory()) return `${path}: is a directory, not a recording`
  if (stat.isFIFO()) return `${path}: is a FIFO (named pipe), not a recording: syscope reads recordings only from regular files`
  if (stat.isSocket()) return `${path}: is a socket, not a recording: syscope reads recordings only from regular files`
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return `${path}: is a device, not a recording: syscope reads recordings only from regular files`
  if (!stat.isFile()) return `${path}: is not a regular file, so not a recording`
  const pseudo = fsType === null ? undefined : PSEUDO_FS.get(fsType)
  if (pseudo) return `${path}: is a kernel file (${pseudo}), not a recording: syscope does not read files of /proc, /sys and the like`
  if (stat.size === 0) return `${path}: is empty, not a recording`
  return null
}

/** The regular file at `path`, open for reading, and its size; anything else is OpenFileError. */
export async function openRegularFile(path: string): Promise<{ fh: FileHandle; size: number }> {
  let fh: FileHandle
  try {
    fh = await open(path, FLAGS)
  } catch (e) {
    throw openFailure(path, e)
  }
  try {
    const stat = await fh.stat()
    const fsType = stat.isFile() ? Number((await statfs(path)).type) : null
    const why = refusal(path, stat, fsType)
    if (why) throw new OpenFileError(why, 'EFOREIGN')
    return { fh, size: stat.size }
  } catch (e) {
    await fh.close()
    throw e
  }
}

/** The same, synchronously: a file descriptor to close with closeSync. */
export function openRegularFileSync(path: string): { fd: number; size: number } {
  let fd: number
  try {
    fd = openSync(path, FLAGS)
  } catch (e) {
    throw openFailure(path, e)
  }
  try {
    const stat = fstatSync(fd)
    const fsType = stat.isFile() ? Number(statfsSync(path).type) : null
    const why = refusal(path, stat, fsType)
    if (why) throw new OpenFileError(why, 'EFOREIGN')
    return { fd, size: stat.size }
  } catch (e) {
    closeSync(fd)
    throw e
  }
}
