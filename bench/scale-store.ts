// Builds a store of N tasks in every state through the real API, for the start-up and `ls` benches.
import { openTaskManager } from '../src/index.js'
import { killGroups, type TaskGroup, waitGroupsGone } from './scale-procs.js'

type Kind = 'completed' | 'failed' | 'timed_out' | 'killed' | 'running' | 'lost'

/** One round of 20 tasks: the mix a busy session leaves behind. */
const ROUND: Kind[] = [
  ...Array<Kind>(8).fill('completed'),
  ...Array<Kind>(5).fill('failed'),
  ...Array<Kind>(2).fill('timed_out'),
  ...Array<Kind>(2).fill('killed'),
  ...Array<Kind>(2).fill('running'),
  'lost',
]

const COMMANDS: Record<Kind, { command: string; timeoutMs?: number }> = {
  completed: { command: 'echo built; echo done' },
  failed: { command: 'echo "error: it broke" >&2; exit 3' },
  timed_out: { command: 'echo waiting; sleep 30', timeoutMs: 30 },
  killed: { command: 'sleep 600' },
  running: { command: 'sleep 600' },
  lost: { command: 'sleep 600' },
}

export type MixedCounts = Record<Kind, number>

/**
 * Fills `sessionId` in `home` with `total` tasks: completed, failed, timed out and killed ones
 * (completions delivered, as a harness would), some still running, and some whose processes
 * were SIGKILLed behind the closed manager's back, so the next manager finds them lost.
 */
export async function buildMixedStore(home: string, sessionId: string, total: number): Promise<MixedCounts> {
  const counts: MixedCounts = {
    completed: 0,
    failed: 0,
    timed_out: 0,
    killed: 0,
    running: 0,
    lost: 0,
  }
  const tm = await openTaskManager({ home, sessionId, maxRunning: total, backgroundGc: false })
  // A listener claims every completion, as a harness would: the store holds delivered tasks.
  tm.on('completion', () => {})
  const ending: string[] = []
  const lost: TaskGroup[] = []
  try {
    for (let i = 0; i < total; i++) {
      const kind = ROUND[i % ROUND.length]!
      const record = await tm.spawn(COMMANDS[kind])
      counts[kind]++
      // Killed at once: a kill scans /proc, and costs more the more processes were born after it.
      if (kind === 'killed') await tm.kill(record.taskId)
      // Start time 0: the group was born a moment ago and still has its members, so it is ours.
      else if (kind === 'lost') lost.push({ pgid: record.pid!, startTime: 0 })
      else if (kind !== 'running') ending.push(record.taskId)
    }
    await tm.wait(ending)
  } finally {
    await tm.close()
  }
  // The manager is gone; these die without anyone writing their exit code.
  killGroups(lost)
  const alive = await waitGroupsGone(lost, 5000)
  if (alive > 0) throw new Error(`${alive} processes of the 'lost' tasks survived SIGKILL`)
  return counts
}
