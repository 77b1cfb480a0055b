import { describe, expect, it } from 'vitest'
import { validateArgs } from '../../src/main/api/validate'
import { ApiError } from '../../src/main/errors'

function code(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    return e instanceof ApiError ? `${e.code}: ${e.message}` : `not ApiError: ${String(e)}`
  }
  return 'no error'
}

describe('contract argument validation', () => {
  it('accepts a well-formed launch request and keeps only known fields', () => {
    const [req] = validateArgs('launch', [{ argv: ['tar', '-cf', 'x.tar', 'dir'], cwd: '/tmp', env: { LANG: 'C' }, intervalMs: 100, ebpf: true }])
    expect(req).toEqual({ argv: ['tar', '-cf', 'x.tar', 'dir'], cwd: '/tmp', env: { LANG: 'C' }, intervalMs: 100, ebpf: true })
  })

  it.each([
    ['wrong type for argv', [{ argv: 'tar -cf x' }], /argv: expected a list of strings/],
    ['empty argv', [{ argv: [] }], /argv: is empty/],
    ['empty program', [{ argv: [''] }], /argv\[0\]: must not be empty/],
    ['huge string', [{ argv: ['x'.repeat(200_000)] }], /too long/],
    ['NUL in argument', [{ argv: ['a\0b'] }], /NUL/],
    ['unknown field', [{ argv: ['ls'], shell: true }], /unknown field "shell"/],
    ['interval out of range', [{ argv: ['ls'], intervalMs: 1 }], /intervalMs: 1 is out of range/],
    ['fractional interval', [{ argv: ['ls'], intervalMs: 10.5 }], /expected an integer/],
    ['bad env name', [{ argv: ['ls'], env: { 'A B': 'x' } }], /not a valid variable name/],
    ['env value not a string', [{ argv: ['ls'], env: { A: 1 } }], /env.A: expected a string/],
    ['too many arguments', [{ argv: ['ls'] }, 2], /expects 1 argument/],
    ['null request', [null], /expected an object, got null/]
  ])('rejects %s', (_name, args, re) => {
    expect(code(() => validateArgs('launch', args as unknown[]))).toMatch(/^EINVAL: /)
    expect(code(() => validateArgs('launch', args as unknown[]))).toMatch(re)
  })

  it('checks pids, session ids, ranges and enums', () => {
    expect(code(() => validateArgs('attach', [{ pid: 0 }]))).toMatch(/pid: 0 is out of range/)
    expect(code(() => validateArgs('attach', [{ pid: '12' }]))).toMatch(/pid: expected an integer, got string/)
    expect(code(() => validateArgs('stop', ['../../etc']))).toMatch(/sessionId: contains characters/)
    expect(code(() => validateArgs('stop', ['a'.repeat(65)]))).toMatch(/sessionId: too long/)
    expect(code(() => validateArgs('breakdown', ['abc', 10, 5]))).toMatch(/toMs: 5 is before fromMs 10/)
    expect(code(() => validateArgs('breakdown', ['abc', Number.NaN, 5]))).toMatch(/fromMs: expected a number/)
    expect(code(() => validateArgs('exportRecording', ['abc', 'xml']))).toMatch(/expected "json" or "csv"/)
    expect(code(() => validateArgs('snapshot', ['abc', 5]))).toMatch(/maxPoints: 5 is out of range/)
    expect(code(() => validateArgs('pickFile', ['anything']))).toMatch(/purpose/)
    expect(validateArgs('breakdown', ['abc', 0, 1000])).toEqual(['abc', 0, 1000])
    // one process's latency, or every process's (null, or left out)
    expect(validateArgs('latency', ['abc', 0, 1000, 42])).toEqual(['abc', 0, 1000, 42])
    expect(validateArgs('latency', ['abc', 0, 1000])).toEqual(['abc', 0, 1000, null])
    expect(code(() => validateArgs('latency', ['abc', 0, 1000, '42']))).toMatch(/pid: expected an integer, got string/)
    expect(code(() => validateArgs('latency', ['abc', 0, 1000, 0]))).toMatch(/pid: 0 is out of range/)
  })
})
