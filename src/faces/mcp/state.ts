import type { LongRunningNotice, TaskManager } from '../../index.js'

/**
 * What one `bgbash mcp` process remembers between tool calls, shared by every server instance the
 * stdio entry builds: read cursors and long-running reminders not yet shown. Completions are not
 * kept here: they stay owed in the store until a tool result claims them.
 */
export class McpState {
  /** Per task: the offset just after the output this session was last shown ("new since my last read"). */
  private readonly cursors = new Map<string, number>()
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

  /** Where "new since my last read" starts for a task; 0 before the first read. */
  getCursor(taskId: string): number {
    return this.cursors.get(taskId) ?? 0
  }

  /** Moves a task's cursor forward (never back) to just after what was shown. */
  advanceCursor(taskId: string, offset: number): void {
    if (offset > this.getCursor(taskId)) this.cursors.set(taskId, offset)
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
