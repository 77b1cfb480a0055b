// `syscope record` on a terminal runs the command on a pseudo-terminal of its own: driven here as a
// terminal emulator would (test/cli/pty-driver.py holds the terminal syscope runs on), the command
// sees a terminal of the right size that follows resizes, less and vi work, Ctrl-C interrupts it
// and Ctrl-Z stops it through its terminal (under bash, syscope stops as a job until `fg`), its
// output is recorded, syscope's terminal is as it was afterwards, syscope's death takes it along,
// and the command's syscalls (none of the relay's) are counted.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CLI, alive, buildCli, killPids, runCli } from './harness'
import { until } from '../util/until'
import { projectRoot } from '../../src/main/paths'
import { openStore } from '../../src/main/session/manager'

const DRIVER = join(projectRoot(), 'test', 'cli', 'pty-driver.py')
let dir: string
const started: number[] = []

beforeAll(() => {
  buildCli()
  dir = mkdtempSync(join(tmpdir(), 'syscope-pty-'))
})
afterEach(() => killPids(started.splice(0)))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Ended {
  exit: number | null
  signal: number | null
  attrs: string
}

/** `syscope ARGS` on a terminal of rows x cols that the test types into and reads */
class Terminal {
  private proc: ChildProcessWithoutNullStreams
  output = ''
  attrs: string | null = null
  startAttrs: string | null = null
  ended: Ended | null = null
  pid = 0

  constructor(args: string[], rows = 30, cols = 90, program = ['node', CLI]) {
    const argv = args[0] === '--' ? program : [...program, ...args]
    this.proc = spawn('python3', [DRIVER, String(rows), String(cols), ...argv], { env: { ...process.env, XDG_DATA_HOME: join(dir, 'data') } })
    started.push(this.proc.pid!)
    let buf = ''
    this.proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      let nl
      while ((nl = buf.indexOf('\n')) >= 0) {
        const ev = JSON.parse(buf.slice(0, nl)) as { pid?: number; out?: string; attrs?: string; exit?: number | null; signal?: number | null }
        buf = buf.slice(nl + 1)
        if (ev.pid) {
          this.pid = ev.pid
          started.push(ev.pid)
          this.startAttrs = ev.attrs!
        } else if (ev.out) this.output += Buffer.from(ev.out, 'base64').toString('latin1')
        else if ('exit' in ev) this.ended = { exit: ev.exit ?? null, signal: ev.signal ?? null, attrs: ev.attrs! }
        else if (ev.attrs) this.attrs = ev.attrs
      }
    })
  }

  private send(cmd: object): void {
    this.proc.stdin.write(JSON.stringify(cmd) + '\n')
  }

  type(bytes: string): void {
    this.send({ write: Buffer.from(bytes, 'latin1').toString('base64') })
  }

  resize(rows: number, cols: number): void {
    this.send({ resize: [rows, cols] })
  }

  async settings(): Promise<string> {
    this.attrs = null
    this.send({ attrs: true })
    return until('the terminal reports its settings', () => this.attrs)
  }

  async sees(pattern: RegExp, what = `the terminal shows ${pattern}`): Promise<RegExpMatchArray> {
    return until(what, () => this.output.match(pattern))
  }

  async end(): Promise<Ended> {
    return until('syscope exits', () => this.ended)
  }
}

