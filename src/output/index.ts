// Views of a task's output for a model: pure functions, no I/O.
export { stripAnsi } from './ansi.js'
export {
  COMPLETION_FAILURE_BYTES,
  COMPLETION_SUCCESS_BYTES,
  FOREGROUND_RESULT_BYTES,
  STATUS_PREVIEW_BYTES,
} from './budgets.js'
export { cleanText } from './clean.js'
export { foldRepeats, isFoldMarker, RepeatFolder } from './fold.js'
export { classifyLine, LinePriority } from './important.js'
export { getLineShape, isSameShape } from './line-shape.js'
export { collapseRedraws } from './redraw.js'
export { buildView, cutToBytes, type OutputView, type ViewOptions } from './view.js'
export { ViewBuilder } from './view-builder.js'
