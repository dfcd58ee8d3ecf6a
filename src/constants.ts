/**
 * Task ids: `bgb-` + 8 lowercase hex digits (SPEC §2), or AFT's form, `bash-` + 16 lowercase hex
 * digits, which managers made with `taskIdStyle: 'aft'` (the NDJSON face) hand out. Both are
 * checked before an id touches a path; neither can name anything but a task directory.
 */
export const TASK_ID_PATTERN = /^(?:bgb-[0-9a-f]{8}|bash-[0-9a-f]{16})$/

/** Version of the on-disk records this code writes and understands (SPEC §3). */
export const SCHEMA_VERSION = 1

/** Largest command accepted, in bytes (SPEC §4). */
export const MAX_COMMAND_BYTES = 256 * 1024

/**
 * Longest single argument or environment string Linux passes to a new program, its NUL
 * included (MAX_ARG_STRLEN, 32 pages): longer ones make exec fail with E2BIG.
 */
export const MAX_ARG_BYTES = 128 * 1024

/**
 * Longest command handed to the shell as its `-c` argument; a longer one is written to the task's
 * `command.sh` and sourced from there (it would not fit an argument, and the arguments and
 * environment of a program share one limit, about 2 MiB here).
 */
export const INLINE_COMMAND_MAX_BYTES = 64 * 1024

/** Default deadline of a task: 30 minutes (SPEC §4). */
export const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000

/** Longest deadline a task may ask for: 7 days (SPEC §4). */
export const MAX_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000

/** Running tasks a session may have at once (SPEC §4). */
export const DEFAULT_MAX_RUNNING = 32

/** Time between SIGTERM and SIGKILL when killing a task (SPEC §6). */
export const DEFAULT_KILL_GRACE_MS = 2000

/** Interval of the long-running reminder (SPEC §5). */
export const DEFAULT_LONG_RUNNING_MS = 10 * 60 * 1000

/** Interval of the liveness sweep over adopted tasks: SPEC §5 asks for 1–2 s. */
export const LIVENESS_SWEEP_MS = 1500

/** Disk cap of one task's log (SPEC §7). */
export const DEFAULT_OUTPUT_CAP_BYTES = 100 * 1024 * 1024

/** Bytes at the start of a log that the disk cap never drops (SPEC §7). */
export const OUTPUT_HEAD_KEEP_BYTES = 1024 * 1024

/** Retention of a delivered (or never-notifying) terminal task: 24 h after it ended (SPEC §3). */
export const RETENTION_DELIVERED_MS = 24 * 60 * 60 * 1000

/** Retention of a terminal task whose completion is still owed: 7 days (SPEC §3). */
export const RETENTION_UNDELIVERED_MS = 7 * 24 * 60 * 60 * 1000

/** Background garbage collection runs at most this often (SPEC §3). */
export const GC_INTERVAL_MS = 60 * 1000

/** Most leftover processes listed on a terminal record (SPEC §2). */
export const MAX_LEFTOVER_PROCESSES = 16

/** Environment variables a task may not override: they change how programs load or parse (SPEC §4). */
export const BLOCKED_ENV_VARS = new Set([
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'LD_AUDIT',
  'BASH_ENV',
  'ENV',
  'IFS',
  'PATH',
])

/** Prefix of blocked macOS loader variables (SPEC §4). */
export const BLOCKED_ENV_PREFIX = 'DYLD_'

/** Name of the variable that marks every process of a task (SPEC §4). */
export const TASK_ENV_VAR = 'BGBASH_TASK_ID'

/** Default bytes returned by one read of a task's output. */
export const DEFAULT_READ_BYTES = 64 * 1024

/** Bytes per read when a whole log is scanned (grep, waitFor, completion views): memory stays at one window. */
export const LOG_SCAN_CHUNK_BYTES = 256 * 1024
/** A partial line longer than this is handled as a line of its own, so one endless line cannot grow memory. */
export const MAX_PENDING_LINE_BYTES = 64 * 1024
