import type { Scenario } from './run.js'

// Foreground calls as AFT's harness plugins make them (foreground_orchestrate, block_to_completion,
// wait), held replies served beside other requests, and bash_abort_inflight.
// After AFT's crates/aft/tests/integration/bash_orchestrate_test.rs.

/** Promotion window for these scenarios: long enough that a quick command ends inside it. */
const WAIT_WINDOW = { bash: { background: true, foreground_wait_window_ms: 10_000 } }

export const FOREGROUND_SCENARIOS: Scenario[] = [
  {
    title: 'orchestrated foreground: one terminal reply for a quick command',
    async play(r) {
      await r.configure({}, WAIT_WINDOW)
      r.record('ok', await r.bash({ command: 'echo hi', background: false, foreground_orchestrate: true }))
      r.record(
        'non-zero',
        await r.bash({
          command: "printf 'out\\n'; sh -c 'exit 3'",
          background: false,
          foreground_orchestrate: true,
        }),
      )
    },
  },
  {
    title: 'orchestrated foreground: block_to_completion and wait hold the reply to the end',
    async play(r) {
      await r.configure({}, WAIT_WINDOW)
      r.record(
        'block',
        await r.bash({
          command: 'sleep 0.3; echo blocked',
          background: false,
          foreground_orchestrate: true,
          block_to_completion: true,
        }),
      )
      r.record(
        'wait',
        await r.bash({
          command: "printf 'early\\n'; sleep 0.3; printf 'late\\n'",
          background: false,
          foreground_orchestrate: true,
          wait: true,
        }),
      )
      r.record(
        'wait past its timeout',
        await r.bash({
          command: 'sleep 30',
          background: false,
          foreground_orchestrate: true,
          wait: true,
          timeout: 300,
        }),
      )
    },
  },
  {
    title: 'orchestrated background: a launch line at once',
    async play(r) {
      await r.configure({}, WAIT_WINDOW)
      const started = await r.bash({ command: 'sleep 30', foreground_orchestrate: true })
      r.record('launch', started)
      await r.request('bash_kill', { task_id: started.task_id })
    },
  },
  {
    title: 'wait:true without orchestration',
    async play(r) {
      await r.configure()
      const started = await r.bash({ command: 'echo waited; exit 2', background: false, wait: true })
      r.record('reply', started)
    },
  },
  {
    title: 'a held reply does not hold other requests or push frames',
    async play(r) {
      await r.configure({}, WAIT_WINDOW)
      const gate = r.gate()
      const held = r.engine.send('bash', {
        command: `${gate.wait}; echo held`,
        foreground_orchestrate: true,
        block_to_completion: true,
      })
      const other = await r.bash({ command: 'echo other' })
      r.record('other frame', await r.push('bash_completed', other.task_id))
      const status = await r.request('bash_status', { task_id: other.task_id })
      r.record('status while held', status.status)
      r.record(
        'held answered before the gate opened',
        r.engine.frames.some((f) => f.id === held.id),
      )
      gate.open()
      const reply = await held.reply
      r.ids.task(reply.task_id)
      r.record('held reply', { status: reply.status, output: reply.output })
    },
  },
  {
    title: 'bash_abort_inflight kills what held replies wait for, not background tasks',
    async play(r) {
      await r.configure({}, WAIT_WINDOW)
      const background = await r.bash({ command: 'sleep 30' }, { session_id: 'abort-session' })
      // Not a gate: an engine that serves one request at a time would never read the abort.
      const held = r.engine.send(
        'bash',
        { command: 'sleep 3; echo never', foreground_orchestrate: true, wait: true },
        { session_id: 'abort-session' },
      )
      const abort = await r.request('bash_abort_inflight', undefined, { session_id: 'abort-session' })
      r.record('abort', abort)
      const reply = await held.reply
      r.ids.task(reply.task_id)
      r.record('held reply', { status: reply.status, output: reply.output, exit_code: reply.exit_code })
      r.record(
        'background task',
        (await r.request('bash_status', { task_id: background.task_id }, { session_id: 'abort-session' }))
          .status,
      )
      await r.request('bash_kill', { task_id: background.task_id }, { session_id: 'abort-session' })
    },
  },
]
