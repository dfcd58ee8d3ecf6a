import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import { readFirstLine, runFixture } from '../helpers/child.js'
import { readJsonLines } from './chaos.js'

/** One completion handed out by a chaos manager process. */
export interface Delivery {
  taskId: string
  status: string
  exitCode: number | null
  by: number
}

/** Appends one completion a chaos manager process handed out (one line: written whole or not at all). */
export function recordDelivery(
  file: string,
  completion: { taskId: string; status: string; exitCode: number | null },
): void {
  const line: Delivery = {
    taskId: completion.taskId,
    status: completion.status,
    exitCode: completion.exitCode,
    by: process.pid,
  }
  fs.appendFileSync(file, `${JSON.stringify(line)}\n`)
}

/** Every completion recorded in a deliveries file so far. */
export function readDeliveries(file: string): Delivery[] {
  return readJsonLines<Delivery>(file)
}

/** Starts the chaos manager fixture and waits for its first line (ready, or the ids it spawned). */
export async function startManager(
  home: string,
  sessionId: string,
  deliveries: string,
  commandsFile?: string,
): Promise<{ child: ChildProcess; taskIds: string[] }> {
  const args = [home, sessionId, deliveries, ...(commandsFile ? [commandsFile] : [])]
  const child = runFixture('../chaos/fixtures/manager.ts', args)
  const first = JSON.parse(await readFirstLine(child)) as { taskIds?: string[] }
  return { child, taskIds: first.taskIds ?? [] }
}
