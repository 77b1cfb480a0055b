// Where this installation of syscope lives. Modules are bundled into different places (out/cli,
// out/main) or run from source, so the root is found by walking up to syscope's package.json.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

let root: string | null = null

export function projectRoot(): string {
  if (root) return root
  let dir = import.meta.dirname
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'syscope') return (root = dir)
      } catch {
        /* not ours */
      }
    }
    const up = dirname(dir)
    if (up === dir) return (root = process.cwd())
    dir = up
  }
}
