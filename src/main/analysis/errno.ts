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

const ERRNO_NAMES = new Map<number, string>([...Object.entries(constants.errno).map(([name, n]): [number, string] => [n, name]), ...KERNEL_ONLY])

export const errnoName = (n: number): string => ERRNO_NAMES.get(n) ?? `errno ${n}`
