import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { useTestStore } from '../../helpers/store.js'
import { BIN } from './harness.js'

const run = promisify(execFile)

/**
 * The official client, as a user would run it (npx downloads it on first use), serving the test's
 * own store. The store goes on the server's command line: the Inspector, like the SDK's stdio
 * transport, passes only a few variables (HOME, PATH, …) to the server, so a BGBASH_HOME in this
 * process's environment never reaches it, and the server fell back to the user's real store.
 * After `--` come the Inspector's own options.
 */
function inspector(home: string, ...serverArgs: string[]): string[] {
  const server = [process.execPath, BIN, 'mcp', '--home', home, '--session', 'inspector', ...serverArgs]
  return ['-y', '@modelcontextprotocol/inspector@2.12.0', '--cli', ...server, '--']
}

test('the official MCP Inspector lists the tools with portable schemas and calls bash', {
  timeout: 300_000,
}, async (t) => {
  const store = await useTestStore(t)
  const options = { cwd: store.scratch, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }
  // --strict reports every schema portability problem and fails on error-severity ones.
  const listed = await run('npx', [...inspector(store.home), '--method', 'tools/list', '--strict'], options)
  const names = (JSON.parse(listed.stdout) as { tools: Array<{ name: string }> }).tools.map(
    (tool) => tool.name,
  )
  assert.deepEqual(names.sort(), ['bash', 'bash_kill', 'bash_list', 'bash_output', 'bash_wait', 'bash_write'])
  assert.doesNotMatch(listed.stderr, /Warning: tool|Error: tool/, 'no schema portability findings')
  const structured = await run(
    'npx',
    [...inspector(store.home, '--structured'), '--method', 'tools/list', '--strict'],
    options,
  )
  assert.doesNotMatch(structured.stderr, /Warning: tool|Error: tool/, 'output schemas are portable too')
  assert.ok(
    (JSON.parse(structured.stdout) as { tools: Array<{ outputSchema?: object }> }).tools[0]!.outputSchema,
  )

  const called = await run(
    'npx',
    [
      ...inspector(store.home),
      '--method',
      'tools/call',
      '--tool-name',
      'bash',
      '--tool-arg',
      'command=echo hi from the inspector',
    ],
    options,
  )
  const result = JSON.parse(called.stdout) as { content: Array<{ text: string }>; structuredContent?: object }
  // By default the text alone, which every client forwards as it is.
  assert.equal(result.structuredContent, undefined)
  assert.match(result.content[0]!.text, /^Completed, exit 0 after .*\nhi from the inspector$/)
  // Both servers used the test's store, and one session in it: the one on their command line.
  assert.equal(fs.readdirSync(path.join(store.home, 'sessions')).length, 1)
})
