import type { Scenario } from './run.js'

// Sessions and completions: who sees a task, where completions ride, drain and ack.
// After AFT's bash_background_test.rs and bash_background_persistence_test.rs.

export const DELIVERY_SCENARIOS: Scenario[] = [
  {
    title: 'owed completions ride on replies until acked: ping, bash, drain, ack',
    async play(r) {
      await r.configure()
      const done = await r.bash({ command: 'echo done' })
      r.record('frame', await r.push('bash_completed', done.task_id))
      r.record('ping', await r.request('ping'))
      const next = await r.bash({ command: 'sleep 30' })
      r.record('bash reply', next)
      r.record('status reply', await r.request('bash_status', { task_id: done.task_id }))
      r.record('drain', await r.request('bash_drain_completions'))
      r.record('drain again', await r.request('bash_drain_completions'))
      r.record('ack', await r.request('bash_ack_completions', { task_ids: [done.task_id] }))
      r.record('drain after ack', await r.request('bash_drain_completions'))
      r.record('ping after ack', await r.request('ping'))
      await r.request('bash_kill', { task_id: next.task_id })
    },
  },
  {
    title: 'a completion is owed to its session only',
    async play(r) {
      await r.configure()
      const gate = r.gate()
      const started = await r.bash({ command: `${gate.wait}; echo from-a` }, { session_id: 'session-a' })
      gate.open()
      r.record('frame', await r.push('bash_completed', started.task_id))
      r.record('ping from b', await r.request('ping', undefined, { session_id: 'session-b' }))
      r.record(
        'drain from b',
        await r.request('bash_drain_completions', undefined, { session_id: 'session-b' }),
      )
      r.record('ping from a', await r.request('ping', undefined, { session_id: 'session-a' }))
    },
  },
  {
    title: 'another session of the project reads and kills a task by id',
    async play(r) {
      await r.configure()
      const started = await r.bash({ command: 'sleep 30' }, { session_id: 'session-a' })
      r.record(
        'status from b',
        await r.request('bash_status', { task_id: started.task_id }, { session_id: 'session-b' }),
      )
      r.record(
        'kill from b',
        await r.request('bash_kill', { task_id: started.task_id }, { session_id: 'session-b' }),
      )
      r.record('frame', await r.push('bash_completed', started.task_id))
      r.record(
        'status from a',
        await r.request('bash_status', { task_id: started.task_id }, { session_id: 'session-a' }),
      )
    },
  },
  {
    title: 'promote: own task, and another session cannot',
    async play(r) {
      await r.configure()
      const started = await r.bash(
        { command: 'sleep 30', notify_on_completion: false },
        { session_id: 'session-a' },
      )
      r.record(
        'promote from b',
        await r.request('bash_promote', { task_id: started.task_id }, { session_id: 'session-b' }),
      )
      r.record(
        'promote from a',
        await r.request('bash_promote', { task_id: started.task_id }, { session_id: 'session-a' }),
      )
      await r.request('bash_kill', { task_id: started.task_id }, { session_id: 'session-a' })
      r.record('frame after promote', await r.push('bash_completed', started.task_id))
    },
  },
  {
    title: 'promote a silent task that already ended: its completion is owed and pushed',
    async play(r) {
      await r.configure()
      const ended = r.signal()
      const quiet = await r.bash({ command: `echo quiet; ${ended.touch}`, notify_on_completion: false })
      await ended.reached()
      const loud = await r.bash({ command: 'true' })
      await r.push('bash_completed', loud.task_id)
      r.record('promote', await r.request('bash_promote', { task_id: quiet.task_id }))
      r.record('frame', await r.push('bash_completed', quiet.task_id))
      const drained = await r.request('bash_drain_completions')
      r.record(
        'owed',
        drained.bg_completions.map((c: { task_id: string }) => c.task_id),
      )
    },
  },
  {
    title: 'notify_on_completion false: no frame, no owed completion',
    async play(r) {
      await r.configure()
      const ended = r.signal()
      const quiet = await r.bash({ command: `echo quiet; ${ended.touch}`, notify_on_completion: false })
      await ended.reached()
      // Started after the quiet one ended: once its frame is out, the quiet one's would be too.
      const loud = await r.bash({ command: 'echo loud' })
      await r.push('bash_completed', loud.task_id)
      r.record('frames for the quiet task', await r.pushesBefore(quiet.task_id, () => r.request('ping')))
      const drained = await r.request('bash_drain_completions')
      r.record(
        'drained tasks',
        drained.bg_completions.map((c: { task_id: string }) => c.task_id),
      )
      r.record('status', await r.request('bash_status', { task_id: quiet.task_id }))
    },
  },
  {
    title: 'ack takes any list of ids and answers with them',
    async play(r) {
      await r.configure()
      const done = await r.bash({ command: 'true' })
      await r.push('bash_completed', done.task_id)
      r.record(
        'ack',
        await r.request('bash_ack_completions', {
          task_ids: [done.task_id, 'bash-0000000000000000', 'junk'],
        }),
      )
      r.record('ack without ids', await r.request('bash_ack_completions', {}))
      r.record('drain', await r.request('bash_drain_completions'))
    },
  },
]
