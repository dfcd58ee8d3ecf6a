import { stripAnsi } from './ansi.js'
import { collapseRedraws } from './redraw.js'

/**
 * Text as a terminal would show it, line for line (no folding, so line numbers hold): escape
 * sequences stripped, each `\r` redraw at its last state.
 */
export function cleanText(text: string): string {
  return collapseRedraws(stripAnsi(text))
}
