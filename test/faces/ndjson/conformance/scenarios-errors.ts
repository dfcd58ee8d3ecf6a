import type { Scenario } from './run.js'

// Requests that are refused: unknown ids, bad params, bad lines. Each gets a typed error and the
// engine goes on serving.

export const ERROR_SCENARIOS: Scenario[] = [
  {
    title: 'unknown task ids are task_not_found; a path is refused',
    async play(r) {
      await r.configure()
      // A session that has started a task, as a harness's has.
      await r.push('bash_completed', (await r.bash({ command: 'true' })).task_id)
      for (const id of ['missing-task', 'bash-000000000000dead', 'bgb-0000dead']) {
        r.record(`status ${id}`, await r.request('bash_status', { task_id: id }))
        r.record(`kill ${id}`, await r.request('bash_kill', { task_id: id }))
      }
      r.record('promote unknown', await r.request('bash_promote', { task_id: 'bash-000000000000dead' }))
      r.record(
        'notify unknown',
        await r.request('bash_notify', { task_id: 'bash-000000000000dead', pattern: 'x' }),
      )
      r.record('path as an id', await r.request('bash_status', { task_id: '../../etc' }))
      r.record('no task_id', await r.request('bash_status', {}))
    },
  },
  {
    title: 'bad requests: unknown command, missing command, blocked env, wait with background',
    async play(r) {
      await r.configure()
      r.record('unknown command', await r.request('no_such_command'))
      r.record('bash without command', await r.request('bash', {}))
      r.record('blocked env', await r.request('bash', { command: 'true', env: { LD_PRELOAD: '/x.so' } }))
      r.record(
        'wait with background',
        await r.request('bash', { command: 'true', background: true, wait: true }),
      )
      r.record('ping still answers', await r.request('ping'))
    },
  },
  {
    title: 'lines that are not requests get a parse error and the engine goes on',
    async play(r) {
      await r.configure()
      const errors = () => r.engine.frames.filter((frame) => frame.success === false)
      for (const line of ['not json', '{"command":"ping"}', '[1,2]']) r.engine.sendLine(line)
      await r.request('bash_drain_completions')
      r.record('errors', errors())
    },
  },
  {
    title: 'bash_write to a task without a terminal or stdin',
    async play(r) {
      await r.configure()
      const started = await r.bash({ command: 'sleep 30' })
      r.record('write', await r.request('bash_write', { task_id: started.task_id, input: 'hello\n' }))
      await r.request('bash_kill', { task_id: started.task_id })
    },
  },
]
