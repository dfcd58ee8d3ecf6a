import type { LinePriority } from './important.js'

/** One line of the folded output, as the builder keeps it. */
export interface Line {
  index: number
  /** Bytes of the folded output before this line. */
  offset: number
  /** Bytes of the line in the folded output, its newline included. */
  size: number
  /** The line, cut to the budget when longer (it can never be shown whole then). */
  text: string
  /** The line as a view shows it: cut to a quarter of the budget. */
  shown: string
  shownSize: number
  priority: LinePriority
  /** A plain line just after an error line. */
  isContext: boolean
  /** A plain line after an error's context that still reads as part of it (FURTHER_LINES). */
  isFurther: boolean
}

/** Keeps the first lines until `maxBytes` and the last ones within `maxBytes`. */
export class EndsKeeper {
  readonly early: Line[] = []
  #earlyBytes = 0
  readonly late: Line[] = []
  #lateStart = 0
  #lateBytes = 0
  constructor(readonly maxBytes: number) {}

  add(line: Line): void {
    if (this.#earlyBytes < this.maxBytes) {
      this.early.push(line)
      this.#earlyBytes += line.shownSize
      return
    }
    this.late.push(line)
    this.#lateBytes += line.shownSize
    while (this.#lateBytes - this.late[this.#lateStart]!.shownSize >= this.maxBytes) {
      this.#lateBytes -= this.late[this.#lateStart++]!.shownSize
    }
    // Compact now and then so the array stays bounded.
    if (this.#lateStart > 1024 && this.#lateStart * 2 > this.late.length) {
      this.late.splice(0, this.#lateStart)
      this.#lateStart = 0
    }
  }

  lines(): Line[] {
    return [...this.early, ...this.late.slice(this.#lateStart)]
  }
}
