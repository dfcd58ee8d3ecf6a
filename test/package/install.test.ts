// The package as a user gets it: `npm pack`, installed from the tarball into a global prefix and
// into a project, then every face run from the installed files. Dependencies come from the npm
// cache (filled by `npm ci`) or the registry; everything this test writes is under its temp dir.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { killStoreProcesses } from '../helpers/pids.js'
import { useTestStore } from '../helpers/store.js'

const run = promisify(execFile)
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string
  version: string
  bin: Record<string, string>
  files: string[]
  keywords: string[]
  repository: { url: string }
}
/** The official client, pinned, as the README runs it. */
const INSPECTOR = ['-y', '@modelcontextprotocol/inspector@2.12.0', '--cli']
/** What the tarball may hold: the build (code and types), the README, the licence, the manifest. */
const SHIPPED = /^(dist\/.+\.(js|d\.ts)|README\.md|LICENSE|package\.json)$/

interface ToolCallResult {
  content: Array<{ text: string }>
}

/**
 * The environment without what `npm test` adds for its scripts (npm_config_prefix and
 * npm_config_local_prefix point at this checkout), so each npm command here reads the user's own
 * configuration and the prefix it is given; npm's logs go to the test's directory.
 */
function cleanEnv(logsDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('npm_') && key !== 'INIT_CWD') env[key] = value
  }
  env.npm_config_logs_dir = logsDir
  env.npm_config_update_notifier = 'false'
  return env
}

test('the tarball holds the build, README and LICENSE only, and package.json says how npx runs it', async (t) => {
  const store = await useTestStore(t)
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    env: cleanEnv(path.join(store.scratch, 'npm-logs')),
  })
  const [packed] = JSON.parse(stdout) as Array<{ name: string; files: Array<{ path: string }> }>
  const files = packed!.files.map((file) => file.path)
  assert.deepEqual(
    files.filter((file) => !SHIPPED.test(file)),
    [],
    'nothing but the build, README, LICENSE',
  )
  for (const needed of [
    'README.md',
    'LICENSE',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/bin/bgbash.js',
    'dist/bin/bgbash-mcp.js',
  ]) {
    assert.ok(files.includes(needed), `${needed} is in the tarball`)
  }
  assert.equal(packed!.name, PACKAGE.name)
  // npx runs the bin named like the package when there are several: that one must be the server.
  assert.equal(PACKAGE.bin[PACKAGE.name], 'dist/bin/bgbash-mcp.js')
  assert.equal(PACKAGE.bin.bgbash, 'dist/bin/bgbash.js')
  assert.ok(PACKAGE.keywords.includes('mcp') && PACKAGE.repository.url.length > 0)
})

test("the README's install, npx and import lines name this package", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  const named = [
    ...[...readme.matchAll(/npx -y ((?:@[\w.-]+\/)?[\w.-]+)/g)].map((m) => m[1]!),
    ...[...readme.matchAll(/"-y", "([^"]+)"/g)].map((m) => m[1]!),
    ...[...readme.matchAll(/npm i(?:nstall)? (?:-g )?((?:@[\w.-]+\/)?[a-z][\w.-]*)/g)].map((m) => m[1]!),
    ...[...readme.matchAll(/from '([^'.][^']*)'/g)].map((m) => m[1]!),
  ].filter((name) => !name.startsWith('@modelcontextprotocol/inspector'))
  assert.ok(named.length >= 8, `found the install lines: ${named.join(', ')}`)
  assert.deepEqual([...new Set(named)], [PACKAGE.name])
  assert.match(readme, /npx -y @modelcontextprotocol\/inspector@\d+\.\d+\.\d+ --cli/)
  assert.doesNotMatch(readme, /npx @modelcontextprotocol\/inspector/, 'the Inspector line has -y')
})

