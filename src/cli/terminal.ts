// A command run on a pseudo-terminal, seen from syscope's own terminal: what is typed goes to it
// byte for byte (ours is in raw mode, so Ctrl-C, Ctrl-Z and Ctrl-\ reach its terminal, which
// signals it as a shell's would), its window size follows ours, and a stop of the command is
// mirrored as `ssh` and `script` do: we give our terminal back and stop too, and on `fg` take it
// again and continue the command. Our terminal is restored on every way out.
import { isatty } from 'node:tty'
import type { CommandTerminal, PtyRequest } from '../main/session/launch-command'

export class TerminalRelay {
  private term: CommandTerminal | null = null
  private raw = false
  private finished = false
  private readonly stdin = process.stdin

  /** the terminal the command's copies its settings and size from: the first of 0-2 that is one */
  request(): PtyRequest {
    return { sizeFrom: [0, 1, 2].find((fd) => isatty(fd)) ?? null, attach: (t) => this.attach(t) }
  }

  /** the command ended (or the session failed): our terminal as it was, our input no longer read */
  finish(): void {
    if (this.finished) return
    this.finished = true
    this.setRaw(false)
    this.stdin.off('data', this.onData)
    this.stdin.off('end', this.onEnd)
    this.stdin.pause()
    process.off('SIGWINCH', this.onResize)
    process.off('exit', this.onExit)
  }

  private attach(t: CommandTerminal): void {
    this.term = t
    // a way out this class does not see (an exception) still gives the terminal back
    process.on('exit', this.onExit)
    this.setRaw(true)
    this.stdin.on('data', this.onData)
    this.stdin.once('end', this.onEnd)
    this.stdin.resume()
    process.on('SIGWINCH', this.onResize)
    t.onStop(() => this.suspend())
    // the size may have changed since the launcher copied it
    t.resized()
  }

  private readonly onData = (d: Buffer): void => this.term?.write(d)
  private readonly onEnd = (): void => this.term?.endInput()
  private readonly onResize = (): void => this.term?.resized()
  private readonly onExit = (): void => this.finish()

  private suspend(): void {
    if (this.finished) return
    this.setRaw(false)
    // stops us until `fg` (SIGCONT); returns at once if we cannot be stopped (the kernel drops
    // SIGTSTP for an orphaned process group, with no shell to continue it): then the command
    // goes on at once rather than stay stopped with nobody to wake it
    process.kill(process.pid, 'SIGTSTP')
    if (this.finished) return
    this.setRaw(true)
    this.term?.resized()
    this.term?.resume()
  }

  /** a line of ours: while our terminal is raw, no longer with its output processing, \r\n */
  text(s: string): string {
    return this.raw ? s.replace(/\r?\n/g, '\r\n') : s
  }

  private setRaw(on: boolean): void {
    if (this.stdin.isTTY && this.raw !== on) {
      // leaving raw mode restores the settings as they were, output processing included
      this.stdin.setRawMode(on)
      this.raw = on
      if (on) this.term?.rawOutput()
    }
  }
}
