// The launch form's argv splitting (no shell involved) and environment rows.
import { describe, expect, it } from 'vitest'
import { ArgsError, splitArgs, tryParseArgs } from '../../src/renderer/src/lib/args'
import { envRowsFromText, parseEnvRows } from '../../src/renderer/src/lib/env'

describe('splitArgs', () => {
  it.each([
    ['-j2 all', ['-j2', 'all']],
    [`-c 'echo "a b"'`, ['-c', 'echo "a b"']],
    [`"a \\"q\\" b" c\\ d`, ['a "q" b', 'c d']],
    [`'' x ""`, ['', 'x', '']],
    ['  spaced \t  out \n ', ['spaced', 'out']],
    [`a"b"'c'd`, ['abcd']],
    [`'it''s'`, ['its']],
    [`"\\$HOME \\\`x\\\` \\n"`, ['$HOME `x` \\n']],
    [`'no \\escapes in single'`, ['no \\escapes in single']],
    ['line\\\ncontinued', ['linecontinued']],
    ['ünïcødé 日本', ['ünïcødé', '日本']],
    ['', []]
  ])('splits %j', (text, argv) => expect(splitArgs(text)).toEqual(argv))

  it('expands nothing: substitutions, globs and variables stay as typed', () => {
    expect(splitArgs('$(rm -rf /); `x` * $HOME ~ && |')).toEqual(['$(rm', '-rf', '/);', '`x`', '*', '$HOME', '~', '&&', '|'])
  })

  it('says what is wrong and where', () => {
    expect(() => splitArgs(`a 'b`)).toThrow(/unbalanced single quote: the one at column 3/)
    expect(() => splitArgs(`a "b`)).toThrow(/unbalanced double quote/)
    expect(() => splitArgs('a\\')).toThrow(/backslash at the end/)
    try {
      splitArgs(`ok "never closed`)
    } catch (e) {
      expect(e).toBeInstanceOf(ArgsError)
      expect((e as ArgsError).at).toBe(3)
    }
  })

  it('tryParseArgs gives the words or the error, never throws for bad quoting', () => {
    expect(tryParseArgs('a b')).toEqual({ argv: ['a', 'b'], error: null })
    const r = tryParseArgs(`"x`)
    expect(r.argv).toEqual([])
    expect(r.error?.message).toMatch(/unbalanced/)
  })
})

describe('environment rows', () => {
  it('collects valid rows and ignores empty ones', () => {
    const r = parseEnvRows([
      { key: 'FOO', value: 'bar baz' },
      { key: '', value: '' },
      { key: ' _X1 ', value: '' }
    ])
    expect(r.env).toEqual({ FOO: 'bar baz', _X1: '' })
    expect(r.errors.size).toBe(0)
  })

  it('names the row and the problem', () => {
    const r = parseEnvRows([
      { key: '1BAD', value: 'x' },
      { key: 'A', value: '1' },
      { key: 'A', value: '2' },
      { key: '', value: 'orphan' },
      { key: 'A-B', value: '' }
    ])
    expect(r.errors.get(0)).toMatch(/not a variable name/)
    expect(r.errors.get(2)).toMatch(/already set in row 2/)
    expect(r.errors.get(3)).toMatch(/needs a name/)
    expect(r.errors.get(4)).toMatch(/not a variable name/)
    expect(r.env).toEqual({ A: '1' })
  })

  it('turns pasted KEY=VALUE lines into rows (the value may hold =)', () => {
    expect(envRowsFromText('A=1\n\nB=x=y\nC')).toEqual([
      { key: 'A', value: '1' },
      { key: 'B', value: 'x=y' },
      { key: 'C', value: '' }
    ])
  })
})
