// The launch form's one "arguments" field → argv, with the quoting rules of a POSIX shell but
// no shell: nothing is expanded, globbed or substituted ($HOME, *, `x`, $(x) stay as typed).
//   'single quotes'   everything literal up to the next '
//   "double quotes"   literal except \" \\ \$ \` (and a backslash-newline, which joins lines)
//   \x                outside quotes: x literally (an escaped space does not split)
//   whitespace        separates words; adjacent quoted and unquoted parts make one word

export class ArgsError extends Error {
  constructor(
    message: string,
    /** 0-based position of the offending character */
    readonly at: number
  ) {
    super(message)
  }
}

const DOUBLE_QUOTE_ESCAPES = new Set(['"', '\\', '$', '`'])

export function splitArgs(text: string): string[] {
  const out: string[] = []
  let word = ''
  let inWord = false
  let quoteAt = -1
  let quote: '"' | "'" | null = null
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote === "'") {
      if (c === "'") quote = null
      else word += c
    } else if (quote === '"') {
      if (c === '"') quote = null
      else if (c === '\\' && text[i + 1] === '\n') i++
      else if (c === '\\' && DOUBLE_QUOTE_ESCAPES.has(text[i + 1] ?? '')) word += text[++i]
      else word += c
    } else if (c === "'" || c === '"') {
      quote = c
      quoteAt = i
      inWord = true
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new ArgsError(`a backslash at the end (column ${i + 1}) has nothing to escape`, i)
      // backslash-newline continues the line, as in a shell
      if (text[i + 1] !== '\n') {
        word += text[i + 1]
        inWord = true
      }
      i++
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) out.push(word)
      word = ''
      inWord = false
    } else {
      word += c
      inWord = true
    }
  }
  if (quote) throw new ArgsError(`unbalanced ${quote === '"' ? 'double' : 'single'} quote: the one at column ${quoteAt + 1} is never closed`, quoteAt)
  if (inWord) out.push(word)
  return out
}

/** The parse for display: the words, or the error to show in their place. */
export function tryParseArgs(text: string): { argv: string[]; error: ArgsError | null } {
  try {
    return { argv: splitArgs(text), error: null }
  } catch (e) {
    if (e instanceof ArgsError) return { argv: [], error: e }
    throw e
  }
}
