// Byte budgets of the views a model sees (SPEC §7).

/** `bash_status` and similar previews. */
export const STATUS_PREVIEW_BYTES = 8 * 1024
/** A completion of a task that succeeded. */
export const COMPLETION_SUCCESS_BYTES = 1024
/** A completion of a task that failed: room for the first error as well as the end. */
export const COMPLETION_FAILURE_BYTES = 4 * 1024
/** The result of a foreground command. */
export const FOREGROUND_RESULT_BYTES = 16 * 1024
