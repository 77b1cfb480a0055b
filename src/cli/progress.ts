// A one-line live status on a terminal (none when stderr is not a terminal).
import type { LiveSession } from '../main/session/live'
import { formatBytes, formatCount } from '../shared/format'

export class ProgressLine {
  private enabled: boolean
  private last = 0

  constructor(
    private stream: NodeJS.WriteStream,
    live: LiveSession,
    show = true
  ) {
    this.enabled = show && Boolean(stream.isTTY)
    if (!this.enabled) return
    live.on('tick', (i: number) => {
      const now = Date.now()
      if (now - this.last < 250) return
      this.last = now
      const p = live.store.treePoint(i)
      const rate = Object.values(p.syscalls_per_s).reduce((a, b) => a + (b ?? 0), 0)
      const text = `syscope ${(p.t_ms / 1000).toFixed(1)} s  cpu ${p.cpu_pct?.toFixed(0) ?? '?'}%  rss ${p.rss_bytes === null ? '?' : formatBytes(p.rss_bytes)}  procs ${p.processes}  syscalls ${formatCount(rate)}/s`
      this.stream.write(`\r\x1b[2K${text}`)
    })
  }

  /** before other output: the line is drawn again at the next tick */
  clear(): void {
    if (this.enabled) this.stream.write('\r\x1b[2K')
  }

  done(): void {
    if (this.enabled) this.stream.write('\r\x1b[2K')
  }
}
