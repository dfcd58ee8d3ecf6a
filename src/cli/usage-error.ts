/** Exit code the CLI returns for a usage error. */
export const USAGE_EXIT_CODE = 2

/** A mistake in how the command was called: the CLI prints its message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
