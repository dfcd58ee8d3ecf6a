import fs from 'node:fs'

/**
 * The package version, from the package.json of the directory above this file's: two levels up
 * from dist/cli/ or src/cli/, one or two from the linked build's files (scripts/link.mjs).
 */
export function readVersion(): string {
  for (const up of ['../../', '../']) {
    try {
      const raw = JSON.parse(fs.readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8'))
      if (raw.name === 'bgbash-mcp' && typeof raw.version === 'string') return raw.version
    } catch {
      // Not there: look one level up.
    }
  }
  return '0.0.0'
}
