import type { LongRunningNotice, TaskManager } from '../../index.js'

/**
 * What one `bgbash mcp` process remembers between tool calls, shared by every server instance the
 * stdio entry builds: long-running reminders not yet shown. Completions and read cursors are not
 * kept here: they live in the store (owed completions until a tool result claims them; cursors
 * so "new since my last read" survives a restart of the server).
 */
export class McpState {
  /** The newest reminder per task, until a tool result carries it. */
  private readonly notices = new Map<string, LongRunningNotice>()
  private readonly tm: TaskManager
  private readonly onLongRunning = (notice: LongRunningNotice) => {
    this.notices.set(notice.taskId, notice)
  }

  constructor(tm: TaskManager) {
    this.tm = tm
    tm.on('long_running', this.onLongRunning)
  }

  /** Reminders raised since the last call, oldest first; each is handed out once. */
  takeNotices(): LongRunningNotice[] {
    const out = [...this.notices.values()]
    this.notices.clear()
    return out
  }

  dispose(): void {
    this.tm.off('long_running', this.onLongRunning)
  }
}
