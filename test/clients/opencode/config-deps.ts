// OpenCode installs @opencode-ai/plugin (pinned to its own version) into every config directory
// it loads, at every start, as a detached background job (`Npm.install` in its bundle). It skips
// the install when the directory has a node_modules and its package-lock.json lists every
// dependency of its package.json. Installing it once into the harness's cache dir and linking it
// into each run's config dir keeps the runs fast and off the network.

import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { HARNESSES } from '../install.js'

const run = promisify(execFile)

const PLUGIN_PKG = '@opencode-ai/plugin'

/**
 * Gives `configDir` (OpenCode's `$XDG_CONFIG_HOME/opencode`) the plugin package OpenCode would
 * install there, from a copy kept beside the harness (`<harness prefix>/config-deps`).
 */
export async function linkConfigDeps({ executable, configDir }: { executable: string; configDir: string }) {
  // installHarness puts the executable at <prefix>/node_modules/.bin/opencode.
  const prefix = path.resolve(path.dirname(executable), '..', '..')
  const cached = await installConfigDeps(path.join(prefix, 'config-deps'))
  fs.mkdirSync(configDir, { recursive: true })
  for (const name of ['package.json', 'package-lock.json'])
    fs.copyFileSync(path.join(cached, name), path.join(configDir, name))
  fs.symlinkSync(path.join(cached, 'node_modules'), path.join(configDir, 'node_modules'))
}

/** Installs the plugin package into `dir` once; a half-done install is never taken for a done one. */
async function installConfigDeps(dir: string): Promise<string> {
  if (fs.existsSync(path.join(dir, '.installed'))) return dir
  const staging = fs.mkdtempSync(`${dir}.staging-`)
  try {
    fs.writeFileSync(path.join(staging, 'package.json'), '{"private":true}\n')
    const spec = `${PLUGIN_PKG}@${HARNESSES.opencode.version}`
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--save-exact', spec], {
      cwd: staging,
      // npm's download cache stays beside the copy, not in ~/.npm.
      env: { ...process.env, npm_config_cache: `${dir}.npm-cache` },
      maxBuffer: 16 * 1024 * 1024,
    })
    fs.writeFileSync(path.join(staging, '.installed'), `${spec}\n`)
    // Another run may have finished first: its copy is as good as this one.
    if (!fs.existsSync(path.join(dir, '.installed'))) {
      fs.rmSync(dir, { recursive: true, force: true })
      fs.renameSync(staging, dir)
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true })
  }
  return dir
}
