import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { snapshotTree, taskDirOf, useTestStore } from '../helpers/store.js'

/** What `grep -n -C` prints, computed on the whole text at once. */
function naiveGrep(text: string, pattern: RegExp, context: number): string {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n')
  const shown = new Set<number>()
  const hits = new Set<number>()
  lines.forEach((line, i) => {
    if (!pattern.test(line)) return
    hits.add(i)
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) shown.add(j)
  })
  const out: string[] = []
  let last = -1
  for (const i of [...shown].sort((a, b) => a - b)) {
    if (last >= 0 && i > last + 1) out.push('--')
    out.push(`${i + 1}${hits.has(i) ? ':' : '-'}${lines[i]}`)
    last = i
  }
  return out.join('\n')
}

test('grep over bounded windows finds what a whole-text grep finds, across window boundaries', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const file = path.join(store.scratch, 'log.txt')
  const lineArb = fc.stringMatching(/^[ab ]{0,12}$/)
  await fc.assert(
    fc.asyncProperty(
      fc.array(lineArb, { minLength: 1, maxLength: 40 }),
      // The first window ends at 256 KiB: this puts the lines under test across that edge.
      fc.integer({ min: 256 * 1024 - 600, max: 256 * 1024 + 20 }),
      fc.integer({ min: 0, max: 3 }),
      async (lines, fillerBytes, context) => {
        // Filler lines put the interesting lines around the 256 KiB window edge.
        const filler = 'x'
          .repeat(99)
          .concat('\n')
          .repeat(Math.ceil(fillerBytes / 100))
        const text = `${filler}${lines.join('\n')}\n${filler}`
        fs.writeFileSync(file, text)
        const record = await tm.spawn({ command: `cat '${file}'`, notify: false })
        await tm.wait([record.taskId])
        const pattern = /ab/
        const result = await tm.read(record.taskId, {
          grep: pattern,
          contextLines: context,
          maxMatches: 1000,
          maxBytes: 1024 * 1024,
          raw: true,
        })
        assert.equal(result.text, naiveGrep(text, pattern, context))
        assert.equal(result.truncated, false)
        assert.equal(result.eof, true)
      },
    ),
    { numRuns: 25 },
  )
})

test('grep stops at maxMatches and nextOffset continues the search; escapes are stripped unless raw', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const record = await tm.spawn({
    command: `for i in 1 2 3 4 5; do printf '\\033[31mERROR %d\\033[0m\\nok\\n' $i; done`,
    notify: false,
  })
  await tm.wait([record.taskId])
  const first = await tm.read(record.taskId, { grep: /^ERROR \d$/, contextLines: 0, maxMatches: 2 })
  assert.deepEqual(
    first.matches?.map((m) => m.line),
    ['ERROR 1', 'ERROR 2'],
  )
  assert.equal(first.truncated, true)
  assert.equal(first.eof, false)
  const rest = await tm.read(record.taskId, { grep: /^ERROR \d$/, contextLines: 0, offset: first.nextOffset })
  assert.deepEqual(
    rest.matches?.map((m) => m.line),
    ['ERROR 3', 'ERROR 4', 'ERROR 5'],
  )
  assert.equal(rest.truncated, false)
  const raw = await tm.read(record.taskId, { grep: /^ERROR \d$/, raw: true })
  assert.deepEqual(raw.matches, [], 'raw lines start with an escape code')
})

test('cursors: "new since my last read" per reader, kept in the store across managers', async (t) => {
  const store = await useTestStore(t)
  const a = await store.open()
  const record = await a.spawn({ command: 'printf "one\\ntwo\\n"', notify: false })
  await a.wait([record.taskId])
  const first = await a.read(record.taskId, { fromCursor: true })
  assert.equal(first.text, 'one\ntwo\n')
  const again = await a.read(record.taskId, { fromCursor: true })
  assert.equal(again.text, '', 'nothing new since the last read')
  assert.equal(again.offset, first.nextOffset)
  const other = await a.read(record.taskId, { fromCursor: true, reader: 'someone-else' })
  assert.equal(other.text, 'one\ntwo\n', 'another reader has its own cursor')
  await a.close()

  const b = await store.open()
  const afterRestart = await b.read(record.taskId, { fromCursor: true })
  assert.equal(afterRestart.text, '', 'the cursor outlived the manager')
  assert.equal(await b.advanceCursor(record.taskId, 2), first.nextOffset, 'cursors never move back')
})

