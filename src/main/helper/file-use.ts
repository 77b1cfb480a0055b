// The files monitor's messages folded for a session: the helper sends each (process, file) use
// cumulative whenever it changed, and may send one twice (its tick read can race a change);
// this keeps the last of each and says which changed since the last tick, so that the session
// records each change once. A use's figures only grow, except where its entry started again: a
// pipe the process held no more leaves the kernel's table (helper/held.c), and one it gets back
// (an fd passed over a Unix socket) is counted from 0; what it had is added on.
import type { FileMessage, FileNameMessage, NameOp, NameOpMessage, OpenFailedMessage } from './protocol'
import type { FileKind } from '../types/recording-format'

/** opens, reads, read_bytes, writes, write_bytes, io_errors, time_ns: cumulative */
export type FileFigures = [number, number, number, number, number, number, number]

export interface FileUseLine {
  pid: number
  file: string
  kind: FileKind
  v: FileFigures
  /** open in the process when it was attached to */
  held?: true
}
export interface FileNameLine {
  file: string
  parts: string[]
  whole: boolean
}
export interface FailedOpenLine {
  pid: number
  base: string | null
  name: string
  errno: number
  count: number
}

export interface NameOpLine {
  pid: number
  op: NameOp
  base: string | null
  name: string
  count: number
  errors: number
  errno: number | null
}

const figures = (m: FileMessage): FileFigures => [m.opens, m.reads, m.read_bytes, m.writes, m.write_bytes, m.io_errors, m.time_ns]

export class FileUse {
  private uses = new Map<string, FileUseLine>()
  /** what a use had when its entry started again, added to what the new one says */
  private before = new Map<string, FileFigures>()
  private changedUses = new Set<string>()
  private named = new Set<string>()
  private newNames: FileNameLine[] = []
  private failed = new Map<string, FailedOpenLine>()
  private changedFailed = new Set<string>()
  private nameOps = new Map<string, NameOpLine>()
  private changedNameOps = new Set<string>()

  file(m: FileMessage): void {
    const key = `${m.pid} ${m.file}`
    const had = this.uses.get(key)
    let base = this.before.get(key)
    const sent = figures(m)
    if (had && sent.some((x, i) => x + (base?.[i] ?? 0) < had.v[i]!)) {
      base = had.v
      this.before.set(key, base)
    }
    const v = sent.map((x, i) => x + (base?.[i] ?? 0)) as FileFigures
    if (had && had.v.every((x, i) => x === v[i])) return
    const held = m.held || had?.held
    this.uses.set(key, { pid: m.pid, file: m.file, kind: m.kind, v, ...(held ? { held: true as const } : {}) })
    this.changedUses.add(key)
  }

  name(m: FileNameMessage): void {
    if (this.named.has(m.file)) return
    this.named.add(m.file)
    this.newNames.push({ file: m.file, parts: m.parts, whole: m.whole })
  }

  openFailed(m: OpenFailedMessage): void {
    const key = `${m.pid} ${m.base ?? ''} ${m.name}`
    const had = this.failed.get(key)
    if (had && had.count === m.count && had.errno === m.errno) return
    this.failed.set(key, { pid: m.pid, base: m.base, name: m.name, errno: m.errno, count: m.count })
    this.changedFailed.add(key)
  }

  /** a file the process held open when it was attached to (read from /proc, not the helper) */
  held(pid: number, file: string, kind: FileKind, parts: string[] | null): void {
    if (parts && !this.named.has(file)) {
      this.named.add(file)
      this.newNames.push({ file, parts, whole: true })
    }
    const key = `${pid} ${file}`
    const had = this.uses.get(key)
    this.uses.set(key, { pid, file, kind: had?.kind ?? kind, v: had?.v ?? [0, 0, 0, 0, 0, 0, 0], held: true })
    this.changedUses.add(key)
  }

  nameOp(m: NameOpMessage): void {
    const key = `${m.pid} ${m.op} ${m.base ?? ''} ${m.name}`
    const had = this.nameOps.get(key)
    if (had && had.count === m.count && had.errors === m.errors && had.errno === m.errno) return
    this.nameOps.set(key, { pid: m.pid, op: m.op, base: m.base, name: m.name, count: m.count, errors: m.errors, errno: m.errno })
    this.changedNameOps.add(key)
  }

  /** what is new since the last call: names first, so that a reader meets a file's name before its use */
  drain(): { names: FileNameLine[]; uses: FileUseLine[]; failed: FailedOpenLine[]; nameOps: NameOpLine[] } {
    const out = {
      names: this.newNames,
      uses: [...this.changedUses].map((k) => this.uses.get(k)!),
      failed: [...this.changedFailed].map((k) => this.failed.get(k)!),
      nameOps: [...this.changedNameOps].map((k) => this.nameOps.get(k)!)
    }
    this.newNames = []
    this.changedUses.clear()
    this.changedFailed.clear()
    this.changedNameOps.clear()
    return out
  }
}
