import type { Frame } from './engines.js'
import type { Run, Scenario } from './run.js'

// Foreground calls as AFT's harness plugins make them (foreground_orchestrate, block_to_completion,
// wait), held replies served beside other requests, and bash_abort_inflight.
// After AFT's crates/aft/tests/integration/bash_orchestrate_test.rs.

/**
 * A held reply without the completions riding on it: whether the call's own completion is owed yet
 * when AFT sends the reply depends on its 500 ms watchdog tick.
 */
function withoutCompletions(reply: Frame): Frame {
  const { bg_completions: _, ...rest } = reply
  return rest
}

/** A foreground call as AFT's plugins make it; its reply without the completions riding on it. */
async function foreground(r: Run, params: Frame): Promise<Frame> {
  return withoutCompletions(await r.bash({ background: false, foreground_orchestrate: true, ...params }))
}

/** Promotion window for these scenarios: long enough that a quick command ends inside it. */
const WAIT_WINDOW = { bash: { background: true, foreground_wait_window_ms: 10_000 } }

export const FOREGROUND_SCENARIOS: Scenario[] = [
  {
    title: 'orchestrated foreground: one terminal reply for a quick command',
    async play(r) {
      await r.configure({}, WAIT_WINDOW)
      r.record('ok', await foreground(r, { command: 'echo hi' }))
      r.record('non-zero', await foreground(r, { command: "printf 'out\\n'; sh -c 'exit 3'" }))
    },
  },
  {
    title: 'orchestrated foreground: block_to_completion and wait hold the reply to the end',
    async play(r) {
      await r.configure({}, WAIT_WINDOW)
      r.record(
        'block',
        await foreground(r, { command: 'sleep 0.3; echo blocked', block_to_completion: true }),
      )
      r.record(
        'wait',
        await foreground(r, { command: "printf 'early\\n'; sleep 0.3; printf 'late\\n'", wait: true }),
      )
      r.record(
        'wait past its timeout',
        await foreground(r, { command: 'sleep 30', wait: true, timeout: 300 }),
      )
    },
  },
  {
    title: 'orchestrated foreground: past the wait window, promoted to the background',
    // AFT 0.57.2 reads the window from this hook only; bgbash from configure, as AFT's newer versions.
    aftEnv: { AFT_TEST_FOREGROUND_WAIT_MS: '500' },
    async play(r) {
      await r.configure({}, { bash: { background: true, foreground_wait_window_ms: 500 } })
      const gate = r.gate()
      const promoted = await r.bash({
        command: `${gate.wait}; echo promoted-done`,
        background: false,
        foreground_orchestrate: true,
      })
      r.record('promoted', withoutCompletions(promoted))
      r.record('status', (await r.request('bash_status', { task_id: promoted.task_id })).status)
      gate.open()
      const frame = await r.push('bash_completed', promoted.task_id)
      r.record('completion', { status: frame.status, output_preview: frame.output_preview })
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