test('read rejects options that ask for two windows, and changes nothing', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const record = await tm.spawn({ command: 'echo hi', notify: false })
  await tm.wait([record.taskId])
  const before = snapshotTree(store.home)
  for (const options of [
    { grep: /x/, tailLines: 3 },
    { fromCursor: true, offset: 0 },
    { contextLines: 2 },
    { grep: 'x' as unknown as RegExp },
    { grep: /x/, maxMatches: 0 },
  ]) {
    await assert.rejects(
      tm.read(record.taskId, options),
      { code: 'invalid_request' },
      JSON.stringify(options),
    )
  }
  assert.deepEqual(snapshotTree(store.home), before)
})

/** The bytes a task wrote, as its log holds them. */
function readLogFile(storeRoot: string, taskId: string): Buffer {
  return fs.readFileSync(path.join(taskDirOf(storeRoot, taskId), 'output.log'))
}

test('grep pages one match at a time over bytes that are not UTF-8, with exact byte offsets', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const { taskId } = await tm.spawn({
    command: "printf 'a\\377\\nERROR 1\\n\\377\\377\\376\\nERROR 2 \\377 x\\n\\376\\nERROR 3\\n'",
    notify: false,
  })
  await tm.wait([taskId])
  const log = readLogFile(store.home, taskId)
  const pages: Array<{ line?: string; offset?: number; truncated?: boolean; nextOffset: number }> = []
  let offset = 0
  for (let page = 0; page < 5; page++) {
    const result = await tm.read(taskId, { grep: /^ERROR \d/, contextLines: 0, maxMatches: 1, offset })
    const [match] = result.matches ?? []
    pages.push({
      line: match?.line,
      offset: match?.offset,
      truncated: result.truncated,
      nextOffset: result.nextOffset,
    })
    if (!result.truncated) break
    offset = result.nextOffset
  }
  assert.deepEqual(pages, [
    { line: 'ERROR 1', offset: log.indexOf('ERROR 1'), truncated: true, nextOffset: log.indexOf('ERROR 2') },
    {
      line: 'ERROR 2 \uFFFD x',
      offset: log.indexOf('ERROR 2'),
      truncated: true,
      nextOffset: log.indexOf('ERROR 3'),
    },
    { line: 'ERROR 3', offset: log.indexOf('ERROR 3'), truncated: false, nextOffset: log.length },
  ])
})

test('reads by offset window give back the bytes as written, whole characters in text, whatever the window', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  // Valid two-, three- and four-byte characters, stray bytes, and a character cut short by a newline.
  const { taskId } = await tm.spawn({
    command: "printf 'h\\303\\251\\377\\342\\202\\254\\376\\nb\\342\\202\\n\\360\\237\\230\\200z\\377'",
    notify: false,
  })
  await tm.wait([taskId])
  const log = readLogFile(store.home, taskId)
  for (let maxBytes = 1; maxBytes <= 8; maxBytes++) {
    const parts: Buffer[] = []
    let offset = 0
    for (let step = 0; step < 2 * log.length; step++) {
      const window = await tm.read(taskId, { offset, maxBytes })
      assert.equal(window.offset, offset)
      assert.ok(window.bytes, 'a window read carries its bytes')
      assert.deepEqual(window.bytes, log.subarray(offset, offset + window.bytes.length))
      assert.equal(window.nextOffset, offset + window.bytes.length)
      assert.equal(window.text, window.bytes.toString('utf8'))
      parts.push(window.bytes)
      offset = window.nextOffset
      if (window.eof) break
    }
    assert.deepEqual(Buffer.concat(parts), log, `maxBytes ${maxBytes}`)
    const text = parts.map((part) => part.toString('utf8')).join('')
    assert.ok(
      text.includes('hé') && text.includes('€') && text.includes('😀'),
      `whole characters, maxBytes ${maxBytes}`,
    )
  }
  const tail = await tm.read(taskId, { tailLines: 1 })
  assert.deepEqual(tail.bytes, log.subarray(log.lastIndexOf('\n') + 1))
  const head = await tm.read(taskId, { headLines: 1 })
  assert.deepEqual(head.bytes, log.subarray(0, log.indexOf('\n') + 1))
})
