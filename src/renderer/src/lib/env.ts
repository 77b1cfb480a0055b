// The launch form's environment additions: KEY=VALUE rows, checked the way main checks them
// (src/main/api/validate.ts) so the user sees the problem by the row instead of after Start.

export interface EnvRow {
  key: string
  value: string
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export function parseEnvRows(rows: readonly EnvRow[]): { env: Record<string, string>; errors: Map<number, string> } {
  const env: Record<string, string> = {}
  const errors = new Map<number, string>()
  const seen = new Map<string, number>()
  rows.forEach((r, i) => {
    const key = r.key.trim()
    if (!key && !r.value) return // an empty row is no addition
    if (!key) errors.set(i, 'a value needs a name')
    else if (!NAME.test(key)) errors.set(i, `"${key}" is not a variable name (letters, digits and _, not starting with a digit)`)
    else if (key.length > 256) errors.set(i, 'names are at most 256 characters')
    else if (seen.has(key)) errors.set(i, `${key} is already set in row ${seen.get(key)! + 1}`)
    else {
      seen.set(key, i)
      env[key] = r.value
    }
  })
  return { env, errors }
}

/** A pasted "KEY=VALUE" (or a whole "A=1 B=2" line) into rows. */
export function envRowsFromText(text: string): EnvRow[] {
  return text
    .split(/\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const eq = l.indexOf('=')
      return eq < 0 ? { key: l, value: '' } : { key: l.slice(0, eq), value: l.slice(eq + 1) }
    })
}
