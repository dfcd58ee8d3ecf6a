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
   * next manager that the same client starts in the project (a restart within one conversation),
   * never to one that ran beside it.
   */
  client: ProcessId | undefined
}

/** How a task stands to an owner. */
export type Relation =
  /** Started by this owner. */
  | 'own'
  /** Started by an earlier manager of the same client, gone when this one opened: its completion passes here. */
  | 'inherited'
  /** Somebody else's: visible in the project, never owed here. */
  | 'other'

/**
 * The one rule of ownership. A task is this owner's when it carries the owner's id. A task whose
 * owner was a manager process (no session of its own) passes to a manager of the same client
 * process that opened after that owner's process had exited: the server that replaced it (a
 * restart within one conversation). A manager that opened while the owner ran is a live peer and
 * never takes its tasks, not even once the owner is gone; a new client process (a new
 * conversation) is not handed an old one's. (A server opens its store a moment after it starts,
 * once it has answered `initialize`: one whose owner died in that moment counts as its successor.)
 */
export function relationOf(
  meta: Pick<TaskMeta, 'sessionId' | 'client' | 'createdBy' | 'createdByStart'>,
  owner: Owner,
  wasGoneAtOpen: (process: ProcessId) => boolean,
): Relation {
  if (meta.sessionId === owner.sessionId) return 'own'
  if (!owner.client || !meta.client) return 'other'
  if (meta.client.pid !== owner.client.pid || meta.client.startTime !== owner.client.startTime) return 'other'
  return wasGoneAtOpen({ pid: meta.createdBy, startTime: meta.createdByStart }) ? 'inherited' : 'other'
}

/** The owner id of a manager that is its own owner: unique to this process (pid and start time). */
export function getProcessOwnerId(self: ProcessId): string {
  return `process:${self.pid}:${self.startTime}`
}
