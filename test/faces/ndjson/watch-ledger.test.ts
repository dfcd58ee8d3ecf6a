import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type EndNotice, WatchLedger } from '../../../src/faces/ndjson/watch-ledger.js'

const T = 'bash-0000000000000001'
const frame = (text: string) => ({ type: 'bash_pattern_match', task_id: T, match_text: text })

test("a task's end under watches, as AFT tells it: completion, one task_exit frame, or nothing more", () => {
  const cases: Array<[string, (ledger: WatchLedger) => void, EndNotice]> = [
    ['no watch ever', () => {}, 'completion'],
    [
      'a watch that never matched',
      (l) => l.add({ taskId: T, owner: 'a', registrar: 'a', engineWatchId: 'w' }),
      'exit_frame',
    ],
    [
      'a once-watch that matched, not acked',
      (l) => {
        const id = l.add({ taskId: T, owner: 'a', registrar: 'a', engineWatchId: 'w' })
        l.addPending(T, 'a', frame('READY'), id)
      },
      'nothing',
    ],
    [
      'a once-watch that matched and was acked',
      (l) => {
        const id = l.add({ taskId: T, owner: 'a', registrar: 'a', engineWatchId: 'w' })
        l.addPending(T, 'a', frame('READY'), id)
        l.ack('a', [T])
      },
      'completion',
    ],
    [
      'a repeating watch that matched and was acked, still looking',
      (l) => {
        l.add({ taskId: T, owner: 'a', registrar: 'a', engineWatchId: 'w' })
        l.addPending(T, 'a', frame('READY'))
        l.ack('a', [T])
      },
      'exit_frame',
    ],
    [
      'matched, and acked by another session (which cannot)',
      (l) => {
        const id = l.add({ taskId: T, owner: 'a', registrar: 'b', engineWatchId: 'w' })
        l.addPending(T, 'a', frame('READY'), id)
        l.ack('b', [T])
      },
      'nothing',
    ],
    [
      'a watch removed before the end',
      (l) => {
        const id = l.add({ taskId: T, owner: 'a', registrar: 'a', engineWatchId: 'w' })
        l.remove(T, id)
      },
      'completion',
    ],
  ]
  for (const [title, setUp, expected] of cases) {
    const ledger = new WatchLedger()
    setUp(ledger)
    assert.equal(ledger.noticeAtEnd(T), expected, title)
  }
})

test('owed frames show in every drain of the owner until it acks the task, and only there', () => {
  const ledger = new WatchLedger()
  const id = ledger.add({ taskId: T, owner: 'a', registrar: 'b', engineWatchId: 'w' })
  assert.match(id, /^watch-\d{8}$/)
  ledger.addPending(T, 'a', frame('READY'), id)
  assert.deepEqual(ledger.pendingFor('a'), [frame('READY')])
  assert.deepEqual(ledger.pendingFor('a'), [frame('READY')], 'a drain is a peek')
  assert.deepEqual(ledger.pendingFor('b'), [])
  ledger.ack('a', [T])
  assert.deepEqual(ledger.pendingFor('a'), [])
  assert.equal(ledger.remove(T, id), undefined, 'the once-watch stopped with its match')
})
