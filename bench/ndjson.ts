import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Row } from './engine.js'
import { ratioTo, type Summary, summarize } from './stats.js'

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin', 'bgbash.js')

type Frame = Record<string, unknown>

/** Request → reply for a background `bash`, and task exit → `bash_completed`, over the real binary. */
/** `spawnFloor`: a bare detached spawn() measured in the same run (bench/engine.ts), for the ratio. */
export async function benchNdjson(runs: number, spawnFloor?: Summary): Promise<Row[]> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-bench-ndjson-'))
  const mark = path.join(home, 'mark')
  const child = spawn(process.execPath, [BIN, 'ndjson', '--home', home], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const waiters: Array<{ test: (f: Frame) => boolean; resolve: (at: number) => void }> = []
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const at = Date.now()
    const frame = JSON.parse(line) as Frame
    const i = waiters.findIndex((w) => w.test(frame))
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(at)
  })
  const next = (test: (f: Frame) => boolean) =>
    new Promise<number>((resolve) => waiters.push({ test, resolve }))
  const replyMs: number[] = []
  const completedMs: number[] = []
  try {
    for (let i = 0; i < runs + 3; i++) {
      const id = `b${i}`
      let resolveTaskId: (taskId: string) => void = () => {}
      const taskIdOf = new Promise<string>((resolve) => {
        resolveTaskId = resolve
      })
      const reply = next((f) => {
        if (f.id !== id) return false
        resolveTaskId(f.task_id as string)
        return true
      })
      const completed = next((f) => f.type === 'bash_completed')
      const t0 = performance.now()
      child.stdin.write(
        `${JSON.stringify({ id, command: 'bash', params: { command: `date +%s%N > ${mark}` } })}\n`,
      )
      await reply
      const elapsed = performance.now() - t0
      const completedAt = await completed
      // A harness acks what it was told, as AFT's plugins do; owed completions ride on every reply.
      const acked = next((f) => f.id === `a${i}`)
      child.stdin.write(
        `${JSON.stringify({ id: `a${i}`, command: 'bash_ack_completions', params: { task_ids: [await taskIdOf] } })}\n`,
      )
      await acked
      // The first runs warm up the engine's session.
      if (i < 3) continue
      replyMs.push(elapsed)
      completedMs.push(completedAt - Number(fs.readFileSync(mark, 'utf8')) / 1e6)
    }
  } finally {
    child.stdin.end()
    await new Promise((resolve) => child.once('exit', resolve))
    fs.rmSync(home, { recursive: true, force: true })
  }
  return [
    {
      name: 'NDJSON request → reply (background bash)',
      unit: 'ms',
      bgbash: summarize(replyMs),
      floor: spawnFloor,
      ratio: ratioTo(summarize(replyMs), spawnFloor),
      target: 'AFT 0.57.2: 9–12 ms median',
    },
    {
      name: 'NDJSON exit → bash_completed frame',
      unit: 'ms',
      bgbash: summarize(completedMs),
      target: 'AFT: 313 ms median, 502 max',
      pass: summarize(completedMs).p50 <= 5,
    },
  ]
}
