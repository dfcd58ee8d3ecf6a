/** A run shorter than this is left alone. */
const MIN_RUN = 3

/** The shape of a line: digits, hex ids and times replaced, so "row 17" and "row 18" are alike. */
export function getLineShape(line: string): string {
  return line
    .replace(/\b[0-9a-f]{7,}\b/gi, '#')
    .replace(/\d+(?:[.:]\d+)*/g, '#')
    .trim()
}

/** Marks the folded lines: the first line of a run stays, this line stands for the rest. */
export function isFoldMarker(line: string): boolean {
  return /^… (?:repeated \d[\d,]* times|\d[\d,]* similar lines) …$/.test(line)
}

/**
 * Folds runs of identical lines ("… repeated 240 times …") and of lines of the same shape
 * ("… 240 similar lines …"), keeping the first line of each run (and the last, for similar ones).
 */
export function foldRepeats(lines: readonly string[]): string[] {
  const out: string[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i]!
    let same = i + 1
    while (same < lines.length && lines[same] === line) same++
    if (same - i >= MIN_RUN) {
      out.push(line, `… repeated ${(same - i - 1).toLocaleString('en-US')} times …`)
      i = same
      continue
    }
    const shape = getLineShape(line)
    let alike = i + 1
    while (alike < lines.length && shape !== '' && getLineShape(lines[alike]!) === shape) alike++
    if (alike - i >= MIN_RUN + 1) {
      out.push(line, `… ${(alike - i - 2).toLocaleString('en-US')} similar lines …`, lines[alike - 1]!)
      i = alike
      continue
    }
    out.push(line)
    i++
  }
  return out
}
