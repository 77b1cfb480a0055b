// The house rule for src/ (docs/architecture.md): imports run one way, from the entry points down
// to the shared contract, and no module reaches itself through its imports. Read from the sources
// with the TypeScript compiler's own import scanner, so a new file is checked without being
// listed anywhere.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')

/**
 * The layers of src/main and its neighbours, lowest first. A module may import its own layer
 * and the layers below it, never one above. Inside a layer the rooms may use each other, as
 * long as no circle forms.
 */
export const LAYERS: readonly { name: string; holds: readonly string[] }[] = [
  { name: 'shared contract', holds: ['src/shared/'] },
  {
    name: 'base: errors, line splitter, paths, system, shared shapes',
    holds: ['src/main/errors.ts', 'src/main/line-splitter.ts', 'src/main/paths.ts', 'src/main/system.ts', 'src/main/types/']
  },
  { name: 'readers: /proc and the helper', holds: ['src/main/proc/', 'src/main/helper/'] },
  { name: 'column store', holds: ['src/main/store/'] },
  { name: 'recording file', holds: ['src/main/recording/'] },
  { name: 'analysis', holds: ['src/main/analysis/'] },
  { name: 'session lifecycle', holds: ['src/main/session/'] },
  { name: 'setup and doctor', holds: ['src/main/doctor.ts', 'src/main/setup/'] },
  { name: 'api', holds: ['src/main/api/', 'src/main/processes.ts'] },
  { name: 'entry points', holds: ['src/main/index.ts', 'src/main/serve.ts', 'src/cli/'] }
]

/** The other processes: each may import itself and the shared contract, nothing else of src/. */
const SIDES = ['src/renderer/', 'src/preload/']

export type ImportGraph = Map<string, string[]>

function layerOf(file: string): number {
  let best = -1
  let bestLength = 0
  LAYERS.forEach((l, i) => {
    for (const p of l.holds) {
      if (file.startsWith(p) && p.length > bestLength) {
        best = i
        bestLength = p.length
      }
    }
  })
  return best
}

/** Every import that breaks the layer rule, as "from -> to (why)". */
export function layerViolations(graph: ImportGraph): string[] {
  const out: string[] = []
  for (const [from, tos] of graph) {
    const side = SIDES.find((s) => from.startsWith(s))
    for (const to of tos) {
      if (side) {
        if (!to.startsWith(side) && !to.startsWith('src/shared/')) out.push(`${from} -> ${to} (${side} may import only itself and src/shared)`)
        continue
      }
      if (SIDES.some((s) => to.startsWith(s))) {
        out.push(`${from} -> ${to} (another process's code)`)
        continue
      }
      const a = layerOf(from)
      const b = layerOf(to)
      if (a < 0) out.push(`${from} (in no layer: add it to LAYERS in test/shared/layers.test.ts)`)
      else if (b > a) out.push(`${from} -> ${to} (${LAYERS[a]!.name} imports ${LAYERS[b]!.name}, a layer above it)`)
    }
  }
  return [...new Set(out)]
}

/** The circles in the graph: each strongly connected set of two or more modules (Tarjan). */
export function importCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const cycles: string[][] = []
  let next = 0
  const visit = (v: string): void => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        scc.push(w)
      } while (w !== v)
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort())
    }
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return cycles
}

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${name}`
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sourceFiles(path))
    else if (/\.(ts|vue)$/.test(name) && !name.endsWith('.d.ts')) out.push(path)
  }
  return out
}

const ALIASES: Record<string, string> = { '@shared/': 'src/shared/', '@renderer/': 'src/renderer/src/' }

/** The file an import names, relative to the repository root; null for a package. */
function resolveImport(from: string, spec: string): string | null {
  let base: string
  const alias = Object.keys(ALIASES).find((a) => spec.startsWith(a))
  if (alias) base = ALIASES[alias]! + spec.slice(alias.length)
  else if (spec.startsWith('.')) base = relative(ROOT, resolve(ROOT, dirname(from), spec))
  else return null
  base = base.replace(/\.js$/, '')
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    if (existsSync(join(ROOT, candidate)) && statSync(join(ROOT, candidate)).isFile()) return candidate
  }
  throw new Error(`${from}: cannot find the file that '${spec}' names`)
}

/** The import graph of src/, from every import, export ... from and import() in it. */
export function readImportGraph(): ImportGraph {
  const graph: ImportGraph = new Map()
  for (const file of sourceFiles('src')) {
    let text = readFileSync(join(ROOT, file), 'utf8')
    if (file.endsWith('.vue')) text = [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n')
    const targets = ts
      .preProcessFile(text, true, true)
      .importedFiles.map((i) => resolveImport(file, i.fileName))
      .filter((t): t is string => t !== null)
    graph.set(file, [...new Set(targets)])
  }
  return graph
}

describe('the layers of src/', () => {
  const graph = readImportGraph()

  it('reads the imports of the whole tree', () => {
    expect(graph.size).toBeGreaterThan(50)
    // a known edge, so a scanner that finds nothing cannot pass
    expect(graph.get('src/main/store/store.ts')).toContain('src/main/store/session-ticks.ts')
  })

  it('has no import circles', () => {
    expect(importCycles(graph)).toEqual([])
  })

  it('imports only downwards', () => {
    expect(layerViolations(graph)).toEqual([])
  })

  it('would catch a circle and an upward import', () => {
    const bad: ImportGraph = new Map([
      ['src/main/analysis/summary.ts', ['src/main/store/store.ts']],
      ['src/main/store/store.ts', ['src/main/recording/digest.ts']],
      ['src/main/recording/digest.ts', ['src/main/analysis/summary.ts']],
      ['src/renderer/src/App.vue', ['src/main/errors.ts']]
    ])
    expect(importCycles(bad)).toEqual([['src/main/analysis/summary.ts', 'src/main/recording/digest.ts', 'src/main/store/store.ts']])
    expect(layerViolations(bad)).toEqual([
      'src/main/store/store.ts -> src/main/recording/digest.ts (column store imports recording file, a layer above it)',
      'src/main/recording/digest.ts -> src/main/analysis/summary.ts (recording file imports analysis, a layer above it)',
      'src/renderer/src/App.vue -> src/main/errors.ts (src/renderer/ may import only itself and src/shared)'
    ])
  })
})
