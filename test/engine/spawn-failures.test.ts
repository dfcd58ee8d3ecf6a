import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { isAlive, PidTracker, readStartTime } from '../helpers/pids.js'
import { readPidRecord, snapshotTree, useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'

test('a zombie counts as dead: a task whose recorded process is a zombie is lost', async (t) => {
  const store = await useTestStore(t)
  const pids = new PidTracker()
  t.after(() => pids.killAll())
  // The child exits after its parent has exec'd into `sleep 60`, which never reaps it: a zombie.
  // (Exiting at once could let the shell reap it before the exec.)
  const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 60'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  pids.track(parent.pid)
  const zombiePid = Number(
    (await new Promise<Buffer>((resolve) => parent.stdout!.once('data', resolve))).toString(),
  )
  await pollUntil(
    () => fs.readFileSync(`/proc/${zombiePid}/stat`, 'latin1'),
    (stat) => /\) Z /.test(stat),
    { what: 'the child to become a zombie' },
  )
  const startTime = readStartTime(zombiePid)
  assert.equal(isAlive(zombiePid), false)

  const first = await store.open()
  const { taskId } = await first.spawn({ command: 'sleep 60' })
  await first.close()
  const dir = path.join(
    first.storeRoot,
    'sessions',
    fs.readdirSync(path.join(first.storeRoot, 'sessions'))[0]!,
    taskId,
  )
  const pidFile = path.join(dir, 'pid.json')
  const info = await readPidRecord(dir)
  process.kill(-info.pid, 'SIGKILL')
  fs.writeFileSync(
    pidFile,
    JSON.stringify({ ...info, pid: zombiePid, pgid: zombiePid, start_time: startTime }),
  )

  const second = await store.open()
  const record = await second.status(taskId)
  assert.equal(record.status, 'lost')
})

test('a cwd that does not exist or is a file is refused and nothing is written', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const before = snapshotTree(store.home)
  await assert.rejects(tm.spawn({ command: 'true', cwd: path.join(store.scratch, 'missing') }), {
    name: 'BgbashError',
    code: 'cwd_not_found',
  })
  const file = path.join(store.scratch, 'file.txt')
  fs.writeFileSync(file, 'x')
  await assert.rejects(tm.spawn({ command: 'true', cwd: file }), { code: 'cwd_not_found' })
  assert.deepEqual(snapshotTree(store.home), before)
})

test('a shell that is not installed is a spawn_failed error and nothing is left running', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const before = snapshotTree(store.home)
  const savedPath = process.env.PATH
  process.env.PATH = store.scratch
  // spawn validates synchronously, so PATH is restored before anything else runs.
  const attempt = tm.spawn({ command: 'true', shell: 'zsh' })
  process.env.PATH = savedPath
  await assert.rejects(attempt, { code: 'spawn_failed', message: /Shell not found: zsh/ })
  await assert.rejects(tm.spawn({ command: 'true', shell: 'fish' as never }), { code: 'invalid_request' })
  assert.deepEqual(snapshotTree(store.home), before)
  assert.deepEqual(await tm.list(), [])
})
