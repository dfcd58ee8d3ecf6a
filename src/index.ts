// The public library API of bgbash. Faces (MCP, NDJSON, CLI) use only what is exported here.

export { TASK_ID_PATTERN } from './constants.js'
export { getDefaultSessionId, openTaskManager, resolveProject } from './engine/open.js'
export { TIMEOUT_EXIT_CODE } from './engine/outcome.js'
export { MAX_WATCHES_PER_TASK, type OutputWatchEvent } from './engine/output-watches.js'
export { findProjectRoot } from './engine/project.js'
export {
  DEFAULT_READY_TIMEOUT_MS,
  type ReadyReason,
  type ReadyResult,
  type ReadyWhen,
} from './engine/ready.js'
export { listSessionIds } from './engine/sessions.js'
export type {
  AckOptions,
  GcOptions,
  GcResult,
  KillOptions,
  ListOptions,
  ListScope,
  TaskManager,
  TaskManagerEvents,
  TaskManagerOptions,
  WaitOptions,
} from './engine/task-manager.js'
export { isTerminal } from './engine/task-manager.js'
export type { WaitForOptions, WaitForReason, WaitForResult } from './engine/wait-for.js'
export type { OutputWaitReason, WaitForOutputOptions } from './engine/wait-output.js'
export { BgbashError, ERROR_CODES, type ErrorCode } from './errors.js'
export {
  buildView,
  COMPLETION_FAILURE_BYTES,
  COMPLETION_SUCCESS_BYTES,
  cleanText,
  collapseRedraws,
  FOREGROUND_RESULT_BYTES,
  type OutputView,
  STATUS_PREVIEW_BYTES,
  stripAnsi,
  type ViewOptions,
} from './output/index.js'
export { findClientProcess } from './proc/client.js'
export { segmentName, splitPipeline } from './proc/pipeline.js'
export { type ProcessUsage, readProcessUsage } from './proc/usage.js'
export { getTaskDir, isTaskId, resolveStoreRoot, type TaskIdStyle } from './store/paths.js'
export {
  type Completion,
  EndReason,
  type GrepMatch,
  KillReason,
  type LeftoverProcess,
  type Logger,
  type LongRunningNotice,
  type ReadOptions,
  type ReadResult,
  type ShellName,
  type SpawnedTask,
  type SpawnOptions,
  type TaskRecord,
  TaskStatus,
  TERMINAL_STATUSES,
} from './types.js'
export type { LogMatch } from './watch/log-scanner.js'
