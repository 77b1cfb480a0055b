// Names the processes gave, as text for a person: a file name, a command line or a comm may hold
// any byte but NUL and '/', so an escape sequence in one would recolour, retitle or rewrite the
// user's terminal, a newline would forge a line of the summary, and a byte that is not UTF-8
// would show as "�" (two such names alike). These are shown as escapes instead (as `ls` and
// strace do); everything else is left as it was. The JSON keeps the names exactly.

// C0 controls and DEL, C1 controls, the bidirectional overrides and isolates (which reorder what
// follows them on the line), and the lone surrogates U+DC80..U+DCFF by which the helper keeps a
// byte that is not UTF-8 (helper/json.c; with the u flag a surrogate pair is one code point, so
// only a lone one matches)
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\udc80-\udcff]/gu
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** s with each such character written as an escape: "\n", "\x1b", "\u202e", and "\xff" for the byte 0xff */
export function printable(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0)
    if (code >= 0xdc80 && code <= 0xdcff) return `\\x${(code - 0xdc00).toString(16)}`
    return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`)
  })
}

/** v with printable() applied to every string in it, at any depth (a copy; v is left as it was) */
export function printableDeep<T>(v: T): T {
  if (typeof v === 'string') return printable(v) as T
  if (Array.isArray(v)) return v.map(printableDeep) as T
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) out[printable(k)] = printableDeep(x)
    return out as T
  }
  return v
}
