// Runs the test suite (the command given as arguments) and fails it if anything under the user's
// real store changed meanwhile. Each test has a store of its own, but an MCP client passes only a
// few variables to the server it starts (the SDK's stdio transport and the Inspector pass HOME,
// PATH, SHELL, …), so a test that sets BGBASH_HOME in its own environment and not on the server's
// command line sends that server to the default store: this is the check that catches it.
//
//   node --import tsx test/real-store-guard.ts node --test …
import { spawn } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { resolveStoreRoot } from '../src/index.js'
import { snapshotTree } from './helpers/store.js'

/** Lines of the difference shown when the guard fails; the rest are counted. */
const MAX_SHOWN = 20

/**
 * Where a bgbash started by a test could write outside its temp store: the store this shell would
 * use, and the one a server falls back to when a client drops BGBASH_HOME and XDG_STATE_HOME.
 */
const roots = [
  ...new Set([
    resolveStoreRoot(undefined, process.env),
    path.join(os.homedir(), '.local', 'state', 'bgbash'),
  ]),
]
const before = new Map(roots.map((root) => [root, snapshotTree(root, { withTimes: true })]))

const [command, ...args] = process.argv.slice(2)
if (!command) throw new Error('usage: real-store-guard.ts <command> [args…]')
const child = spawn(command, args, { stdio: 'inherit' })
// Ctrl-C reaches the runner as well (one process group): wait for it to stop, then compare.
process.on('SIGINT', () => {})
process.on('SIGTERM', () => child.kill('SIGTERM'))
const code = await new Promise<number>((resolve) => {
  child.on('exit', (exitCode, signal) =>
    resolve(exitCode ?? (signal ? 128 + os.constants.signals[signal] : 1)),
  )
})

let changed = false
for (const root of roots) {
  const old = new Set(before.get(root))
  const now = snapshotTree(root, { withTimes: true })
  const added = now.filter((line) => !old.has(line)).map((line) => `+ ${line}`)
  const current = new Set(now)
  const removed = [...old].filter((line) => !current.has(line)).map((line) => `- ${line}`)
  const diff = [...removed, ...added]
  if (diff.length === 0) continue
  changed = true
  console.error(
    `\nreal-store guard: ${diff.length} entries under ${root} changed while the tests ran.` +
      ' A test started bgbash without a store of its own (a client drops BGBASH_HOME: pass --home),' +
      ' or another program on this machine used the store meanwhile:',
  )
  for (const line of diff.slice(0, MAX_SHOWN)) console.error(`  ${line}`)
  if (diff.length > MAX_SHOWN) console.error(`  … and ${diff.length - MAX_SHOWN} more`)
}
process.exitCode = changed && code === 0 ? 1 : code
