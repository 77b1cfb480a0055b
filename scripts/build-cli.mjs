#!/usr/bin/env node
// Bundles the `syscope` command (src/cli) and the shared main-process modules into one ESM file
// for plain Node: out/cli/syscope.mjs. The native addon and the helper stay outside the bundle.
import { build } from 'esbuild'

await build({
  entryPoints: ['src/cli/index.ts'],
  outfile: 'out/cli/syscope.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['electron', '@vscode/sudo-prompt', '*.node'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning'
})
