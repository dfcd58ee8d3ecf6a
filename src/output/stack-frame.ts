// Stack frames of JavaScript runtimes, as V8 prints them (`    at fn (file:1:2)`) and as
// node:test's TAP reporter does (the same without `at`): which ones belong to the code at fault.

/**
 * A frame: indented, optionally `at ` and `async `, then `name (location)` or a bare location, and
 * the ` {` V8 adds when the error's own fields follow. The location is in `inParens` or `bare`.
 */
const FRAME =
  /^\s+(?:at\s+)?(?:async\s+)?(?:[^\s()][^()]*\s\((?<inParens>[^()]+)\)|(?<bare>\S+:\d+:\d+))(?:\s+\{)?$/

/**
 * Where node's own code and installed packages run: `node:internal/…`, `node:fs`,
 * `…/node_modules/…`; and Rust's standard library and crates as a backtrace prints them
 * (`/rustc/<commit>/library/…`, `…/.cargo/registry/…`).
 */
const LIBRARY_LOCATION =
  /^(?:node:|internal\/|\/rustc\/[0-9a-f]+\/library\/)|[\\/](?:node_modules|\.cargo[\\/]registry)[\\/]/

/** Positions V8 prints for frames with no file of their own: `(<anonymous>)`, `Promise.all (index 0)`. */
const NO_FILE = /^(?:<anonymous>|index \d+|native)$/

/**
 * Whether a line is a stack frame outside the user's code: in node's internals, in a package
 * under `node_modules`, or at no file. A view passes over them (their names are the runtime's, not
 * the fault's); the first frame in the user's code is the one that says where it failed.
 */
export function isLibraryFrame(line: string): boolean {
  const groups = FRAME.exec(line)?.groups
  if (groups === undefined) return false
  if (groups.bare !== undefined) return LIBRARY_LOCATION.test(groups.bare)
  const where = groups.inParens!
  if (NO_FILE.test(where)) return /^\s+at\s/.test(line)
  return /:\d+:\d+$/.test(where) && LIBRARY_LOCATION.test(where)
}

/** Whether a line is a V8 `at` frame in the user's code (`    at add (src/math.ts:12:3)`). */
export function isUserFrame(line: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/.test(line) && !isLibraryFrame(line)
}
