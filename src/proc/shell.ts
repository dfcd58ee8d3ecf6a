import fs from 'node:fs'
import path from 'node:path'
import { BgbashError } from '../errors.js'
import type { ShellName } from '../types.js'

const SHELLS: readonly ShellName[] = ['bash', 'sh', 'zsh']
const found = new Map<string, string | undefined>()

/** Finds an executable on PATH (cached: PATH does not change under a running manager). */
export function findExecutable(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  const key = `${name}\0${searchPath}`
  if (found.has(key)) return found.get(key)
  let hit: string | undefined
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue
    const candidate = path.join(dir, name)
    try {
      fs.accessSync(candidate, fs.constants.X_OK)
      if (fs.statSync(candidate).isFile()) {
        hit = candidate
        break
      }
    } catch {
      // Not in this directory: keep looking.
    }
  }
  found.set(key, hit)
  return hit
}

/** The shell a task runs in: the one asked for, else bash when present, else sh. */
export function resolveShell(name: string | undefined, searchPath?: string): string {
  if (name !== undefined && !SHELLS.includes(name as ShellName)) {
    throw new BgbashError(
      'invalid_request',
      `Invalid shell: ${JSON.stringify(name)}. Use one of ${SHELLS.join(', ')}.`,
    )
  }
  const wanted = name ?? (findExecutable('bash', searchPath) ? 'bash' : 'sh')
  const shellPath = findExecutable(wanted, searchPath)
  if (!shellPath) {
    throw new BgbashError(
      'spawn_failed',
      `Shell not found: ${wanted}. Install it or pick another shell (bash, sh).`,
      {
        data: { shell: wanted },
      },
    )
  }
  return shellPath
}
