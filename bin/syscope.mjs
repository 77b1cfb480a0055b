#!/usr/bin/env node
// The `syscope` command: runs the bundled CLI (built by `npm run build:cli`, done by setup).
import { existsSync } from 'node:fs'

const bundle = new URL('../out/cli/syscope.mjs', import.meta.url)
if (!existsSync(bundle)) {
  process.stderr.write('syscope: not built yet; run `npm run setup` (or `npm run build:cli`) first\n')
  process.exit(2)
}
await import(bundle.href)
