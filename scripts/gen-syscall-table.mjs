#!/usr/bin/env node
// Builds the syscall number → name tables for x86_64 and aarch64 from the kernel's UAPI headers
// and writes them for both sides that need them: TypeScript (src/shared) and C (helper/).
//
//   node scripts/gen-syscall-table.mjs              regenerate both files
//   node scripts/gen-syscall-table.mjs --check      exit 1 if the checked-in files are stale
//   node scripts/gen-syscall-table.mjs --x86_64-header h/unistd_64.h --generic-header h/unistd.h \
//       --out-ts /tmp/t.ts --out-c /tmp/t.h --headers-only
//
// Node only, no packages and no C preprocessor: the few directives these headers use are
// evaluated here, with the macros aarch64 defines, so the result is the same on any machine
// that has the same headers.
import { readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const HELP = `Usage: node scripts/gen-syscall-table.mjs [options]

Examples:
  node scripts/gen-syscall-table.mjs                 write the checked-in tables
  node scripts/gen-syscall-table.mjs --check         fail if they differ from a fresh run
  node scripts/gen-syscall-table.mjs --x86_64-header my/unistd_64.h --generic-header my/unistd.h

Options:
  --x86_64-header PATH   x86_64 numbers, one "#define __NR_name nr" per syscall
                         (default /usr/include/x86_64-linux-gnu/asm/unistd_64.h)
  --generic-header PATH  the generic table aarch64 uses (default /usr/include/asm-generic/unistd.h)
  --out-ts PATH          TypeScript output (default: src/shared/syscalls/table.generated.ts)
  --out-c PATH           C output (default helper/syscall_names.h)
  --headers-only         leave out the syscalls newer than the headers (see NEWER_SYSCALLS)
  --check                write nothing; exit 1 if the outputs differ from what would be written
  -h, --help             this text
`

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DEFAULTS = {
  x86Header: '/usr/include/x86_64-linux-gnu/asm/unistd_64.h',
  genericHeader: '/usr/include/asm-generic/unistd.h',
  outTs: `${ROOT}src/shared/syscalls/table.generated.ts`,
  outC: `${ROOT}helper/syscall_names.h`
}

// What arch/arm64/include/uapi/asm/unistd.h defines before it includes asm-generic/unistd.h
// (v5.14 to v6.9; since v6.11 the same choice is `syscall_abis_64 += renameat newstat rlimit
// memfd_secret` in arch/arm64/kernel/Makefile.syscalls). TIME32 changes nothing on a 64-bit ABI
// (every time32 condition there is `... || __BITS_PER_LONG != 32`) but is what arm64 sets.
// aarch64 does not define __ARCH_WANT_SYNC_FILE_RANGE2 (nr 84 is sync_file_range) and is not
// __ARCH_NOMMU; asm/bitsperlong.h gives it __BITS_PER_LONG 64.
export const AARCH64_MACROS = {
  __aarch64__: '1',
  __BITS_PER_LONG: '64',
  __ARCH_WANT_RENAMEAT: '',
  __ARCH_WANT_NEW_STAT: '',
  __ARCH_WANT_SET_GET_RLIMIT: '',
  __ARCH_WANT_TIME32_SYSCALLS: '',
  __ARCH_WANT_SYS_CLONE3: '',
  __ARCH_WANT_MEMFD_SECRET: ''
}
const X86_64_MACROS = { __x86_64__: '1', __BITS_PER_LONG: '64' }

// Syscalls added to the kernel after Debian bookworm's headers (linux-libc-dev 6.1), up to v6.18,
// from arch/x86/entry/syscalls/syscall_64.tbl and scripts/syscall.tbl (the table arm64 is built
// from since v6.11; from 424 on the numbers are the same on both). Without them a 6.x kernel's
// fchmodat2 or mseal would show as sys_452, sys_462. An entry is used only where the header has
// neither its number nor its name, so newer headers take over as they arrive.
export const NEWER_SYSCALLS = {
  both: [
    [451, 'cachestat'],
    [452, 'fchmodat2'],
    [453, 'map_shadow_stack'],
    [454, 'futex_wake'],
    [455, 'futex_wait'],
    [456, 'futex_requeue'],
    [457, 'statmount'],
    [458, 'listmount'],
    [459, 'lsm_get_self_attr'],
    [460, 'lsm_set_self_attr'],
    [461, 'lsm_list_modules'],
    [462, 'mseal'],
    [463, 'setxattrat'],
    [464, 'getxattrat'],
    [465, 'listxattrat'],
    [466, 'removexattrat'],
    [467, 'open_tree_attr'],
    [468, 'file_getattr'],
    [469, 'file_setattr']
  ],
  x86_64: [
    [335, 'uretprobe'],
    [336, 'uprobe']
  ],
  aarch64: []
}

// __NR_ macros that are not syscalls: the table size and arm's base for arch-private calls.
const NOT_SYSCALLS = new Set(['syscalls', 'arch_specific_syscall'])

// ---------------------------------------------------------------------------------------------
// A small C preprocessor: conditionals and object-like #defines, which is all unistd headers use.

/** Source text as logical lines: comments removed, backslash continuations joined. */
function logicalLines(text) {
  const noComments = text
    .replace(/\r\n?/g, '\n')
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/\/\/[^\n]*/g, '')
  return noComments.replace(/\\\n/g, ' ').split('\n')
}

