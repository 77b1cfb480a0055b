// A block device of the test's own, for the disk tests (CLI and browser): this VM has a virtio
// disk (vda) holding the root filesystem and an empty zram0, so a test makes a 64 MiB image in
// /var/tmp (not on a tmpfs), attaches it as the first free loop device, makes ext4 on it, mounts
// it noatime (a read must not make the filesystem write) and writes a 1 MiB file of random
// bytes there. remove() undoes each step that was done, in reverse.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'

export interface LoopDisk {
  /** the test's directory in /var/tmp (the image, the mount point; room for more) */
  dir: string
  /** /dev/loopN */
  loop: string
  /** the 1 MiB file on it */
  file: string
  remove(): void
}

export function makeLoopDisk(prefix: string): LoopDisk {
  const dir = mkdtempSync(join('/var/tmp', prefix))
  let loop = ''
  let mnt = ''
  const remove = (): void => {
    if (mnt) execFileSync('umount', [mnt])
    if (loop) execFileSync('losetup', ['-d', loop])
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const img = join(dir, 'disk.img')
    execFileSync('truncate', ['-s', '64M', img])
    loop = execFileSync('losetup', ['-f', '--show', img], { encoding: 'utf8' }).trim()
    execFileSync('mkfs.ext4', ['-q', '-F', loop])
    const m = join(dir, 'mnt')
    mkdirSync(m)
    execFileSync('mount', ['-o', 'noatime', loop, m])
    mnt = m
    const file = join(mnt, 'data')
    execFileSync('dd', ['if=/dev/urandom', `of=${file}`, 'bs=1M', 'count=1', 'status=none'])
    execFileSync('sync')
    return { dir, loop, file, remove }
  } catch (e) {
    remove()
    throw e
  }
}

/** the kernel's dev_t of a block device node: major << 20 | minor, as the block tracepoints print it */
export function kernelDev(node: string): { dev: number; id: string } {
  const rdev = statSync(node).rdev
  const major = Math.floor(rdev / 256) & 0xfff
  const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00)
  return { dev: major * 2 ** 20 + minor, id: `${major}:${minor}` }
}
