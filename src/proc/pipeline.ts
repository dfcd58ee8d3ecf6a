// Whether a command is one pipeline (`a | b | c`), as the shell splits it, and its segments.
// Used to learn each stage's exit code (bash's PIPESTATUS), so a failure upstream of a stage that
// succeeded is not lost in the pipeline's own exit code.

/**
 * The segments of a command that is a single pipeline of two or more stages, trimmed; undefined
 * for anything else: a list (`a; b`, `a && b`, `a || b`), a background job (`a &`), several lines,
 * a comment, an unclosed quote or bracket. Quotes, escapes, `$(…)`, backquotes and `(…)` are
 * honoured; `|&` splits like `|`; `2>&1`, `>&2` and `&>` are redirections, not separators.
 */
export function splitPipeline(command: string): string[] | undefined {
  const text = command.trim()
  // A line continuation at the end would join whatever is put after the command.
  if (text.endsWith('\\')) return undefined
  const segments: string[] = []
  /** What the text is inside of: quotes, `(…)` and `$(…)`, backquotes; empty at the top level. */
  const open: string[] = []
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    const inside = open.at(-1)
    if (inside === "'") {
      if (ch === "'") open.pop()
      continue
    }
    if (ch === '\\') {
      i++
      continue
    }
    if (inside === '"' || inside === '`') {
      if (ch === inside) open.pop()
      else if (ch === '$' && text[i + 1] === '(') {
        open.push('(')
        i++
      } else if (ch === '`') open.push('`')
      continue
    }
    if (ch === "'" || ch === '"' || ch === '`' || ch === '(') open.push(ch)
    else if (ch === ')') {
      if (open.pop() !== '(') return undefined
    } else if (inside !== undefined) continue
    else if (ch === ';' || ch === '\n' || (ch === '#' && /\s/.test(text[i - 1] ?? ' '))) return undefined
    else if (ch === '&') {
      // A redirection (`2>&1`, `>&2`, `&>`), or the `&` of `|&`: anything else ends a job.
      if (text[i - 1] === '>' || text[i - 1] === '<' || text[i + 1] === '>' || text[i - 1] === '|') continue
      return undefined
    } else if (ch === '|') {
      if (text[i + 1] === '|') return undefined
      segments.push(text.slice(start, i))
      start = text[i + 1] === '&' ? i + 2 : i + 1
    }
  }
  if (open.length > 0 || segments.length === 0) return undefined
  segments.push(text.slice(start))
  const trimmed = segments.map((segment) => segment.trim())
  return trimmed.some((segment) => segment === '') ? undefined : trimmed
}

/** How a segment is named in a note: its first word, past `NAME=value` assignments. */
export function segmentName(segment: string): string {
  const words = segment.split(/\s+/)
  return words.find((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) ?? words[0] ?? segment
}

/**
 * The command, for bash, followed by a line that writes each stage's exit code (PIPESTATUS, one a
 * line) to `file` and exits with the pipeline's own code, as it would have.
 */
export function capturePipelineStatus(command: string, file: string): string {
  const quoted = `'${file.replaceAll("'", "'\\''")}'`
  return `${command}
__bgbash_status=("\${PIPESTATUS[@]}"); printf '%s\\n' "\${__bgbash_status[@]}" > ${quoted}; exit "\${__bgbash_status[\${#__bgbash_status[@]}-1]}"`
}
