import fs from 'node:fs'
import path from 'node:path'
import { pollUntil } from '../../../helpers/wait.js'
import type { Scenario } from './run.js'

// Tasks outlive their engine: a new engine on the same storage finds them, running or ended.
// After AFT's crates/aft/tests/integration/bash_background_persistence_test.rs.

/** The `exit` file a task's wrapper writes when the command ends (both engines keep one). */
function findExitFile(storage: string, taskId: string): string | undefined {
  const search = (dir: string, depth: number): string | undefined => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue
      const full = path.join(dir, entry.name)
      if (entry.name === taskId) {
        for (const candidate of [path.join(full, 'exit'), path.join(full, 'io', 'exit')])
          if (fs.existsSync(candidate)) return candidate
        return undefined
      }
      if (depth > 0) {
        const found = search(full, depth - 1)
        if (found) return found
      }
    }
    return undefined
  }
  return search(storage, 4)
}

/** Waits until a task's exit code is on disk: with no engine running, nothing announces it. */
function waitForExitCode(storage: string, taskId: string): Promise<string | undefined> {
  return pollUntil(
    () => {
      const file = findExitFile(storage, taskId)
      return file ? fs.readFileSync(file, 'utf8') : undefined
    },
    (text) => text !== undefined && /^\d+/.test(text),
    { what: `the exit code of ${taskId} on disk` },
  )
}

export const RESTART_SCENARIOS: Scenario[] = [
  {
    title: 'restart: a task still running is adopted and its completion pushed',
    async play(r) {
      await r.configure({ session_id: 'persist' })
      const gate = r.gate()
      const started = await r.bash({ command: `${gate.wait}; echo survived` }, { session_id: 'persist' })
      await r.closeEngine()
      r.startEngine()
      await r.configure({ session_id: 'persist' })
      r.record(
        'status after restart',
        await r.request('bash_status', { task_id: started.task_id }, { session_id: 'persist' }),
      )
      gate.open()
      r.record('completion', await r.push('bash_completed', started.task_id))
    },
  },
  {
    title: 'restart: a task that ended while no engine ran waits in drain, with no frame',
    async play(r) {
      await r.configure({ session_id: 'persist' })
      const gate = r.gate()
      const started = await r.bash(
        { command: `${gate.wait}; echo ended-alone; exit 4` },
        { session_id: 'persist' },
      )
      await r.closeEngine()
      gate.open()
      await waitForExitCode(r.dirs.storage, started.task_id)
      r.startEngine()
      await r.configure({ session_id: 'persist' })
      const drain = await r.request('bash_drain_completions', undefined, { session_id: 'persist' })
      r.record(
        'drained',
        drain.bg_completions.find((c: { task_id: string }) => c.task_id === started.task_id),
      )
      r.record('frames', await r.pushesBefore(started.task_id, () => r.request('bash_drain_completions')))
      r.record(
        'ack',
        await r.request('bash_ack_completions', { task_ids: [started.task_id] }, { session_id: 'persist' }),
      )
      r.record(
        'drain after ack',
        await r.request('bash_drain_completions', undefined, { session_id: 'persist' }),
      )
    },
  },
  {
    title: 'restart: an acknowledged completion is not handed out again',
    async play(r) {
      await r.configure()
      const started = await r.bash({ command: 'echo once' })
      await r.push('bash_completed', started.task_id)
      r.record('ack', await r.request('bash_ack_completions', { task_ids: [started.task_id] }))
      await r.closeEngine()
      r.startEngine()
      await r.configure()
      r.record('drain after restart', await r.request('bash_drain_completions'))
      r.record('status after restart', await r.request('bash_status', { task_id: started.task_id }))
    },
  },
]
