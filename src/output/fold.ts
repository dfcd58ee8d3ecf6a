/** A run of identical lines shorter than this is left alone. */
const MIN_SAME_RUN = 3
/** A run of similar lines shorter than this is left alone (first and last stay, so 4 saves one). */
const MIN_SIMILAR_RUN = 4

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
 * Folds a stream of lines as they come, holding only the current run: runs of identical lines
 * become the line and "… repeated 240 times …"; runs of lines of the same shape become the first,
 * "… 240 similar lines …" and the last. Lines whose shape is blank fold only when identical.
 */
export class RepeatFolder {
  readonly #emit: (line: string) => void
  /** Grouping key of the current run, undefined when there is none. */
  #key: string | undefined
  #first = ''
  #last = ''
  #count = 0
  #allSame = true
  /** The run's lines while it is too short to fold (at most MIN_SIMILAR_RUN - 1). */
  #few: string[] = []

  /** `emit` receives the folded lines in order. */
  constructor(emit: (line: string) => void) {
    this.#emit = emit
  }

  push(line: string): void {
    const shape = getLineShape(line)
    const key = shape === '' ? `=${line}` : shape
    if (key === this.#key) {
      if (this.#allSame && line !== this.#first && this.#count >= MIN_SAME_RUN) {
        // A different line after a long identical run starts a run of its own.
        this.flush()
      } else {
        this.#allSame &&= line === this.#first
        this.#count++
        this.#last = line
        if (this.#few.length < MIN_SIMILAR_RUN) this.#few.push(line)
        return
      }
    } else {
      this.flush()
    }
    this.#key = key
    this.#first = line
    this.#last = line
    this.#count = 1
    this.#allSame = true
    this.#few = [line]
  }

  /** Emits the current run; call at the end of the stream. */
  flush(): void {
    if (this.#key === undefined) return
    if (this.#allSame && this.#count >= MIN_SAME_RUN) {
      this.#emit(this.#first)
      this.#emit(`… repeated ${(this.#count - 1).toLocaleString('en-US')} times …`)
    } else if (this.#count >= MIN_SIMILAR_RUN) {
      this.#emit(this.#first)
      this.#emit(`… ${(this.#count - 2).toLocaleString('en-US')} similar lines …`)
      this.#emit(this.#last)
    } else {
      for (const line of this.#few) this.#emit(line)
    }
    this.#key = undefined
    this.#few = []
  }
}

/**
 * Folds runs of identical lines ("… repeated 240 times …") and of lines of the same shape
 * ("… 240 similar lines …"), keeping the first line of each run (and the last, for similar ones).
 */
export function foldRepeats(lines: readonly string[]): string[] {
  const out: string[] = []
  const folder = new RepeatFolder((line) => out.push(line))
  for (const line of lines) folder.push(line)
  folder.flush()
  return out
}
