import type { ProcessId, TaskMeta } from '../store/records.js'

/**
 * Who a manager acts for. The owner (a session) is the only party owed the completions of the
 * tasks it starts; visibility is wider (the project) and decided elsewhere (`ProjectScope`).
 */
export interface Owner {
  /** The owner's id, written on every task it starts. */
  sessionId: string
  /**
   * Set when the owner is this manager process itself (an MCP server started without a session):
   * the client process that started it. When the process is gone, what it was owed passes to the
   * next manager that the same client starts in the project (a restart within one conversation).
   */
  client: ProcessId | undefined
}

/** How a task stands to an owner. */
export type Relation =
  /** Started by this owner. */
  | 'own'
  /** Started by an earlier manager of the same client, now gone: its completion passes here. */
  | 'inherited'
  /** Somebody else's: visible in the project, never owed here. */
  | 'other'

/**
 * The one rule of ownership. A task is this owner's when it carries the owner's id. A task whose
 * owner was a manager process (no session of its own) passes to a manager of the same client
 * process once that owner's process has exited; a live owner's tasks never pass, and a new client
 * process (a new conversation) is not handed an old one's.
 */
export function relationOf(
  meta: Pick<TaskMeta, 'sessionId' | 'client' | 'createdBy' | 'createdByStart'>,
  owner: Owner,
  isAlive: (process: ProcessId) => boolean,
): Relation {
  if (meta.sessionId === owner.sessionId) return 'own'
  if (!owner.client || !meta.client) return 'other'
  if (meta.client.pid !== owner.client.pid || meta.client.startTime !== owner.client.startTime) return 'other'
  return isAlive({ pid: meta.createdBy, startTime: meta.createdByStart }) ? 'other' : 'inherited'
}

/** The owner id of a manager that is its own owner: unique to this process (pid and start time). */
export function getProcessOwnerId(self: ProcessId): string {
  return `process:${self.pid}:${self.startTime}`
}