function summaryOf(file: string): {
  session: { exit_code: number | null; exit_signal: string | null; root_pid: number }
  ebpf: { syscalls: { per_syscall: { name: string; count: number }[]; per_process: { pid: number; comm: string }[] } }
} {
  const r = runCli(['summary', '--json', file], {})
  expect(r.status, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

describe('record on a terminal', () => {
  it('gives the command a terminal of its own, of our size, that follows a resize', async () => {
    const out = join(dir, 'size.syscope')
    // prints its terminal's size on SIGWINCH, reads a line
    const script = [
      'import os, signal, sys',
      'signal.signal(signal.SIGWINCH, lambda *a: print("winch %d %d" % os.get_terminal_size()[::-1], flush=True))',
      'print("tty", os.ttyname(0), "size %d %d" % os.get_terminal_size()[::-1], "ready", flush=True)',
      'print("got", sys.stdin.readline().strip(), flush=True)'
    ].join('\n')
    const t = new Terminal(['record', '--no-ebpf', '--out', out, '--', 'python3', '-c', script], 30, 90)
    // the whole line: "ready" and its line end may come in two reads
    await t.sees(/ready\r*\n/)
    const tty = t.output.match(/tty (\S+) /)![1]
    expect(tty).toMatch(/^\/dev\/pts\/\d+$/)
    expect(t.output).toContain('size 30 90')
    // the command's terminal turned its \n into \r\n; ours, raw, passed that on unchanged (a
    // second translation would turn a bare \n of a program like vim into a carriage return too)
    expect(t.output).toMatch(/ready\r\n/)
    expect(t.output).not.toContain('ready\r\r\n')
    const before = t.startAttrs
    // raw mode while the command runs: our terminal no longer echoes or makes signals itself
    expect(await t.settings()).not.toBe(before)
    t.resize(40, 100)
    await t.sees(/winch 40 100/)
    // typed as on a keyboard: the command's own terminal turns the carriage return into a newline
    t.type('hello\r')
    await t.sees(/got hello/)
    const end = await t.end()
    expect(end.exit).toBe(0)
    // back in cooked mode, exactly as before
    expect(end.attrs).toBe(before)
    // its output is recorded as it printed it, through its terminal (stdout and stderr as one)
    const rec = (await openStore(out, 'pty-test')).output.map((o) => o.text).join('')
    expect(rec).toContain(`tty ${tty} size 30 90 ready\r\n`)
    expect(rec).toContain('winch 40 100\r\n')
    expect(rec).toContain('got hello\r\n')
  })

  it('Ctrl-Z stops the command, and it goes on when syscope does (here at once: no shell to stop syscope)', async () => {
    const out = join(dir, 'ctrl-z.syscope')
    const script = [
      'import signal, sys',
      'signal.signal(signal.SIGCONT, lambda *a: print("continued", flush=True))',
      'print("ready", flush=True)',
      'print("got", sys.stdin.readline().strip(), flush=True)'
    ].join('\n')
    const t = new Terminal(['record', '--no-ebpf', '--out', out, '--', 'python3', '-c', script])
    await t.sees(/ready/)
    t.type('\x1a')
    // it was stopped by its terminal's SIGTSTP, and continued: the recording does not hang
    await t.sees(/continued/)
    t.type('on\r')
    await t.sees(/got on/)
    const end = await t.end()
    expect(end.exit).toBe(0)
    expect(end.attrs).toBe(t.startAttrs)
  })

  it('Ctrl-Z under a shell: syscope and the command stop, `fg` continues both', async () => {
    const out = join(dir, 'ctrl-z-shell.syscope')
    const script =
      'import signal, sys; signal.signal(signal.SIGCONT, lambda *a: print("continued", flush=True)); print("ready", flush=True); print("got", sys.stdin.readline().strip(), flush=True)'
    const t = new Terminal(['--'], 30, 90, ['bash', '--norc', '--noprofile', '-i'])
    await t.sees(/[$#] $/, 'bash prompts')
    t.type(`node ${CLI} record --no-ebpf --out ${out} -- python3 -c '${script}'\r`)
    await t.sees(/\nready/)
    t.type('\x1a')
    // bash took its terminal back: syscope stopped as a job
    await t.sees(/Stopped[^\n]*\n[^]*[$#] $/, 'bash says syscope stopped and prompts')
    t.type('fg\r')
    await t.sees(/continued/)
    t.type('on\r')
    await t.sees(/got on[^]*[$#] $/, 'the command ends, bash prompts')
    // `fg` gives the job's status: syscope's, which is the command's
    t.type('echo "status $?"\r')
    await t.sees(/status 0/)
    t.type('exit\r')
    const end = await t.end()
    expect(end.exit).toBe(0)
  })

  it('Ctrl-C interrupts the command through its terminal; the recording completes with its status', async () => {
    const out = join(dir, 'ctrl-c.syscope')
    const t = new Terminal(['record', '--no-ebpf', '--out', out, '--', 'sh', '-c', 'echo sleeping; exec sleep 100'])
    await t.sees(/sleeping/)
    const sleeper = await until('sleep runs', () => childOfTree(t.pid, 'sleep'))
    t.type('\x03')
    const end = await t.end()
    expect(alive(sleeper)).toBe(false)
    // killed by SIGINT, as in a shell: 128 + 2
    expect(end.exit).toBe(130)
    expect(end.attrs).toBe(t.startAttrs)
    const s = summaryOf(out)
    expect(s.session.exit_signal).toBe('SIGINT')
  })

  it('syscope killed with SIGKILL takes the command and its relay with it (--die-with holds on a pty)', async () => {
    const t = new Terminal(['record', '--no-ebpf', '--out', join(dir, 'killed.syscope'), '--', 'sh', '-c', 'echo sleeping; exec sleep 100'])
    await t.sees(/sleeping/)
    const sleeper = await until('sleep runs', () => childOfTree(t.pid, 'sleep'))
    const relay = await until('the relay runs', () => childOfTree(t.pid, 'syscope-launch'))
    process.kill(t.pid, 'SIGKILL')
    await until('the command is gone', () => !alive(sleeper))
    await until('the relay is gone', () => !alive(relay))
  })

  it('syscope killed with SIGKILL takes the command with it without a terminal too (--no-tty)', async () => {
    // no relay here: the command is the launcher itself, exec'd with its parent-death signal set.
    // Until pid 1 reaps it, the dead command stays a zombie: alive() counts that as gone
    const rec = recordNoTty('killed-no-tty', 'echo sleeping; exec sleep 100')
    await until('the command runs', () => rec.output().includes('sleeping'))
    const sleeper = await until('sleep runs', () => childOfTree(rec.pid, 'sleep'))
    started.push(sleeper)
    process.kill(rec.pid, 'SIGKILL')
    await until('the command is gone', () => !alive(sleeper))
  })

  it('syscope killed with SIGKILL takes the --no-tty command’s whole process group, not only the command', async () => {
    // the background sleep is the command's child: the parent-death signal does not reach it,
    // the guard (a process of the command's group, outside its tree) does
    const rec = recordNoTty('guard-kill', 'sleep 100 & echo "bg $!"; exec sleep 101')
    const bg = await until('the background sleep runs', () => Number(/bg (\d+)/.exec(rec.output())?.[1]) || undefined)
    started.push(bg)
    const command = await until('the command runs', () => childOfTree(rec.pid, 'sleep', bg))
    const guard = await until('the guard runs', () => guardOf(command))
    started.push(command, guard)
    expect(isUnder(guard, command)).toBe(false)
    process.kill(rec.pid, 'SIGKILL')
    await until('the background sleep is gone', () => !alive(bg))
    await until('the command is gone', () => !alive(command))
    await until('the guard is gone', () => !alive(guard))
  })

  it('a --no-tty command that ends leaves what it started running, and no guard; the guard is never counted', async () => {
    const bgFile = join(dir, 'guard-release.bg')
    const r = runCli(
      [
        'record',
        '--no-tty',
        '--json',
        '--out',
        join(dir, 'guard-release.syscope'),
        '--',
        'sh',
        '-c',
        'sleep 100 </dev/null >/dev/null 2>&1 & echo $! > "$1"',
        'sh',
        bgFile
      ],
      {},
      60_000
    )
    expect(r.status, r.stderr).toBe(0)
    const bg = Number(readFileSync(bgFile, 'utf8'))
    started.push(bg)
    // released at the command's end, the guard exits without a signal to the group
    await until('the guard is gone', () => guardOf(bg) === undefined)
    expect(alive(bg)).toBe(true)
    const s = JSON.parse(r.stdout) as {
      ebpf: { available: boolean; syscalls: { per_process: { comm: string }[] } }
      proc: { processes: { pid: number; comm: string }[] }
    }
    expect(s.ebpf.available).toBe(true)
    // the tree is the command and its child: the guard (forked before the launcher was armed)
    // is neither tracked nor counted
    expect(s.proc.processes.map((p) => p.comm).sort()).toEqual(['sh', 'sleep'])
    expect(s.proc.processes.find((p) => p.comm === 'sleep')?.pid).toBe(bg)
    expect(s.ebpf.syscalls.per_process.map((p) => p.comm).sort()).toEqual(['sh', 'sleep'])
  })

  it('runs an interactive full-screen program (less): it draws, takes keys, and quits', async () => {
    const out = join(dir, 'less.syscope')
    const t = new Terminal(['record', '--no-ebpf', '--out', out, '--', 'less', '/etc/services'], 20, 80)
    // the first page and less's first prompt: the file's name in reverse video
    // eslint-disable-next-line no-control-regex -- ESC [7m is the reverse video we look for
    await t.sees(/\x1b\[7m\/etc\/services/, 'less shows its prompt')
    expect(t.output).toContain('tcpmux')
    t.type('G')
    await t.sees(/\(END\)/, 'less went to the end')
    t.type('q')
    const end = await t.end()
    expect(end.exit).toBe(0)
    expect(end.attrs).toBe(t.startAttrs)
  })

  it('runs vi: `syscope record -- vi notes.txt` edits and writes the file', async () => {
    const notes = join(dir, 'notes.txt')
    const t = new Terminal(['record', '--no-ebpf', '--out', join(dir, 'vi.syscope'), '--', 'vi', notes], 24, 80)
    // its status line names the new file once it is ready for keys
    await t.sees(/notes\.txt"/, 'vi shows the file')
    t.type('ihello from vi\x1b:wq\r')
    const end = await t.end()
    expect(end.exit).toBe(0)
    expect(end.attrs).toBe(t.startAttrs)
    expect(readFileSync(notes, 'utf8')).toBe('hello from vi\n')
  })

  it('counts the command’s syscalls and none of the relay’s', async () => {
    const out = join(dir, 'counts.syscope')
    // 300 writes by dd to /dev/null and one by echo on the terminal, which the relay reads and
    // writes on: counted, its syscalls would show
    const t = new Terminal(['record', '--out', out, '--', 'sh', '-c', 'dd if=/dev/zero of=/dev/null bs=1 count=300 status=none; echo finished'])
    await t.sees(/finished/)
    const end = await t.end()
    expect(end.exit).toBe(0)
    const s = summaryOf(out)
    const writes = s.ebpf.syscalls.per_syscall.find((c) => c.name === 'write')?.count
    expect(writes).toBe(301)
    expect(s.ebpf.syscalls.per_process.map((p) => p.comm).sort()).toEqual(['dd', 'sh'])
  })

  it('--no-tty keeps pipes, as when stdin is not a terminal', async () => {
    const t = new Terminal([
      'record',
      '--no-ebpf',
      '--no-tty',
      '--out',
      join(dir, 'no-tty.syscope'),
      '--',
      'sh',
      '-c',
      'tty; test -t 1 || echo "stdout is a pipe"'
    ])
    const end = await t.end()
    expect(end.exit).toBe(0)
    // stdin is syscope's own terminal, as before; stdout a pipe
    expect(t.output).toContain('stdout is a pipe')
  })
})

/** the launcher's guard of the process group `pgid`, if it runs */
function guardOf(pgid: number): number | undefined {
  const named = spawnSync('pgrep', ['-x', '-g', String(pgid), 'syscope-guard'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number)
  // (once gone, pid 1 may leave it a zombie a while: alive() counts that as gone)
  return named.find(alive)
}

/** a process named comm in the tree under pid (but `except`) */
function childOfTree(pid: number, comm: string, except?: number): number | undefined {
  const named = spawnSync('pgrep', ['-x', comm], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number)
  return named.find((p) => p !== except && isUnder(p, pid))
}

/** `syscope record --no-tty --no-ebpf -- sh -c script` started, its stdout kept as it comes */
function recordNoTty(name: string, script: string): { pid: number; output: () => string } {
  const rec = spawn('node', [CLI, 'record', '--no-tty', '--no-ebpf', '--out', join(dir, `${name}.syscope`), '--', 'sh', '-c', script], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  started.push(rec.pid!)
  let out = ''
  rec.stdout.on('data', (d: Buffer) => (out += d.toString()))
  rec.stderr.resume()
  return { pid: rec.pid!, output: () => out }
}

function isUnder(p: number, root: number): boolean {
  for (let cur = p; cur > 1;) {
    if (cur === root) return true
    try {
      cur = Number(
        readFileSync(`/proc/${cur}/stat`, 'utf8')
          .replace(/^.*\) /, '')
          .split(' ')[1]
      )
    } catch {
      return false
    }
  }
  return false
}
