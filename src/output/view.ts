import { type OutputView, ViewBuilder, type ViewOptions } from './view-builder.js'

export { cutToBytes, type OutputView, type ViewOptions } from './view-builder.js'

/**
 * A view of a task's output for a model: escape codes stripped, redraws collapsed, repeats
 * folded, and, when it does not fit the budget, the head, the tail and the lines carrying errors,
 * failures, warnings and summaries (the first error always), in their original order, with
 * markers saying what was left out. The same as feeding `raw` to a {@link ViewBuilder}.
 */
export function buildView(raw: string, options: ViewOptions): OutputView {
  const builder = new ViewBuilder(options)
  builder.push(raw)
  return builder.finish()
}
