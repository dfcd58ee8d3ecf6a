import fs from 'node:fs'
import path from 'node:path'
import type { Scenario } from './run.js'

// Output watches (bash_notify): the frames they push, how a watched task's end is told, what
// drain and ack do with their matches. After AFT's crates/aft/tests/integration/bash_watch_test.rs.

export const WATCH_SCENARIOS: Scenario[] = [
  {
    title: 'watch: a substring, a regex and a repeating watch each push a match frame',
    async play(r) {
      await r.configure()
      const gate = r.gate()
      const done = r.gate()
      const started = await r.bash({ command: `${gate.wait}; echo 'READY on port 3000'; ${done.wait}` })
      const substring = await r.request('bash_notify', { task_id: started.task_id, pattern: 'READY' })
      r.ids.watch(substring.watch_id)
      const regex = await r.request('bash_notify', {
        task_id: started.task_id,
        regex: 'port (\\d+)',
        once: false,
      })
      r.ids.watch(regex.watch_id)
      r.record('notify replies', [substring, regex])
      gate.open()
      r.record(
        'substring match',
        await r.push('bash_pattern_match', started.task_id, (f) => f.watch_id === substring.watch_id),
      )
      r.record(
        'regex match',
        await r.push('bash_pattern_match', started.task_id, (f) => f.watch_id === regex.watch_id),
      )
      r.record('drain', await r.request('bash_drain_completions'))
      r.record('frames pushed by the drain', await r.pushesBefore(started.task_id, async () => ({})))
      r.record('drain again', await r.request('bash_drain_completions'))
      r.engine.take(r.engine.untakenPushes())
      r.record('ack', await r.request('bash_ack_completions', { task_ids: [started.task_id] }))
      r.record('drain after ack', await r.request('bash_drain_completions'))
      done.open()
    },
  },
  {
    title:
      'watch: matches owed until acked; a task that ends under them sends nothing more; after the ack, its completion',
    async play(r) {
      await r.configure()
      const first = r.gate()
      const second = r.gate()
      const matched = await r.bash({ command: `${first.wait}; echo READY; ${second.wait}; echo done` })
      const watch = await r.request('bash_notify', { task_id: matched.task_id, pattern: 'READY' })
      r.ids.watch(watch.watch_id)
      const unmatched = await r.request('bash_notify', {
        task_id: matched.task_id,
        pattern: 'never',
        once: false,
      })
      r.ids.watch(unmatched.watch_id)
      first.open()
      r.record('match', await r.push('bash_pattern_match', matched.task_id))
      const third = r.gate()
      const acked = await r.bash({ command: `${third.wait}; echo READY; ${second.wait}; echo done` })
      const ackedWatch = await r.request('bash_notify', { task_id: acked.task_id, pattern: 'READY' })
      r.ids.watch(ackedWatch.watch_id)
      third.open()
      await r.push('bash_pattern_match', acked.task_id)
      await r.request('bash_ack_completions', { task_ids: [acked.task_id] })
      second.open()
      r.record('acked task: completion', await r.push('bash_completed', acked.task_id))
      r.record(
        'frames of the task with a match owed',
        await r.pushesBefore(matched.task_id, () => r.request('ping')),
      )
      const drain = await r.request('bash_drain_completions')
      r.engine.take(r.engine.untakenPushes())
      r.record('drain', drain)
    },
  },
  {
    title: 'watch: a watched task that ends without a match sends task_exit, not a completion',
    async play(r) {
      await r.configure()
      const gate = r.gate()
      const started = await r.bash({ command: `${gate.wait}; echo never-matches-output` })
      const watch = await r.request('bash_notify', { task_id: started.task_id, pattern: 'not-present' })
      r.ids.watch(watch.watch_id)
      gate.open()
      r.record('exit frame', await r.push('bash_pattern_match', started.task_id))
      r.record('other frames', await r.pushesBefore(started.task_id, () => r.request('ping')))
      const drain = await r.request('bash_drain_completions')
      r.record('drain', drain)
      r.engine.take(r.engine.untakenPushes())
      r.record('ack', await r.request('bash_ack_completions', { task_ids: [started.task_id] }))
      r.record('drain after ack', await r.request('bash_drain_completions'))
    },
  },
  {
    title: 'watch registered after the task ended: one frame replaces the completion',
    async play(r) {
      await r.configure()
      const started = await r.bash({ command: 'printf READY-AFTER-COMPLETE' })
      r.record('completion', await r.push('bash_completed', started.task_id))
      const watch = await r.request('bash_notify', {
        task_id: started.task_id,
        pattern: 'READY-AFTER-COMPLETE',
      })
      r.ids.watch(watch.watch_id)
      r.record('notify', watch)
      r.record('frames', await r.pushesBefore(started.task_id, () => r.request('ping')))
      const drain = await r.request('bash_drain_completions')
      r.record('completions in drain', drain.bg_completions)
    },
  },
  {
    title: 'watch: match_offset counts bytes as written, also after invalid UTF-8',
    async play(r) {
      await r.configure()
      const payload = path.join(r.dirs.base, 'invalid-utf8')
      fs.writeFileSync(payload, Buffer.from([0xff, ...Buffer.from('READY\n')]))
      const gate = r.gate()
      const started = await r.bash({ command: `${gate.wait}; cat '${payload}'; sleep 30` })
      const watch = await r.request('bash_notify', { task_id: started.task_id, pattern: 'READY' })
      r.ids.watch(watch.watch_id)
      gate.open()
      const frame = await r.push('bash_pattern_match', started.task_id)
      r.record('match', { match_text: frame.match_text, match_offset: frame.match_offset })
      await r.request('bash_kill', { task_id: started.task_id })
    },
  },
  {
    title: 'watch: output written before the watch was registered',
    async play(r) {
      await r.configure()
      const printed = r.signal()
      const gate = r.gate()
      const started = await r.bash({ command: `echo EARLY; ${printed.touch}; ${gate.wait}; echo late` })
      await printed.reached()
      const watch = await r.request('bash_notify', { task_id: started.task_id, pattern: 'EARLY' })
      r.ids.watch(watch.watch_id)
      gate.open()
      const frame = await r.push('bash_pattern_match', started.task_id)
      r.record('first frame', { reason: frame.reason, match_text: frame.match_text })
    },
  },
  {
    title: 'watch: at most 8 a task; a watch needs a pattern or a valid regex; unnotify',
    async play(r) {
      await r.configure()
      const started = await r.bash({ command: 'sleep 30' })
      for (let i = 0; i < 8; i++) {
        const reply = await r.request('bash_notify', { task_id: started.task_id, pattern: `x${i}` })
        r.ids.watch(reply.watch_id)
        r.record(`watch ${i}`, reply)
      }
      r.record('ninth', await r.request('bash_notify', { task_id: started.task_id, pattern: 'x9' }))
      r.record('no pattern', await r.request('bash_notify', { task_id: started.task_id }))
      r.record('bad regex', await r.request('bash_notify', { task_id: started.task_id, regex: '(' }))
      r.record(
        'unnotify',
        await r.request('bash_unnotify', { task_id: started.task_id, watch_id: 'watch-00000001' }),
      )
      r.record(
        'unnotify unknown',
        await r.request('bash_unnotify', { task_id: started.task_id, watch_id: 'nope' }),
      )
      await r.request('bash_kill', { task_id: started.task_id })
    },
  },
]
