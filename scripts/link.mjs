// Links the JavaScript tsc wrote into dist/ into a few files: the entry points (the library and
// the two executables) and the chunks they share. Node loads ES modules one file at a time, and
// `bgbash ls` loaded 81 of them (about 100 ms on a 2-core VM, a fifth of its run); linked, it
// loads a handful. Dynamic imports stay separate chunks, so `bgbash mcp` still answers
// `initialize` before it loads the rest. tsc stays the compiler and the .d.ts files stay as it
// wrote them; packages in node_modules are not linked in.
import fs from 'node:fs'
import path from 'node:path'
import { build } from 'esbuild'

const DIST = 'dist'
const LINKED = 'dist-linked'

fs.rmSync(LINKED, { recursive: true, force: true })
await build({
  entryPoints: ['index.js', 'bin/bgbash.js', 'bin/bgbash-mcp.js'].map((file) => path.join(DIST, file)),
  outdir: LINKED,
  outbase: DIST,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
})
for (const file of fs.readdirSync(DIST, { recursive: true, encoding: 'utf8' })) {
  if (file.endsWith('.js')) fs.rmSync(path.join(DIST, file))
}
fs.cpSync(LINKED, DIST, { recursive: true })
fs.rmSync(LINKED, { recursive: true, force: true })
