// Splits what the user typed into argv the way a shell would quote it, without any shell:
// 'single', "double" (with \" and \\), backslash escapes, whitespace between words.
export function splitArgs(text: string): string[] {
  const out: string[] = []
  let cur = ''
  let inWord = false
  let quote: '"' | "'" | null = null
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote === "'") {
      if (c === "'") quote = null
      else cur += c
    } else if (quote === '"') {
      if (c === '"') quote = null
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) cur += text[++i]
      else cur += c
    } else if (c === "'" || c === '"') {
      quote = c
      inWord = true
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new Error('a backslash at the end has nothing to escape')
      cur += text[++i]
      inWord = true
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur)
      cur = ''
      inWord = false
    } else {
      cur += c
      inWord = true
    }
  }
  if (quote) throw new Error(`unbalanced ${quote === '"' ? 'double' : 'single'} quote`)
  if (inWord) out.push(cur)
  return out
}
