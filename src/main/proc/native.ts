// The N-API /proc reader (native/), when it is built: one directory fd per process, the files read
// every tick held open and parsed in C, one call per tick for every process. Falls back to the
// TypeScript reader with the reason why.
import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROW_FIELDS, type ProcReader } from './row'
import { projectRoot } from '../paths'
import { textOf } from './bytes-text'

export interface NativeAddon {
  /** the row layout the addon was built with (row.ts ROW_FIELDS) */
  rowFields: string[]
  /** a handle on pid's /proc files, or null when it is gone; throws on other errors (EACCES) */
  openProcess(pid: number): number | null
  closeProcess(handle: number): void
  sampleProcesses(handles: Int32Array, what: Uint8Array, count: number, rows: Float64Array): void
  /** the comm's bytes */
  processComm(handle: number): Uint8Array | null
  /** how many pids /proc lists; only the count when more than out holds */
  listPids(out: Int32Array): number
  parentOf(pid: number): number
  pidfdOpen(pid: number): number
  pidfdAlive(fd: number): boolean
  closeFd(fd: number): void
}

let cached: { addon: NativeAddon | null; reason: string } | null = null

export function loadNativeAddon(): { addon: NativeAddon | null; reason: string } {
  if (cached) return cached
  const addonPath = join(projectRoot(), 'native', 'build', 'Release', 'syscope_native.node')
  if (process.env.SYSCOPE_PROC_READER === 'ts') return (cached = { addon: null, reason: 'SYSCOPE_PROC_READER=ts' })
  if (!existsSync(addonPath)) return (cached = { addon: null, reason: `the N-API addon is not built (${addonPath}); run npm run setup` })
  try {
    const req = createRequire(import.meta.url)
    const addon = req(addonPath) as NativeAddon
    if (!Array.isArray(addon.rowFields) || addon.rowFields.join() !== ROW_FIELDS.join()) {
      return (cached = { addon: null, reason: `the N-API addon is out of date (its row layout differs); run make -C native` })
    }
    return (cached = { addon, reason: 'N-API addon' })
  } catch (e) {
    return (cached = { addon: null, reason: `the N-API addon failed to load: ${(e as Error).message}` })
  }
}

export function nativeProcReader(addon: NativeAddon): ProcReader {
  let pidBuf = new Int32Array(1024)
  return {
    open: (pid) => addon.openProcess(pid),
    sample: (handles, what, count, rows) => addon.sampleProcesses(handles, what, count, rows),
    comm: (handle) => {
      const b = addon.processComm(handle)
      return b ? textOf(b) : null
    },
    close: (handle) => addon.closeProcess(handle),
    pids: () => {
      let n = addon.listPids(pidBuf)
      while (n > pidBuf.length) {
        pidBuf = new Int32Array(n * 2)
        n = addon.listPids(pidBuf)
      }
      return pidBuf.subarray(0, n)
    },
    parentOf: (pid) => addon.parentOf(pid)
  }
}
