import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const PROTOCOL_DOC = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'docs',
  'protocol.md',
)

/** Headings of the two lists of differences in docs/protocol.md. */
const SECTIONS = { kept: '## Differences from AFT, on purpose', open: '## Differences not closed yet' }

/**
 * The ids docs/protocol.md lists under each heading, sorted: list items that open with the id in
 * bold code (`- **\`id\`** …`).
 */
export function readListedDifferences(): { kept: string[]; open: string[] } {
  const text = fs.readFileSync(PROTOCOL_DOC, 'utf8')
  const idsUnder = (heading: string): string[] => {
    const start = text.indexOf(heading)
    if (start < 0) return []
    const rest = text.slice(start + heading.length)
    const end = rest.search(/^## /m)
    const section = end < 0 ? rest : rest.slice(0, end)
    return [...section.matchAll(/^- \*\*`([a-z0-9-]+)`\*\*/gm)].map((m) => m[1]!).sort()
  }
  return { kept: idsUnder(SECTIONS.kept), open: idsUnder(SECTIONS.open) }
}
