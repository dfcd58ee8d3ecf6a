import fs from 'node:fs'
import path from 'node:path'
import { BgbashError } from '../errors.js'

/**
 * The project of a directory: the enclosing git repository's root (a `.git` directory or file),
 * else the directory itself; symlinks resolved. Every face finds a client's project this way, so
 * a person's terminal in `app/src` and an agent's server in `app` share one project.
 */
export function findProjectRoot(dir: string): string {
  const real = realpathOr(dir)
  for (let current = real; ; current = path.dirname(current)) {
    if (fs.existsSync(path.join(current, '.git'))) return current
    if (path.dirname(current) === current) return real
  }
}

/** An explicit project root: taken as given (resolved), it must exist. */
export function resolveExplicitProjectRoot(dir: string): string {
  const resolved = path.resolve(dir)
  try {
    return fs.realpathSync(resolved)
  } catch (error) {
    throw new BgbashError(
      'cwd_not_found',
      `Project root not found: ${resolved}. Pass an existing directory.`,
      {
        cause: error,
      },
    )
  }
}

function realpathOr(dir: string): string {
  try {
    return fs.realpathSync(dir)
  } catch {
    // A cwd that vanished: the project is still named by the path the shell reports.
    return path.resolve(dir)
  }
}
