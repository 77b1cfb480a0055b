// The N-API /proc reader (native/), when it is built: one directory fd per process, files read
// relative to it and parsed in C. Falls back to the TypeScript reader with the reason why.
import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { RawProcess } from './types'
import { projectRoot } from '../paths'

export interface NativeReader {
  /** `what`: READ_* bits (sampler.ts); fields not asked for are left out */
  readProcess(pid: number, what: number): Partial<RawProcess> | null
  /** keep the process's /proc files open between samples; null if it is gone */
  openProcess(pid: number): number | null
  readOpen(handle: number, what: number): Partial<RawProcess> | null
  closeProcess(handle: number): void
  pidfdOpen(pid: number): number
  pidfdAlive(fd: number): boolean
  closeFd(fd: number): void
}

let cached: { reader: NativeReader | null; reason: string } | null = null

export function loadNativeReader(): { reader: NativeReader | null; reason: string } {
  if (cached) return cached
  const addonPath = join(projectRoot(), 'native', 'build', 'Release', 'syscope_native.node')
  if (process.env.SYSCOPE_PROC_READER === 'ts') return (cached = { reader: null, reason: 'SYSCOPE_PROC_READER=ts' })
  if (!existsSync(addonPath)) return (cached = { reader: null, reason: `the N-API addon is not built (${addonPath}); run npm run setup` })
  try {
    const req = createRequire(import.meta.url)
    return (cached = { reader: req(addonPath) as NativeReader, reason: 'N-API addon' })
  } catch (e) {
    return (cached = { reader: null, reason: `the N-API addon failed to load: ${(e as Error).message}` })
  }
}
