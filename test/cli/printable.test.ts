// What processes named, shown on the user's terminal: a file name may hold an escape sequence, a
// newline or a bidirectional override, and `syscope record` / `summary` print such names. The
// text shows them escaped (no control character reaches the terminal, no line is forged); the
// JSON keeps them exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Summary } from '../../src/main/types/summary'
import { buildCli, runCli } from './harness'

let dir: string
let env: Record<string, string>
beforeAll(() => {
  buildCli()
  dir = mkdtempSync(join(tmpdir(), 'syscope-printable-'))
  chmodSync(dir, 0o755)
  env = { XDG_DATA_HOME: join(dir, 'data') }
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// what a terminal acts on: C0 controls but the newlines the summary itself writes, DEL, C1, and
// the bidirectional overrides
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

describe('a process named with a byte that is not UTF-8', () => {
  it('has one name, from /proc and from the helper alike', () => {
    // a copy of sleep named z<0xff>z: its comm, which the sampler reads from /proc and the
    // helper from the kernel
    const script = 'f=$(printf "%s/z\\377z" "$1"); cp "$(command -v sleep)" "$f"; "$f" 0.5'
    const r = runCli(['record', '--no-tty', '--json', '--out', join(dir, 'name.syscope'), '--', 'sh', '-c', script, 'sh', dir], env)
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout) as Summary
    const p = s.proc.processes.find((x) => x.comm.startsWith('z'))
    expect(p, JSON.stringify(s.proc.processes.map((x) => x.comm))).toMatchObject({ comm: 'z\udcffz' })
    // sampled (its figures and command line are /proc's), and its thread as the helper named it
    expect(p!.peak_rss_bytes).toBeGreaterThan(0)
    expect(p!.cmdline[0]).toBe(`${dir}/z\udcffz`)
    expect(p!.threads!.map((t) => t.comm)).toEqual(['z\udcffz'])
    expect(r.stdout).not.toContain('\\ufffd')
  })
})

describe('names with control characters', () => {
  it('are escaped in the text and exact in the JSON', () => {
    const written = join(dir, 'esc\u001b[31mred\nline\u202e')
    const missing = join(dir, 'gone\u001b[2J')
    // the shell writes 1 MiB to the first (the top file) and fails to open the second 40 times
    // itself (one process: the top failed name)
    // and reads two files whose names differ only in a byte that is not UTF-8 (0xff, 0xfe)
    const script =
      'dd if=/dev/zero of="$1" bs=64k count=16 status=none; i=0; while [ $i -lt 40 ]; do true < "$2"; i=$((i+1)); done 2>/dev/null; ' +
      `for b in 377 376; do f=$(printf "%s/bad\\\\$b" "$3"); dd if=/dev/zero of="$f" bs=1k count=$((b - 370)) status=none; cat "$f" > /dev/null; done`
    const out = join(dir, 'r.syscope')
    const rec = runCli(['record', '--no-tty', '--detail', '--out', out, '--', 'sh', '-c', script, 'sh', written, missing, dir], env)
    expect(rec.status, rec.stderr).toBe(0)
    const s = JSON.parse(runCli(['summary', out, '--json'], env).stdout) as Summary
    // the JSON: the names as the kernel had them
    expect(s.files!.find((f) => f.path === written)).toMatchObject({ write_bytes: 1 << 20 })
    expect(s.files!.find((f) => f.path === missing)).toMatchObject({ open_errors: 40 })
    expect(s.session.argv).toContain(written)
    // each byte kept as U+DC00 + the byte (as Python's surrogateescape): two names, each exact
    const bad = s.files!.filter((f) => f.path?.startsWith(`${dir}/bad`) && f.read_bytes > 0)
    expect(bad.map((f) => [f.path, f.read_bytes]).sort()).toEqual([
      [`${dir}/bad\udcfe`, 6 << 10],
      [`${dir}/bad\udcff`, 7 << 10]
    ])
    // the text, printed by record and by summary alike: escaped, each on its one line
    const text = runCli(['summary', out], env).stdout
    for (const t of [text, rec.stdout]) {
      expect(t).not.toMatch(CONTROL)
      expect(t).toContain(`${dir}/esc\\x1b[31mred\\nline\\u202e`)
      expect(t).toContain(`failed to open ${dir}/gone\\x1b[2J (sh `)
      expect(t).not.toContain('\ufffd')
      // the title (the command line, quoted as a shell would need it)
      expect(t.split('\n').find((l) => l.startsWith('syscope: '))).toMatch(/esc\\(x1b|u001b)\[31mred\\nline/)
    }
  })
})