test('installed from the tarball: bgbash runs, lists and waits; bgbash mcp and npx -y serve the Inspector; the library imports', {
  timeout: 240_000,
}, async (t) => {
  const store = await useTestStore(t)
  const work = store.scratch
  const env = cleanEnv(path.join(work, 'npm-logs'))
  const npm = (args: string[], cwd = work) => run('npm', args, { cwd, env, maxBuffer: 16 * 2 ** 20 })
  const install = ['install', '--prefer-offline', '--no-audit', '--no-fund']

  const packed = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT)
  const tarball = path.join(work, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename)

  // Global install: the commands a person types.
  const globalPrefix = path.join(work, 'global')
  await npm([...install, '--global', '--prefix', globalPrefix, tarball])
  const bin = (name: string) => path.join(globalPrefix, 'bin', name)
  // The store's options go right after the command: after `run --` they would be the task's words.
  const cli = ([command, ...rest]: string[]) =>
    run(bin('bgbash'), [command!, '--home', store.home, '--session', 'pkg', ...rest], { cwd: work, env })
  for (const name of ['bgbash', 'bgbash-mcp']) {
    assert.equal((await run(bin(name), ['--version'], { cwd: work, env })).stdout.trim(), PACKAGE.version)
  }
  const taskId = (await cli(['run', '--', 'echo', 'from the installed cli'])).stdout.trim()
  assert.match(taskId, /^bgb-[0-9a-f]{8}$/)
  await cli(['wait', taskId])
  const listed = JSON.parse((await cli(['ls', '--json'])).stdout) as Array<{
    task_id: string
    status: string
  }>
  assert.deepEqual(
    listed.map((task) => [task.task_id, task.status]),
    [[taskId, 'completed']],
  )
  const tools = await run(
    'npx',
    [...INSPECTOR, bin('bgbash'), 'mcp', '--home', store.home, '--', '--method', 'tools/list'],
    { cwd: work, env, timeout: 120_000 },
  )
  assert.ok(
    (JSON.parse(tools.stdout) as { tools: Array<{ name: string }> }).tools.some((x) => x.name === 'bash'),
  )

  // Project install: the library, its types, and `npx -y <name>` as an MCP client runs it.
  const project = path.join(work, 'project')
  fs.mkdirSync(project)
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
  )
  await npm([...install, '--prefix', project, tarball])
  const script = `
    import { openTaskManager } from '${PACKAGE.name}'
    const tm = await openTaskManager({ home: process.argv[1], sessionId: 'pkg-library', backgroundGc: false })
    const { taskId } = await tm.spawn({ command: 'echo from the library' })
    const [done] = await tm.wait([taskId])
    const { text } = await tm.read(taskId)
    await tm.close()
    console.log(JSON.stringify({ status: done.status, text }))`
  const library = await run(process.execPath, ['--input-type=module', '-e', script, store.home], {
    cwd: project,
    env,
  })
  assert.deepEqual(JSON.parse(library.stdout), { status: 'completed', text: 'from the library\n' })
  fs.writeFileSync(
    path.join(project, 'check.ts'),
    `import { openTaskManager, type TaskRecord } from '${PACKAGE.name}'\n` +
      "const tm = await openTaskManager({ sessionId: 'typed' })\n" +
      'export const records: TaskRecord[] = await tm.list()\n' +
      '// @ts-expect-error: the types are real, not any\n' +
      "await tm.spawn({ commnd: 'true' })\n",
  )
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  const typeArgs = ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--types', 'node']
  await run(
    process.execPath,
    [tsc, ...typeArgs, '--typeRoots', path.join(ROOT, 'node_modules', '@types'), 'check.ts'],
    {
      cwd: project,
      env,
    },
  )

  // npx given the package itself (nothing installed) runs the bin named like the package: the
  // server, whose help says so. Its own cache, so nothing lands in the user's; filled from the registry.
  const fetched = await run('npx', ['-y', `file:${tarball}`, '--help'], {
    cwd: work,
    env: { ...env, npm_config_cache: path.join(work, 'npx-cache') },
    timeout: 120_000,
  })
  assert.match(fetched.stdout, /^Usage: bgbash mcp \[options\]/)

  // `npx -y <name>` with no argument, as every client line in the README runs it. The client passes
  // HOME (one of the few variables it forwards), so the server's default store lands in this test.
  const home = path.join(work, 'home')
  const defaultStore = path.join(home, '.local', 'state', 'bgbash')
  t.after(() => killStoreProcesses(defaultStore))
  const called = await run(
    'npx',
    [
      ...INSPECTOR,
      'npx',
      '-y',
      PACKAGE.name,
      '--',
      '-e',
      `HOME=${home}`,
      '--method',
      'tools/call',
      '--tool-name',
      'bash',
      '--tool-arg',
      'command=echo served by npx',
    ],
    { cwd: project, env, timeout: 120_000 },
  )
  const result = JSON.parse(called.stdout) as ToolCallResult
  assert.match(result.content[0]!.text, /^Completed, exit 0 after .*\nserved by npx$/)
  assert.equal(fs.readdirSync(path.join(defaultStore, 'sessions')).length, 1, 'the server used HOME')
})
