import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { NdjsonClient } from '../../helpers/ndjson-client.js'
import { isAlive } from '../../helpers/pids.js'
import { useTestStore } from '../../helpers/store.js'
import { pollUntil } from '../../helpers/wait.js'

test('an engine SIGKILLed mid-run is replaced by one that replays the session', async (t) => {
  const store = await useTestStore(t)
  const gate = (name: string) => path.join(store.scratch, name)
  const waitGate = (name: string) => `while [ ! -e ${gate(name)} ]; do sleep 0.02; done`
  const first = new NdjsonClient(store.home)
  t.after(() => first.kill())
  const s = { session_id: 'harness' }
  const endsWhileDown = await first.request('bash', { command: `${waitGate('a')}; echo done-a; exit 4` }, s)
  const endsLater = await first.request('bash', { command: `${waitGate('b')}; echo done-b` }, s)
  const vanishes = await first.request('bash', { command: 'sleep 60' }, s)
  const vanishPid = (await first.request('bash_status', { task_id: vanishes.task_id }, s)).child_pid
  await first.kill()

  fs.writeFileSync(gate('a'), '')
  process.kill(-vanishPid, 'SIGKILL')
  await pollUntil(
    () => isAlive(vanishPid),
    (alive) => !alive,
    { what: 'the vanishing task to die' },
  )
  // Another session of the project sees the task by id (as in AFT), and is never owed its completion.
  const probe = new NdjsonClient(store.home)
  try {
    const seen = await probe.request(
      'bash_status',
      { task_id: endsWhileDown.task_id },
      { session_id: 'probe' },
    )
    assert.equal(seen.success, true)
    const probeDrain = await probe.request('bash_drain_completions', undefined, { session_id: 'probe' })
    assert.deepEqual(probeDrain.bg_completions, [])
  } finally {
    await probe.kill()
  }

  const second = new NdjsonClient(store.home)
  t.after(() => second.kill())
  // Wait for task a's exit record to land before the replay.
  const a = await pollUntil(
    () => second.request('bash_status', { task_id: endsWhileDown.task_id }, s),
    (frame) => frame.status !== 'running',
    { what: 'task a to be seen ended' },
  )
  assert.equal(a.status, 'failed')
  assert.equal(a.exit_code, 4)
  const lost = await second.request('bash_status', { task_id: vanishes.task_id }, s)
  assert.equal(lost.status, 'fate_unknown')
  assert.equal((await second.request('bash_status', { task_id: endsLater.task_id }, s)).status, 'running')

  // Replayed completions wait for drain (no push); the adopted task's end is pushed.
  fs.writeFileSync(gate('b'), '')
  const pushed = await second.waitFor((f) => f.type === 'bash_completed' && f.task_id === endsLater.task_id)
  assert.equal(pushed.status, 'completed')
  assert.match(pushed.output_preview, /done-b/)
  assert.deepEqual(
    second.pushed('bash_completed').map((f) => f.task_id),
    [endsLater.task_id],
  )
  const drained = await second.request('bash_drain_completions', undefined, s)
  const owed = drained.bg_completions.map((c: { task_id: string }) => c.task_id).sort()
  assert.deepEqual(owed, [endsWhileDown.task_id, endsLater.task_id, vanishes.task_id].sort())
  await second.request('bash_ack_completions', { task_ids: owed }, s)
  assert.deepEqual((await second.request('bash_drain_completions', undefined, s)).bg_completions, [])
})
