import fs from 'node:fs'
import path from 'node:path'
import type { Scenario } from './run.js'

// A task's life on the wire: start, status, output, completion frame, kill, time-out, limit.
// After AFT's crates/aft/tests/integration/bash_background_test.rs.

export const TASK_SCENARIOS: Scenario[] = [
  {
    title: 'a background command: the start reply, its completion frame, its status after',
    async play(r) {
      r.record('configure', await r.configure())
      const started = await r.bash({ command: 'echo hello; echo world' })
      r.record('start', started)
      r.record('completion', await r.push('bash_completed', started.task_id))
      r.record('status', await r.request('bash_status', { task_id: started.task_id }))
    },
  },
  {
    title: 'a failing command: failed with its exit code, in the frame and the status',
    async play(r) {
      await r.configure()
      const started = await r.bash({ command: "printf 'partial output\\n'; exit 3" })
      r.record('completion', await r.push('bash_completed', started.task_id))
      r.record('status', await r.request('bash_status', { task_id: started.task_id }))
    },
  },
  {
    title: 'status reads running while the command runs, completed after, with its output',
    async play(r) {
      await r.configure()
      const gate = r.gate()
      const signal = r.signal()
      const started = await r.bash({ command: `echo before; ${signal.touch}; ${gate.wait}; echo after` })
      await signal.reached()
      r.record('running', await r.request('bash_status', { task_id: started.task_id }))
      gate.open()
      r.record('completion', await r.push('bash_completed', started.task_id))
      r.record('completed', await r.request('bash_status', { task_id: started.task_id }))
    },
  },
  {
    title: 'incremental reads by byte offset, stdout and stderr',
    async play(r) {
      await r.configure()
      const started = await r.bash({ command: "printf 'one\\ntwo\\n'; printf 'oops\\n' >&2" })
      await r.push('bash_completed', started.task_id)
      const first = await r.request('bash_status', {
        task_id: started.task_id,
        output_offset: 0,
        stderr_offset: 0,
      })
      r.record('from 0', first)
      r.record(
        'from the next offsets',
        await r.request('bash_status', {
          task_id: started.task_id,
          output_offset: first.output_next_offset,
          stderr_offset: first.stderr_next_offset,
        }),
      )
      r.record('from 2', await r.request('bash_status', { task_id: started.task_id, output_offset: 2 }))
    },
  },
  {
    title: 'workdir and env are honoured',
    async play(r) {
      await r.configure()
      const nested = path.join(r.dirs.project, 'nested')
      fs.mkdirSync(nested)
      const pwd = await r.bash({ command: 'pwd', workdir: nested })
      r.record('pwd', await r.push('bash_completed', pwd.task_id))
      const env = await r.bash({
        command: 'printf %s "$CONFORMANCE_VALUE"',
        env: { CONFORMANCE_VALUE: 'from-env' },
      })
      r.record('env', await r.push('bash_completed', env.task_id))
    },
  },
  {
    title: 'a command past its timeout ends timed_out with exit code 124',
    async play(r) {
      await r.configure()
      const started = await r.bash({ command: 'sleep 30', timeout: 300 })
      r.record('completion', await r.push('bash_completed', started.task_id))
      r.record('status', await r.request('bash_status', { task_id: started.task_id }))
    },
  },
  {
    title: 'kill ends a running task: the reply, the frame, the status, a second kill',
    async play(r) {
      await r.configure()
      const printed = r.signal()
      const started = await r.bash({ command: `echo started; ${printed.touch}; sleep 30` })
      await printed.reached()
      r.record('kill', await r.request('bash_kill', { task_id: started.task_id }))
      r.record('completion', await r.push('bash_completed', started.task_id))
      r.record('status', await r.request('bash_status', { task_id: started.task_id }))
      r.record('kill again', await r.request('bash_kill', { task_id: started.task_id }))
    },
  },
  {
    title: 'kill of a command that ignores SIGTERM; status asked while it is being killed',
    async play(r) {
      await r.configure()
      const gate = r.gate()
      const armed = r.signal()
      const started = await r.bash({
        command: `trap '' TERM; echo armed; ${armed.touch}; ${gate.wait}; sleep 30`,
      })
      await armed.reached()
      const kill = r.engine.send('bash_kill', { task_id: started.task_id })
      const during = await r.request('bash_status', { task_id: started.task_id })
      // AFT holds other requests while it kills; bgbash answers them: either way, no in-between status.
      r.record('status during the kill', ['running', 'killed'].includes(during.status) || during.status)
      r.record('kill', await kill.reply)
      r.record('completion', await r.push('bash_completed', started.task_id))
      gate.open()
    },
  },
  {
    title: 'the ninth running task of a project is refused (limit 8)',
    async play(r) {
      await r.configure()
      const ids: string[] = []
      for (let i = 0; i < 8; i++) ids.push((await r.bash({ command: 'sleep 30' })).task_id)
      const refused = await r.engine.request('bash', { command: 'sleep 1', background: true })
      r.record('ninth', { success: refused.success, code: refused.code })
      for (const id of ids) await r.request('bash_kill', { task_id: id })
    },
  },
  {
    title: 'output past the preview: truncated, with the whole output in the file output_path names',
    async play(r) {
      await r.configure()
      const started = await r.bash({
        command: "i=0; while [ $i -lt 2000 ]; do printf 'artifact-line-%04d\\n' $i; i=$((i+1)); done",
      })
      await r.push('bash_completed', started.task_id)
      const status = await r.request('bash_status', { task_id: started.task_id })
      const file = typeof status.output_path === 'string' ? fs.readFileSync(status.output_path, 'utf8') : ''
      r.record('truncated', status.output_truncated)
      r.record(
        'file has every line',
        file.includes('artifact-line-0000') && file.includes('artifact-line-1999'),
      )
      r.record('names a tool AFT lacks', /bash_(list|output|wait)\b/.test(status.output_preview))
    },
  },
  {
    title: 'a command run without background still answers at once and pushes its completion',
    async play(r) {
      await r.configure()
      const started = await r.bash({ command: 'echo fg; exit 0', background: false })
      r.record('start', started)
      r.record('completion', await r.push('bash_completed', started.task_id))
    },
  },
  {
    title: 'many quick tasks get distinct ids of the same shape',
    async play(r) {
      await r.configure()
      const ids = new Set<string>()
      for (let i = 0; i < 6; i++) {
        const started = await r.bash({ command: 'true' })
        ids.add(started.task_id)
        await r.push('bash_completed', started.task_id)
      }
      r.record('distinct', ids.size)
      r.record('id shapes', [
        ...new Set(
          [...ids].map((id) => id.replace(/-[0-9a-f]+$/, (hex) => `-${'x'.repeat(hex.length - 1)}`)),
        ),
      ])
    },
  },
]
