// Pattern written → match reported: how soon waitFor and spawn({ readyWhen }) see a line.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { openTaskManager } from '../src/index.js'
import type { Row } from './engine.js'
import { type Summary, summarize } from './stats.js'

/** Epoch ms (µs precision) that `date +READY-%s%N` printed just before it wrote the line. */
function markOf(text: string): number {
  const found = /READY-(\d+)/.exec(text)
  if (!found) throw new Error(`no mark in ${JSON.stringify(text)}`)
  return Number(found[1]) / 1e6
}

/** Wall-clock now in epoch ms with µs precision (Date.now() has whole ms only). */
function now(): number {
  return performance.timeOrigin + performance.now()
}

/** A shell line that waits for `gate`, then prints the mark line (the task's own work). */
function gated(gate: string, after = ''): string {
  return `while [ ! -e ${gate} ]; do sleep 0.005; done; date +READY-%s%N${after}`
}

/** The floor: a bare child writes the same line to a pipe; time until Node's 'data' event. */
async function measureFloor(runs: number): Promise<Summary> {
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const child = spawn('/bin/sh', ['-c', 'sleep 0.01; date +READY-%s%N'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const seen = await new Promise<number>((resolve) =>
      child.stdout.once('data', (chunk: Buffer) => resolve(now() - markOf(chunk.toString()))),
    )
    samples.push(seen)
    await new Promise((resolve) => child.once('close', resolve))
  }
  return summarize(samples)
}

function freePort(): Promise<number> {
  const server = net.createServer()
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    }),
  )
}

export async function benchPatterns(runs: number): Promise<Row[]> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-bench-patterns-'))
  const tm = await openTaskManager({ home, sessionId: 'bench-patterns', backgroundGc: false })
  try {
    const floor = await measureFloor(runs)
    const waitForMs: number[] = []
    const readyMs: number[] = []
    for (let i = 0; i < runs; i++) {
      // waitFor on a running task: the line lands after the wait began.
      const gate = path.join(home, `gate-${i}`)
      const { taskId } = await tm.spawn({ command: gated(gate, '; sleep 30'), notify: false })
      const waiting = tm.waitFor([taskId], { until: /READY-\d+/, timeoutMs: 10_000 })
      fs.writeFileSync(gate, '')
      const result = await waiting
      const seen = now()
      if (result.reason !== 'match' || !result.match) throw new Error(`waitFor ended with ${result.reason}`)
      waitForMs.push(seen - markOf(result.match.line))
      await tm.kill(taskId)

      // spawn with readyWhen: the server prints its line a little after it starts.
      const ready = await tm.spawn({
        command: 'sleep 0.02; date +READY-%s%N; exec sleep 30',
        notify: false,
        readyWhen: { pattern: /READY-\d+/ },
      })
      const readyAt = now()
      if (ready.ready?.reason !== 'ready' || !ready.ready.match)
        throw new Error(`readyWhen: ${ready.ready?.reason}`)
      readyMs.push(readyAt - markOf(ready.ready.match.line))
      await tm.kill(ready.taskId)
    }
    // readyWhen port: probed every 20 ms, so the expected delay is about half that.
    const portMs: number[] = []
    for (let i = 0; i < Math.max(10, Math.floor(runs / 5)); i++) {
      const port = await freePort()
      const listenedAt = path.join(home, `listened-${i}`)
      const script = `const s=require('net').createServer(c=>c.end()).listen(${port},'127.0.0.1',()=>require('fs').writeFileSync('${listenedAt}',String(performance.timeOrigin+performance.now())))`
      const task = await tm.spawn({ command: `exec node -e "${script}"`, notify: false, readyWhen: { port } })
      const readyAt = now()
      if (task.ready?.reason !== 'ready') throw new Error(`readyWhen port: ${task.ready?.reason}`)
      // The listen callback writes its mark just after the kernel starts accepting: it may land
      // a moment after the probe got in.
      for (let tries = 0; !fs.existsSync(listenedAt) && tries < 200; tries++) await delay(5)
      portMs.push(readyAt - Number(fs.readFileSync(listenedAt, 'utf8')))
      await tm.kill(task.taskId)
    }
    const row = (
      name: string,
      samples: number[],
      withFloor: boolean,
      target: string,
      maxP50: number,
    ): Row => {
      const bgbash = summarize(samples)
      const ratio = withFloor && floor.p50 > 0 ? Math.round((bgbash.p50 / floor.p50) * 100) / 100 : undefined
      return {
        name,
        unit: 'ms',
        bgbash,
        floor: withFloor ? floor : undefined,
        target,
        ratio,
        pass: bgbash.p50 <= maxP50,
      }
    }
    return [
      row('line written → waitFor match (running task)', waitForMs, true, 'p50 ≤ 5 ms', 5),
      row('line written → spawn({ readyWhen: pattern }) returns', readyMs, true, 'p50 ≤ 5 ms', 5),
      row(
        'port listening → spawn({ readyWhen: port }) returns',
        portMs,
        false,
        'p50 ≤ 20 ms (probe every 20 ms)',
        20,
      ),
    ]
  } finally {
    await tm.close({ killRunning: true })
    fs.rmSync(home, { recursive: true, force: true })
  }
}
