import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The harnesses the matrix drives, pinned. */
export const HARNESSES = {
  'claude-code': { pkg: '@anthropic-ai/claude-code', version: '2.1.328', bin: 'claude' },
  codex: { pkg: '@openai/codex', version: '0.169.0', bin: 'codex' },
  opencode: { pkg: 'opencode-ai', version: '1.18.33', bin: 'opencode' },
} as const
export type HarnessName = keyof typeof HARNESSES

/** The built bgbash CLI of this checkout (`npm run build` first). */
export const BGBASH_BIN = fileURLToPath(new URL('../../dist/bin/bgbash.js', import.meta.url))

/**
 * Installs a harness from npm into a temp directory (kept across runs under the OS temp dir, keyed
 * by version, so a second run does not download it again) and returns its executable.
 */
export async function installHarness(name: HarnessName): Promise<string> {
  const { pkg, version, bin } = HARNESSES[name]
  const root = process.env.BGBASH_CLIENTS_CACHE ?? path.join(os.tmpdir(), 'bgbash-clients')
  const prefix = path.join(root, `${name}-${version}`)
  const executable = path.join(prefix, 'node_modules', '.bin', bin)
  if (fs.existsSync(path.join(prefix, '.installed'))) return executable
  fs.mkdirSync(prefix, { recursive: true })
  fs.writeFileSync(path.join(prefix, 'package.json'), '{"private":true}\n')
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `${pkg}@${version}`], {
    cwd: prefix,
    maxBuffer: 16 * 1024 * 1024,
  })
  fs.writeFileSync(path.join(prefix, '.installed'), `${pkg}@${version}\n`)
  return executable
}
