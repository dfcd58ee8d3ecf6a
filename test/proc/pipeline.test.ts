import assert from 'node:assert/strict'
import { test } from 'node:test'
import { segmentName, splitPipeline } from '../../src/proc/pipeline.js'

test('a single pipeline is split into its stages; anything else is not a pipeline', () => {
  const cases: Array<[string, string[] | undefined]> = [
    ['false | tail -1', ['false', 'tail -1']],
    ["sh -c 'sleep 1; exit 3' | cat", ["sh -c 'sleep 1; exit 3'", 'cat']],
    ['a | b | c', ['a', 'b', 'c']],
    ['false |& cat', ['false', 'cat']],
    ['false 2>&1 | cat >&2', ['false 2>&1', 'cat >&2']],
    ['make &> log | tee out', ['make &> log', 'tee out']],
    ['(false) | cat', ['(false)', 'cat']],
    ['(a; b) | c', ['(a; b)', 'c']],
    ['echo "$(a | b; c)" | wc -l', ['echo "$(a | b; c)"', 'wc -l']],
    ['echo "a|b" | cat', ['echo "a|b"', 'cat']],
    ["echo 'a;b' | cat", ["echo 'a;b'", 'cat']],
    ['echo a\\;b | cat', ['echo a\\;b', 'cat']],
    ['echo `a | b` | cat', ['echo `a | b`', 'cat']],
    ['  x | y  \n', ['x', 'y']],
    ['true', undefined],
    ['false | tail -1; true | tail -1', undefined],
    ['a | b && c', undefined],
    ['a || b', undefined],
    ['a | b &', undefined],
    ['a | b\nc', undefined],
    ['false | tail -1 # c', undefined],
    ['{ false; } | cat', undefined],
    ['a | ', undefined],
    ['| a', undefined],
    ["echo 'open | cat", undefined],
    ['(a | b', undefined],
    ['echo a#b | cat', ['echo a#b', 'cat']],
  ]
  for (const [command, expected] of cases) assert.deepEqual(splitPipeline(command), expected, command)
})

test('a stage is named by its first word, past assignments', () => {
  const cases: Array<[string, string]> = [
    ['false', 'false'],
    ["sh -c 'exit 3'", 'sh'],
    ['FOO=1 BAR=2 false --x', 'false'],
    ['(exit 4)', '(exit'],
    ['(false)', '(false)'],
  ]
  for (const [segment, expected] of cases) assert.equal(segmentName(segment), expected, segment)
})
