// The session store and what asks it questions, bundled to plain JavaScript (so plain node runs
// it) from this tree or from the sources of another revision: for bench-store.mjs and
// compare-stores.mjs.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

export const root = fileURLToPath(new URL('..', import.meta.url))
/** the last revision that kept one object per tick */
export const BASELINE = process.env.BASELINE ?? 'f2c8050'

/** Bundle `exports` (lines of TypeScript re-exports) of the tree at `dir` to out/bench/NAME.mjs. */
async function bundle(dir, name, exports) {
  const outfile = `${root}out/bench/${name}.mjs`
  await build({
    stdin: { contents: exports.join('\n'), resolveDir: dir, loader: 'ts' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning'
  })
  return outfile
}

/** `path` in the tree at `dir`, or where it was before the store moved out of session/ and the
 * recording format into types/ (a BASELINE older than that) */
function modulePath(dir, path) {
  const before = { 'src/main/store/store': 'src/main/session/store', 'src/main/types/recording-format': 'src/main/recording/format' }
  return existsSync(`${dir}/${path}.ts`) || !before[path] ? `./${path}` : `./${before[path]}`
}

/** Bundle the store of the tree at `dir`; returns the bundle's path. */
export function bundleStore(dir, name) {
  return bundle(dir, `store-${name}`, [
    `export { SessionStore } from '${modulePath(dir, 'src/main/store/store')}'`,
    "export { buildTimelineCsv, buildSummary } from './src/main/analysis/summary'",
    "export { buildDigest } from './src/main/session/digest'",
    `export { PROCESS_COLUMNS } from '${modulePath(dir, 'src/main/types/recording-format')}'`
  ])
}

/** Bundle what reopens a recording tick by tick (loadStore) and the recording writer; returns its path. */
export function bundleReopen(dir, name) {
  return bundle(dir, `reopen-${name}`, [
    "export { loadStore } from './src/main/session/manager'",
    `export { RECORDING_VERSION } from '${modulePath(dir, 'src/main/types/recording-format')}'`
  ])
}

/** The sources of revision `rev`, as they were then: { rev (short), dir }. */
export function checkout(rev) {
  const short = execFileSync('git', ['-C', root, 'rev-parse', '--short', rev], { encoding: 'utf8' }).trim()
  const dir = `${root}out/bench/store-src-${short}`
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  execFileSync('sh', ['-c', 'git -C "$1" archive "$2" src | tar -x -C "$3"', 'sh', root, short, dir])
  return { rev: short, dir }
}
