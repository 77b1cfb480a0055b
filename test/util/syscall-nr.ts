// Syscall numbers for tests, taken from the generated table of the arch the tests run on
// (numbers differ between x86_64 and aarch64, so a hard-coded 35 or 230 is wrong on one of them).
import { syscallTable } from '../../src/shared/syscalls'
import { hostArch } from '../../src/main/system'

/** the number of the named syscall on this machine; throws for a name the table lacks here */
export function syscallNr(name: string): number {
  const arch = hostArch()
  for (const [nr, n] of Object.entries(syscallTable(arch))) if (n === name) return Number(nr)
  throw new Error(`no syscall named ${name} on ${arch}: check the name against src/shared/syscalls/table.generated.ts`)
}
