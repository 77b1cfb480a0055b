// Which helper binary to use, and why: SYSCOPE_HELPER wins; then the installed one (the guided
// setup puts it where file capabilities work); then the one in this build tree.
import { accessSync, constants, existsSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../paths'

export const INSTALLED_HELPER = '/usr/local/libexec/syscope/syscope-helper'

export function buildTreeHelper(): string | null {
  const p = join(projectRoot(), 'build', 'helper', 'syscope-helper')
  return existsSync(p) ? p : null
}

export function locateHelper(explicit?: string): { path: string | null; reason: string } {
  if (explicit) return usable(explicit) ? { path: explicit, reason: 'given explicitly' } : { path: null, reason: `${explicit} is not an executable file` }
  const env = process.env.SYSCOPE_HELPER
  if (env) return usable(env) ? { path: env, reason: 'SYSCOPE_HELPER names it' } : { path: null, reason: `SYSCOPE_HELPER=${env} is not an executable file` }
  if (usable(INSTALLED_HELPER)) return { path: INSTALLED_HELPER, reason: 'installed by the guided setup' }
  const built = buildTreeHelper()
  if (built && usable(built)) return { path: built, reason: 'the build tree’s: not installed, so it has capabilities only if you gave it some' }
  return { path: null, reason: `not installed at ${INSTALLED_HELPER} and not built in this tree` }
}

function usable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK)
    return true
  } catch {
    return false
  }
}
