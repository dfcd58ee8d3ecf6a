import { BgbashError } from '../errors.js'
import { exists } from '../store/fsx.js'
import { assertTaskId, type TaskPaths } from '../store/paths.js'
import { claimDelivery, isDelivered, markAnsweredInline, markPromoted } from '../store/records.js'
import type { Completion, TaskRecord } from '../types.js'
import { buildCompletion } from './completion.js'
import type { Engine } from './engine.js'
import type { AckOptions } from './options.js'

/** Delivery: completions owed to this owner, claimed exactly once across managers. */
export class Delivery {
  private readonly e: Engine

  constructor(e: Engine) {
    this.e = e
  }

  deliverOwed(): void {
    if (this.e.closed || this.e.manager.listenerCount('completion') === 0) return
    for (const taskId of [...this.e.owed]) {
      const paths = this.e.scope.locate(taskId)
      if (paths) this.deliver(taskId, paths)
      else this.e.owed.delete(taskId)
    }
  }

  /** Claims a completion and hands it to the 'completion' listeners. */
  deliver(taskId: string, paths: TaskPaths, ended?: TaskRecord): void {
    const completion = this.claim(taskId, paths, ended)
    if (completion) this.e.emitSafely('completion', completion)
  }

  /**
   * Claims the completion of an ended task (exactly one claimer wins across managers). `ended`
   * is the record just written, which saves rereading it on the exit → notice path.
   */
  claim(taskId: string, paths: TaskPaths, ended?: TaskRecord): Completion | undefined {
    this.e.owed.delete(taskId)
    this.e.completionCache.delete(taskId)
    let record = ended
    if (!record) {
      const files = this.e.readTaskFiles(paths)
      if (!files?.end || files.delivered) return undefined
      record = this.e.recordOf(files)
    }
    if (!record.notify) return undefined
    let completion: Completion
    let isClaimed: boolean
    try {
      // Built before the claim, so a manager killed between claiming and handing out loses as
      // little as can be: the view of a long log takes milliseconds, the hand-out microseconds.
      completion = this.labelled(buildCompletion(record, paths, this.e.previewStyle))
      isClaimed = claimDelivery(paths, this.e.managerName())
    } catch (error) {
      // The store refuses the read or the mark (disk full, read-only): still owed, for a later try.
      this.e.owed.add(taskId)
      throw error
    }
    return isClaimed ? completion : undefined
  }

  /**
   * Claims every completion owed to this session (marking each delivered, exactly once across
   * managers) and returns them, oldest first.
   */
  async takeCompletions(): Promise<Completion[]> {
    this.e.assertOpen()
    const out: Completion[] = []
    for (const taskId of [...this.e.owed]) {
      const paths = this.e.scope.locate(taskId)
      const completion = paths ? this.claim(taskId, paths) : undefined
      if (!paths) this.e.owed.delete(taskId)
      if (completion) out.push(completion)
    }
    return out
  }

  /**
   * Completions owed to this session (or to these of its tasks), without claiming them: a peek,
   * nothing is marked delivered.
   */
  async peekCompletions(taskIds?: string[]): Promise<Completion[]> {
    this.e.assertOpen()
    const out: Completion[] = []
    const wanted = taskIds?.map(assertTaskId)
    for (const taskId of wanted ?? [...this.e.owed]) {
      if (!this.e.owed.has(taskId)) continue
      const completion = this.readOwedCompletion(taskId)
      if (completion) out.push(completion)
      else this.e.owed.delete(taskId)
    }
    return out
  }

  /**
   * The completion of an ended task of this session while it is still owed. An ended task's
   * completion never changes, so it is built once and kept until delivered; each call only checks
   * that no manager delivered it meanwhile (one lstat), since harnesses peek on every request.
   */
  readOwedCompletion(taskId: string): Completion | undefined {
    const paths = this.e.scope.locate(taskId)
    if (!paths) return undefined
    let completion = this.e.completionCache.get(taskId)
    if (!completion) {
      const files = this.e.readTaskFiles(paths)
      if (!files?.end || files.delivered || !files.meta.notify) return undefined
      completion = this.labelled(buildCompletion(this.e.recordOf(files), paths, this.e.previewStyle))
      this.e.completionCache.set(taskId, completion)
    }
    if (isDelivered(paths) || !exists(paths.task)) {
      this.e.completionCache.delete(taskId)
      return undefined
    }
    return completion
  }

  /** Marks a completion inherited from this client's previous manager as such. */
  labelled(completion: Completion): Completion {
    return this.e.inherited.has(completion.taskId) ? { ...completion, inherited: true } : completion
  }

  /**
   * Marks the completions of these tasks delivered (exactly once across managers); returns the
   * ids that are now delivered, whoever delivered them. Only tasks owed to this owner: another
   * owner's completion is never taken from it (those ids are left out).
   */
  async ackCompletions(taskIds: string[], options: AckOptions = {}): Promise<string[]> {
    this.e.assertOpen()
    if (!Array.isArray(taskIds))
      throw new BgbashError('invalid_request', 'Invalid task ids: pass a list of task ids.')
    const acked: string[] = []
    for (const id of taskIds.map(assertTaskId)) {
      const paths = this.e.scope.locate(id)
      const files = paths && this.e.readTaskFiles(paths)
      if (!paths || !files?.end || this.e.relationTo(files.meta) === 'other') continue
      this.e.owed.delete(id)
      if (options.answeredInline) markAnsweredInline(paths)
      if (files.delivered || claimDelivery(paths, this.e.managerName())) acked.push(id)
    }
    return acked
  }

  /**
   * Turns notify on for a task started without it. A task that already ended and was never
   * handed out becomes owed; returns its record.
   */
  async promote(taskId: string): Promise<TaskRecord> {
    this.e.assertOpen()
    const paths = this.e.locate(taskId)
    const files = this.e.readFilesOrThrow(paths)
    if (!files.meta.notify) markPromoted(paths)
    const record = this.e.recordOf(this.e.readFilesOrThrow(paths))
    if (files.end && !files.delivered && this.e.relationTo(files.meta) !== 'other') {
      this.e.owed.add(taskId)
      if (this.e.manager.listenerCount('completion') > 0) this.deliver(taskId, paths)
    }
    return record
  }
}
