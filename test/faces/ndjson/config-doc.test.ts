import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readBashSettings } from '../../../src/faces/ndjson/config-doc.js'

const doc = (text: string) => ({ tier: 'user', source: 'aft.jsonc', doc: text })

test('bash settings: known keys are read, later tiers win, everything else is dropped', () => {
  const cases: Array<[string, unknown, ReturnType<typeof readBashSettings>]> = [
    ['no config', undefined, { settings: {}, dropped: [] }],
    [
      'background off',
      [doc('{"bash": {"background": false}}')],
      { settings: { background: false }, dropped: [] },
    ],
    ['bash: true', [doc('{"bash": true}')], { settings: { background: true }, dropped: [] }],
    [
      'reminders',
      [doc('{"bash": {"long_running_reminder_enabled": false, "long_running_reminder_interval_ms": 5000}}')],
      { settings: { longRunningEnabled: false, longRunningMs: 5000 }, dropped: [] },
    ],
    [
      'foreground window',
      [doc('{"bash": {"foreground_wait_window_ms": 250}}')],
      { settings: { foregroundWaitMs: 250 }, dropped: [] },
    ],
    [
      'comments, trailing commas, unknown keys and sections',
      [doc('{ // user\n "bash": {"background": true, "rewrite": true,}, /* x */ "lsp": {} }')],
      { settings: { background: true }, dropped: ['bash.rewrite', 'lsp'] },
    ],
    [
      'a project tier over a user tier',
      [doc('{"bash": {"background": true}}'), doc('{"bash": {"background": false}}')],
      { settings: { background: false }, dropped: [] },
    ],
  ]
  for (const [title, docs, expected] of cases) assert.deepEqual(readBashSettings(docs), expected, title)
})

test('bash settings: a doc that is not JSON(C) or a value of the wrong type is refused', () => {
  const cases: Array<[unknown, RegExp]> = [
    ['not a list', /config must be a list/],
    [[{ tier: 'user' }], /needs a doc string/],
    [[doc('{ "bash": ')], /not JSON\(C\)/],
    [[doc('[1]')], /must be an object/],
    [[doc('{"bash": 3}')], /bash must be true, false or an object/],
    [[doc('{"bash": {"background": "yes"}}')], /bash.background must be true or false/],
    [[doc('{"bash": {"long_running_reminder_interval_ms": -1}}')], /must be an integer ≥ 0/],
    [[doc('{"bash": {"foreground_wait_window_ms": 1.5}}')], /must be an integer ≥ 0/],
  ]
  for (const [docs, message] of cases) {
    assert.throws(
      () => readBashSettings(docs),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'invalid_request')
        assert.match(error.message, message)
        return true
      },
    )
  }
})
