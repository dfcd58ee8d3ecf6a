import fs from 'node:fs'

/** The package version, read from package.json next to dist/ (or src/ under tsx). */
export function readVersion(): string {
  try {
    const url = new URL('../../package.json', import.meta.url)
    return (JSON.parse(fs.readFileSync(url, 'utf8')) as { version: string }).version
  } catch {
    return '0.0.0'
  }
}
