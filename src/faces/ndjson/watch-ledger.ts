import type { Frame } from './protocol.js'

// The NDJSON face's book of output watches (bash_notify), kept the way AFT keeps them: a watched
// task's matches are owed to the session that started it until it acks the task, and the watches
// decide what its end brings (see `noticeAtEnd`).

/** One watch as the face hands it out, and where the engine holds it. */
interface Watch {
  taskId: string
  /** The session whose manager holds the engine's watch. */
  registrar: string
  engineWatchId: string
}

interface WatchedTask {
  /** The session that started the task: its frames name it, its drains show them, it acks them. */
  owner: string
  /** Watches still looking, by the id the face handed out. */
  active: Set<string>
  /** Frames not acked yet: every drain of the owner shows them. */
  pending: Frame[]
}

/** What a watched task's end brings its owner. */
export type EndNotice = 'completion' | 'exit_frame' | 'nothing'

export class WatchLedger {
  private readonly tasks = new Map<string, WatchedTask>()
  private readonly watches = new Map<string, Watch>()
  private nextId = 1

  /** A new watch id (`watch-00000001`, …), unique in this engine. */
  newWatchId(): string {
    return `watch-${String(this.nextId++).padStart(8, '0')}`
  }

  /** Records a watch the engine holds; returns the id the harness gets. */
  add(watch: Watch & { owner: string }): string {
    const watchId = this.newWatchId()
    this.watches.set(watchId, {
      taskId: watch.taskId,
      registrar: watch.registrar,
      engineWatchId: watch.engineWatchId,
    })
    this.taskOf(watch.taskId, watch.owner).active.add(watchId)
    return watchId
  }

  /** Forgets a watch; returns where the engine holds it, if it is one of this task's. */
  remove(taskId: string, watchId: string): Watch | undefined {
    const watch = this.watches.get(watchId)
    if (!watch || watch.taskId !== taskId) return undefined
    this.watches.delete(watchId)
    this.tasks.get(taskId)?.active.delete(watchId)
    this.dropIfDone(taskId)
    return watch
  }

  /** A frame owed to the task's owner until it acks the task; `endsWatch` stopped looking with it. */
  addPending(taskId: string, owner: string, frame: Frame, endsWatch?: string): void {
    this.taskOf(taskId, owner).pending.push(frame)
    if (endsWatch !== undefined) {
      this.watches.delete(endsWatch)
      this.tasks.get(taskId)?.active.delete(endsWatch)
    }
  }

  /**
   * At a task's end, as AFT decides it: a task no watch looks at and nothing is owed for gets its
   * completion; one whose watches matched and were not acked gets nothing more (the matches say
   * it); one whose watches never matched gets one task_exit frame instead of its completion.
   */
  noticeAtEnd(taskId: string): EndNotice {
    const task = this.tasks.get(taskId)
    if (!task) return 'completion'
    for (const watchId of task.active) this.watches.delete(watchId)
    const hadWatches = task.active.size > 0
    task.active.clear()
    if (task.pending.length > 0) return 'nothing'
    this.tasks.delete(taskId)
    return hadWatches ? 'exit_frame' : 'completion'
  }

  /** The frames owed to a session, oldest first (a peek: only `ack` removes them). */
  pendingFor(sessionId: string): Frame[] {
    return [...this.tasks.values()].filter((task) => task.owner === sessionId).flatMap((task) => task.pending)
  }

  /** The owner acks these tasks: their frames are no longer owed. Another session's ack changes nothing. */
  ack(sessionId: string, taskIds: readonly string[]): void {
    for (const taskId of taskIds) {
      const task = this.tasks.get(taskId)
      if (!task || task.owner !== sessionId) continue
      task.pending = []
      this.dropIfDone(taskId)
    }
  }

  private taskOf(taskId: string, owner: string): WatchedTask {
    let task = this.tasks.get(taskId)
    if (!task) {
      task = { owner, active: new Set(), pending: [] }
      this.tasks.set(taskId, task)
    }
    return task
  }

  private dropIfDone(taskId: string): void {
    const task = this.tasks.get(taskId)
    if (task && task.active.size === 0 && task.pending.length === 0) this.tasks.delete(taskId)
  }
}
