import fs from 'node:fs'
import path from 'node:path'
import { pollUntil } from '../../../helpers/wait.js'
import type { Scenario } from './run.js'

// The engine itself and what AFT reports beyond a task's own end: configure, ping, status,
// bash_regex_match, the pipeline warning, processes a command leaves running.

export const ENGINE_SCENARIOS: Scenario[] = [
  {
    title: 'configure: known and unknown settings, and what it answers',
    async play(r) {
      r.record(
        'configure',
        await r.configure(
          { max_background_bash_tasks: 4 },
          {
            bash: { background: true, long_running_reminder_interval_ms: 600_000, no_such_key: 1 },
            no_such_section: {},
          },
        ),
      )
      r.record(
        'config doc that is not JSON',
        await r.configure({ config: [{ tier: 'user', source: 'aft.jsonc', doc: '{ "bash": ' }] }),
      )
    },
  },
  {
    title: 'configure bash.background false: bash is refused with feature_disabled',
    async play(r) {
      r.record('configure', await r.configure({}, { bash: { background: false } }))
      r.record('background', await r.bash({ command: 'true', background: true }))
      r.record('foreground', await r.bash({ command: 'true', background: false }))
    },
  },
  {
    title: 'ping answers pong',
    async play(r) {
      r.record('before configure', await r.request('ping'))
      await r.configure()
      r.record('after configure', await r.request('ping'))
    },
  },
  {
    title: 'status answers with the engine version',
    async play(r) {
      await r.configure()
      const status = await r.request('status')
      r.record('status', { success: status.success, version: typeof status.version })
    },
  },
  {
    title: 'bash_regex_match: multiline regex, byte and char offsets, invalid regex',
    async play(r) {
      r.record('match', await r.request('bash_regex_match', { pattern: '^foo$', text: 'α\nfoo\nbar' }))
      r.record('no match', await r.request('bash_regex_match', { pattern: 'zzz', text: 'abc' }))
      r.record('invalid', await r.request('bash_regex_match', { pattern: '(', text: '' }))
    },
  },
  {
    title: 'pipeline warning: an upstream stage failed while the last one succeeded',
    async play(r) {
      await r.configure()
      for (const [label, command] of [
        ['upstream fails', 'false | tail -1'],
        ['all succeed', 'true | tail -1'],
        ['last fails', 'true | false'],
      ] as const) {
        const started = await r.bash({ command })
        const frame = await r.push('bash_completed', started.task_id)
        r.record(label, { exit_code: frame.exit_code, output_preview: frame.output_preview })
      }
    },
  },
  {
    title: 'processes a command left running show as live_descendants, and kill reaches them',
    async play(r) {
      await r.configure()
      const pids = path.join(r.dirs.base, 'worker-pids')
      const started = await r.bash({
        command: `for i in 1 2 3; do (exec -a conformance-worker sleep 30) & echo $! >> '${pids}'; done; echo spawned`,
      })
      await pollUntil(
        () => (fs.existsSync(pids) ? fs.readFileSync(pids, 'utf8').trim().split('\n').length : 0),
        (count) => count === 3,
        { what: 'three worker pids' },
      )
      const frame = await r.push('bash_completed', started.task_id)
      r.record('frame', frame)
      r.record('status', await r.request('bash_status', { task_id: started.task_id }))
      r.record('kill', await r.request('bash_kill', { task_id: started.task_id }))
    },
  },
]