function tokenize(expr) {
  const tokens = []
  const re = /\s*(?:(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|([A-Za-z_]\w*)|(<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%<>!~&|^?:(),]))/y
  let pos = 0
  while (pos < expr.length) {
    if (/^\s*$/.test(expr.slice(pos))) break
    re.lastIndex = pos
    const m = re.exec(expr)
    if (!m) throw new Error(`cannot read expression at "${expr.slice(pos)}"`)
    pos = re.lastIndex
    if (m[1] !== undefined) tokens.push({ num: Number(m[1]) })
    else if (m[2] !== undefined) tokens.push({ id: m[2] })
    else tokens.push({ op: m[3] })
  }
  return tokens
}

const BINARY = {
  '*': [10, (a, b) => a * b],
  '/': [10, (a, b) => (b === 0 ? NaN : Math.trunc(a / b))],
  '%': [10, (a, b) => a % b],
  '+': [9, (a, b) => a + b],
  '-': [9, (a, b) => a - b],
  '<<': [8, (a, b) => a * 2 ** b],
  '>>': [8, (a, b) => Math.floor(a / 2 ** b)],
  '<': [7, (a, b) => +(a < b)],
  '<=': [7, (a, b) => +(a <= b)],
  '>': [7, (a, b) => +(a > b)],
  '>=': [7, (a, b) => +(a >= b)],
  '==': [6, (a, b) => +(a === b)],
  '!=': [6, (a, b) => +(a !== b)],
  '&': [5, (a, b) => a & b],
  '^': [4, (a, b) => a ^ b],
  '|': [3, (a, b) => a | b],
  '&&': [2, (a, b) => +(a !== 0 && b !== 0)],
  '||': [1, (a, b) => +(a !== 0 || b !== 0)]
}

/**
 * Value of a #if expression or an object-like macro's body. An identifier that is not a macro is
 * 0, as in C; a macro expands to the value of its body. NaN when the text is not an expression.
 */
