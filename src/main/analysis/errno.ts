// errno numbers to names: Linux's, as this host's Node knows them, and the kernel's own restart
// codes, which a syscall's exit shows when a signal interrupted it (strace prints them too) and
// which no libc names.
import { constants } from 'node:os'

const KERNEL_ONLY: [number, string][] = [
  [512, 'ERESTARTSYS'],
  [513, 'ERESTARTNOINTR'],
  [514, 'ERESTARTNOHAND'],
  [515, 'ENOIOCTLCMD'],
  [516, 'ERESTART_RESTARTBLOCK']
]

/** names for one number: the one strace and the kernel's headers use first */
const PREFERRED = new Set(['EAGAIN', 'EDEADLK', 'EOPNOTSUPP'])

const ERRNO_NAMES = new Map<number, string>(KERNEL_ONLY)
for (const [name, n] of Object.entries(constants.errno)) if (!ERRNO_NAMES.has(n) || PREFERRED.has(name)) ERRNO_NAMES.set(n, name)

export const errnoName = (n: number): string => ERRNO_NAMES.get(n) ?? `errno ${n}`
