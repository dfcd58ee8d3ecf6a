import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pc from 'picocolors'
import { type Completion, openTaskManager } from '../../index.js'
import { type CliIo, writeLine } from '../io.js'

const DEMO_TASKS = [
  { label: 'succeeds', command: 'echo "building…"; sleep 0.3; echo "build ok"' },
  { label: 'fails', command: 'echo "running tests"; sleep 0.5; echo "Error: 1 test failed" >&2; exit 1' },
  { label: 'times out', command: 'echo "waiting forever"; sleep 30', timeoutMs: 800 },
  {
    label: 'is killed with its tree',
    command: 'sleep 30 & sleep 30 & echo "server up with 2 children"; wait',
  },
] as const

/**
 * Starts four background tasks in a throwaway store and prints each completion as it arrives,
 * with the time from the task's end to the notice.
 */
export async function runDemo(io: CliIo): Promise<number> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-demo-'))
  const color = pc.createColors(Boolean(io.stdout.isTTY) && !io.env.NO_COLOR)
  const tm = await openTaskManager({ home, sessionId: 'demo', backgroundGc: false })
  try {
    const marks = path.join(home, 'marks')
    fs.mkdirSync(marks)
    const labels = new Map<string, string>()
    const started = Date.now()
    const pending = new Set<string>()
    const allDone = new Promise<void>((resolve) => {
      tm.on('completion', (completion: Completion) => {
        const noticedAt = Date.now()
        const endedAt = readEndMark(marks, completion.taskId) ?? noticedAt
        // A task that exited by itself: how long from its exit to this notice. A killed one ends
        // when its whole tree is gone, which the kill itself waits for.
        const latency =
          completion.endReason === 'exit' || completion.endReason === 'signal'
            ? color.cyan(`exit→notice ${Math.max(0, noticedAt - endedAt).toFixed(1)} ms`)
            : color.dim(`ended by bgbash (${completion.endReason})`)
        const status =
          completion.status === 'completed' ? color.green(completion.status) : color.red(completion.status)
        writeLine(
          io.stdout,
          `${color.dim(`+${String(noticedAt - started).padStart(5)} ms`)}  ${completion.taskId}  ${labels.get(completion.taskId)?.padEnd(24)} ${status.padEnd(20)} exit ${String(completion.exitCode).padEnd(4)} ${latency}`,
        )
        const preview = completion.outputPreview.trim().split('\n').slice(-1)[0]
        if (preview) writeLine(io.stdout, color.dim(`           └ ${preview}`))
        pending.delete(completion.taskId)
        if (pending.size === 0) resolve()
      })
    })
    writeLine(io.stdout, color.bold('bgbash demo: four background tasks, one manager, no polling'))
    for (const spec of DEMO_TASKS) {
      const { label, ...options } = spec
      // The shell notes the moment it exits (ns clock) so the demo can show exit → notice.
      const command = `trap 'date +%s%N > ${marks}/$BGBASH_TASK_ID' EXIT; ${options.command}`
      const record = await tm.spawn({ ...options, command, description: label })
      labels.set(record.taskId, label)
      pending.add(record.taskId)
      writeLine(
        io.stdout,
        `started  ${record.taskId}  ${label.padEnd(24)} pid ${record.pid}  $ ${options.command}`,
      )
    }
    const victim = [...labels].find(([, label]) => label.startsWith('is killed'))![0]
    const killed = await tm.kill(victim, { by: 'demo' })
    writeLine(io.stdout, color.dim(`killed   ${victim}  (SIGTERM to the whole tree; ${killed.signal})`))
    await allDone
    writeLine(io.stdout, color.bold(`all four reported in ${Date.now() - started} ms`))
    return 0
  } finally {
    await tm.close({ killRunning: true })
    fs.rmSync(home, { recursive: true, force: true })
  }
}

/** When the task's shell exited, as its EXIT trap wrote it (epoch ms, fractional). */
function readEndMark(marks: string, taskId: string): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(marks, taskId), 'utf8').trim()) / 1e6
  } catch {
    return undefined
  }
}