export function evaluate(expr, macros, depth = 0) {
  if (depth > 32) throw new Error(`macro expansion too deep in "${expr}"`)
  const tokens = tokenize(expr)
  let i = 0
  const peek = () => tokens[i]
  const isOp = (op) => tokens[i]?.op === op
  const expect = (op) => {
    if (!isOp(op)) throw new Error(`expected "${op}" in "${expr}"`)
    i++
  }
  const primary = () => {
    const t = tokens[i++]
    if (!t) throw new Error(`expression ends early: "${expr}"`)
    if (t.num !== undefined) return t.num
    if (t.id === 'defined') {
      const paren = isOp('(')
      if (paren) i++
      const name = tokens[i++]?.id
      if (!name) throw new Error(`defined() without a name in "${expr}"`)
      if (paren) expect(')')
      return macros.has(name) ? 1 : 0
    }
    if (t.id !== undefined) {
      const body = macros.get(t.id)
      if (body === undefined || typeof body !== 'string') return 0
      return body.trim() === '' ? 0 : evaluate(body, macros, depth + 1)
    }
    if (t.op === '(') {
      const v = ternary()
      expect(')')
      return v
    }
    if (t.op === '!') return +(primary() === 0)
    if (t.op === '~') return ~primary()
    if (t.op === '-') return -primary()
    if (t.op === '+') return primary()
    throw new Error(`unexpected "${t.op}" in "${expr}"`)
  }
  const binary = (minPrec) => {
    let left = primary()
    for (;;) {
      const op = peek()?.op
      const entry = op !== undefined ? BINARY[op] : undefined
      if (!entry || entry[0] < minPrec) return left
      i++
      left = entry[1](left, binary(entry[0] + 1))
    }
  }
  const ternary = () => {
    const cond = binary(1)
    if (!isOp('?')) return cond
    i++
    const a = ternary()
    expect(':')
    const b = ternary()
    return cond !== 0 ? a : b
  }
  const value = ternary()
  if (i !== tokens.length) throw new Error(`trailing text in "${expr}"`)
  return value
}

/**
 * The macros a header defines once its conditionals are decided, starting from `predefined`
 * (name → body). #include is not followed: what an include would supply is predefined.
 * Function-like macros are recorded (for `defined`) with a non-string marker.
 */
export function preprocess(text, predefined = {}) {
  const macros = new Map(Object.entries(predefined))
  // one frame per open #if: is this branch live, has any branch of it been taken, was the parent live
  const stack = []
  const live = () => stack.every((f) => f.live)
  const lines = logicalLines(text)
  lines.forEach((line, index) => {
    const m = line.match(/^\s*#\s*(\w+)\s*(.*?)\s*$/)
    if (!m) return
    const [, directive, rest] = m
    const where = `line ${index + 1}`
    const decide = (cond) => {
      try {
        return evaluate(cond, macros) !== 0
      } catch (e) {
        throw new Error(`${where}: ${e.message}`, { cause: e })
      }
    }
    switch (directive) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        const parentLive = live()
        const name = rest.split(/\s+/)[0] ?? ''
        const cond = !parentLive ? false : directive === 'if' ? decide(rest) : directive === 'ifdef' ? macros.has(name) : !macros.has(name)
        stack.push({ live: cond, taken: cond, parentLive })
        return
      }
      case 'elif': {
        const f = stack.at(-1)
        if (!f) throw new Error(`${where}: #elif without #if`)
        f.live = f.parentLive && !f.taken && decide(rest)
        f.taken ||= f.live
        return
      }
      case 'else': {
        const f = stack.at(-1)
        if (!f) throw new Error(`${where}: #else without #if`)
        f.live = f.parentLive && !f.taken
        f.taken = true
        return
      }
      case 'endif':
        if (!stack.pop()) throw new Error(`${where}: #endif without #if`)
        return
      default:
        break
    }
    if (!live()) return
    if (directive === 'define') {
      const d = rest.match(/^([A-Za-z_]\w*)(\()?\s*(.*)$/)
      if (!d) throw new Error(`${where}: cannot read #define ${rest}`)
      macros.set(d[1], d[2] ? { functionLike: true } : (d[3] ?? '').trim())
    } else if (directive === 'undef') {
      macros.delete(rest.split(/\s+/)[0] ?? '')
    } else if (directive === 'error') {
      throw new Error(`${where}: #error ${rest}`)
    }
    // #include, #pragma, #warning, #line: nothing to do for a table of numbers
  })
  if (stack.length) throw new Error(`unterminated #if (${stack.length} open at end of file)`)
  return macros
}

