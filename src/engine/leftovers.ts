import { MAX_LEFTOVER_PROCESSES } from '../constants.js'
import { killTree } from '../proc/kill.js'
import { isProcessAlive, pidExists } from '../proc/procfs.js'
import { collectLeftovers, collectTaskProcesses, ProcessSnapshot, type TaskRoot } from '../proc/tree.js'
import { createLeftoversKilled, type LeftoversKilled, writeLeftovers } from '../store/leftover-records.js'
import type { TaskPaths } from '../store/paths.js'
import type { LeftoverProcess } from '../types.js'

// Processes a finished command left running (`server &`) belong to its task until they exit:
// listed on its record while they run, ended by its kill and its deadline, keeping gc away.

/** The leftovers of a record that still run (the same processes: pid and start time checked). */
export function filterLiveLeftovers(leftovers: LeftoverProcess[] | undefined): LeftoverProcess[] | undefined {
  const live = leftovers?.filter((proc) =>
    proc.startTime === undefined ? pidExists(proc.pid) : isProcessAlive(proc.pid, proc.startTime),
  )
  return live?.length ? live : undefined
}

/**
 * Looks for the processes that outlived a task's shell, and records them (leftovers.json) when
 * there are any; returns them. One snapshot may serve several tasks that ended together.
 */
export function recordLeftovers(
  paths: TaskPaths,
  root: TaskRoot,
  snapshot: ProcessSnapshot = new ProcessSnapshot(),
): LeftoverProcess[] {
  const leftovers = findLeftovers(root, snapshot)
  if (leftovers.length > 0) writeLeftovers(paths, leftovers)
  return leftovers
}

/** The processes of a task that outlived its shell, as its record lists them. */
export function findLeftovers(root: TaskRoot, snapshot = ProcessSnapshot.shared()): LeftoverProcess[] {
  return collectLeftovers(root, snapshot)
    .slice(0, MAX_LEFTOVER_PROCESSES)
    .map((proc) => ({ pid: proc.pid, command: proc.command, name: proc.name, startTime: proc.startTime }))
}

/**
 * Kills what an ended task left running (the plumbing that still holds its output with it):
 * SIGTERM, then SIGKILL after the grace. Notes what was killed (leftovers-killed.json, first kill
 * only); the task's status and exit code stay as they are. Returns the note, or undefined when
 * nothing of the task was running.
 */
export async function killLeftovers(
  paths: TaskPaths,
  root: TaskRoot,
  options: { graceMs: number; by: string },
): Promise<LeftoversKilled | undefined> {
  const targets = collectTaskProcesses(root, new ProcessSnapshot())
  const leftovers = targets.filter((proc) => !proc.plumbing)
  if (targets.length === 0) return undefined
  await killTree(
    (since) =>
      collectTaskProcesses(
        root,
        since === undefined ? ProcessSnapshot.shared() : ProcessSnapshot.since(since),
      ),
    options.graceMs,
  )
  if (leftovers.length === 0) return undefined
  const note: LeftoversKilled = {
    at: Date.now(),
    by: options.by,
    processes: leftovers.slice(0, MAX_LEFTOVER_PROCESSES).map(({ pid, command }) => ({ pid, command })),
  }
  createLeftoversKilled(paths, note)
  return note
}