/** `__NR_name` macros → Map(nr → name), in number order. */
export function syscallTable(macros, source) {
  const byNr = new Map()
  for (const [macro, body] of macros) {
    if (!macro.startsWith('__NR_') || typeof body !== 'string') continue
    const name = macro.slice('__NR_'.length)
    if (NOT_SYSCALLS.has(name)) continue
    const nr = evaluate(body, macros)
    if (!Number.isInteger(nr) || nr < 0) throw new Error(`${source}: ${macro} is not a syscall number: ${body}`)
    const other = byNr.get(nr)
    if (other !== undefined) throw new Error(`${source}: ${nr} is both ${other} and ${name}`)
    byNr.set(nr, name)
  }
  if (byNr.size === 0) throw new Error(`${source}: no __NR_ definitions found`)
  return new Map([...byNr].sort((a, b) => a[0] - b[0]))
}

/** The header's table with the newer syscalls it lacks; returns how many were added. */
function addNewer(table, entries) {
  const names = new Set(table.values())
  let added = 0
  for (const [nr, name] of entries) {
    if (table.has(nr) || names.has(name)) continue
    table.set(nr, name)
    added++
  }
  const sorted = [...table].sort((a, b) => a[0] - b[0])
  table.clear()
  for (const [nr, name] of sorted) table.set(nr, name)
  return added
}

export function buildTables({ x86Header, genericHeader, headersOnly }) {
  const x86 = syscallTable(preprocess(readFileSync(x86Header, 'utf8'), X86_64_MACROS), x86Header)
  const arm = syscallTable(preprocess(readFileSync(genericHeader, 'utf8'), AARCH64_MACROS), genericHeader)
  const newer = { x86_64: 0, aarch64: 0 }
  if (!headersOnly) {
    newer.x86_64 = addNewer(x86, [...NEWER_SYSCALLS.both, ...NEWER_SYSCALLS.x86_64])
    newer.aarch64 = addNewer(arm, [...NEWER_SYSCALLS.both, ...NEWER_SYSCALLS.aarch64])
  }
  return { x86_64: x86, aarch64: arm, newer }
}

// ---------------------------------------------------------------------------------------------
// Output

function commandLine(opts) {
  const args = ['node scripts/gen-syscall-table.mjs']
  if (opts.x86Header !== DEFAULTS.x86Header) args.push(`--x86_64-header ${opts.x86Header}`)
  if (opts.genericHeader !== DEFAULTS.genericHeader) args.push(`--generic-header ${opts.genericHeader}`)
  if (opts.headersOnly) args.push('--headers-only')
  return args.join(' ')
}

function sources(opts, tables) {
  const newer = (n) => (n ? `, plus ${n} newer syscall${n === 1 ? '' : 's'} (up to Linux 6.18) the header lacks` : '')
  return [
    `x86_64:  ${opts.x86Header}${newer(tables.newer.x86_64)}`,
    `aarch64: ${opts.genericHeader} with arm64's __ARCH_WANT_* choices${newer(tables.newer.aarch64)}`
  ]
}

const maxNr = (table) => Math.max(...table.keys())

export function renderTs(opts, tables) {
  const map = (table) => [...table].map(([nr, name]) => `  ${nr}: '${name}',`).join('\n')
  return [
    `// Generated by \`${commandLine(opts)}\` from the kernel UAPI headers.`,
    '// Do not edit: rerun that command (`--check` tells whether this file is current).',
    ...sources(opts, tables).map((s) => `//   ${s}`),
    '',
    '/** x86_64 syscall number → name. */',
    'export const SYSCALLS_X86_64: Readonly<Record<number, string>> = {',
    map(tables.x86_64),
    '}',
    '',
    '/** Highest x86_64 syscall number in SYSCALLS_X86_64. */',
    `export const MAX_NR_X86_64 = ${maxNr(tables.x86_64)}`,
    '',
    '/** aarch64 syscall number → name. */',
    'export const SYSCALLS_AARCH64: Readonly<Record<number, string>> = {',
    map(tables.aarch64),
    '}',
    '',
    '/** Highest aarch64 syscall number in SYSCALLS_AARCH64. */',
    `export const MAX_NR_AARCH64 = ${maxNr(tables.aarch64)}`,
    ''
  ].join('\n')
}

export function renderC(opts, tables) {
  const array = (arch, table) => {
    const ARCH = arch.toUpperCase()
    return [
      `/* ${arch}: highest number + 1; numbers without a syscall hold NULL */`,
      `#define SYSCALL_NAMES_${ARCH}_LEN ${maxNr(table) + 1}`,
      '',
      `static const char *const syscall_names_${arch}[SYSCALL_NAMES_${ARCH}_LEN] = {`,
      ...[...table].map(([nr, name]) => `\t[${nr}] = "${name}",`),
      '};',
      ''
    ]
  }
  return [
    `/* Generated by \`${commandLine(opts)}\` from the kernel UAPI headers.`,
    ' * Do not edit: rerun that command (`--check` tells whether this file is current).',
    ...sources(opts, tables).map((s) => ` *   ${s}`),
    ' */',
    '#ifndef SYSCOPE_SYSCALL_NAMES_H',
    '#define SYSCOPE_SYSCALL_NAMES_H',
    '',
    '#include <stddef.h>',
    '',
    '/* the arch argument of syscall_name() */',
    'enum syscope_arch {',
    '\tARCH_X86_64 = 0,',
    '\tARCH_AARCH64 = 1,',
    '};',
    '',
    ...array('x86_64', tables.x86_64),
    ...array('aarch64', tables.aarch64),
    '/* The name of syscall nr on arch, or NULL for a number (or arch) these tables do not know. */',
    'static inline const char *syscall_name(int arch, long nr)',
    '{',
    '\tif (nr < 0)',
    '\t\treturn NULL;',
    '\tswitch (arch) {',
    '\tcase ARCH_X86_64:',
    '\t\treturn nr < SYSCALL_NAMES_X86_64_LEN ? syscall_names_x86_64[nr] : NULL;',
    '\tcase ARCH_AARCH64:',
    '\t\treturn nr < SYSCALL_NAMES_AARCH64_LEN ? syscall_names_aarch64[nr] : NULL;',
    '\tdefault:',
    '\t\treturn NULL;',
    '\t}',
    '}',
    '',
    '#endif /* SYSCOPE_SYSCALL_NAMES_H */',
    ''
  ].join('\n')
}

export function generate(opts) {
  const tables = buildTables(opts)
  return { ts: renderTs(opts, tables), c: renderC(opts, tables), tables }
}

// ---------------------------------------------------------------------------------------------

function readOrNull(path) {
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    if (e.code === 'ENOENT') return null
    throw e
  }
}

function options(argv) {
  try {
    return parseArgs({
      args: argv,
      options: {
        'x86_64-header': { type: 'string', default: DEFAULTS.x86Header },
        'generic-header': { type: 'string', default: DEFAULTS.genericHeader },
        'out-ts': { type: 'string', default: DEFAULTS.outTs },
        'out-c': { type: 'string', default: DEFAULTS.outC },
        'headers-only': { type: 'boolean', default: false },
        check: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false }
      }
    }).values
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)} (see --help)`, { cause: e })
  }
}

function main(argv) {
  const values = options(argv)
  if (values.help) {
    process.stdout.write(HELP)
    return 0
  }
  const opts = { x86Header: values['x86_64-header'], genericHeader: values['generic-header'], headersOnly: values['headers-only'] }
  const { ts, c, tables } = generate(opts)
  const outputs = [
    [values['out-ts'], ts],
    [values['out-c'], c]
  ]
  if (values.check) {
    const stale = outputs.filter(([path, text]) => readOrNull(path) !== text).map(([path]) => path)
    if (stale.length) {
      process.stderr.write(`syscall tables are stale: ${stale.join(', ')}\nregenerate with: ${commandLine(opts)}\n`)
      return 1
    }
    process.stdout.write(`syscall tables are up to date (x86_64: ${tables.x86_64.size}, aarch64: ${tables.aarch64.size} syscalls)\n`)
    return 0
  }
  for (const [path, text] of outputs) writeFileSync(path, text)
  process.stdout.write(`wrote ${outputs.map(([p]) => p).join(' and ')} (x86_64: ${tables.x86_64.size}, aarch64: ${tables.aarch64.size} syscalls)\n`)
  return 0
}

function isMain() {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isMain()) {
  try {
    process.exitCode = main(process.argv.slice(2))
  } catch (e) {
    process.stderr.write(`gen-syscall-table: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exitCode = 2
  }
}
