import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { BGBASH_BIN } from '../helpers/cli.js'
import { readPidRecord, taskDirOf, useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'

/** A private tmux server: what a person sees is read back with capture-pane. */
class Terminal {
  private readonly socket = `bgbash-test-${process.pid}-${randomBytes(4).toString('hex')}`

  /** A shell in `cwd` (the test store's scratch directory: the project the test's manager uses). */
  constructor(env: Record<string, string>, cwd: string) {
    const vars = Object.entries({ ...env, PS1: '$ ', TERM: 'xterm-256color' }).flatMap(([k, v]) => [
      '-e',
      `${k}=${v}`,
    ])
    // A person's terminal, not a CI job: with $CI set (as .ci/run sets it) spinners do not animate.
    this.tmux(
      'new-session',
      '-d',
      '-s',
      'main',
      '-x',
      '110',
      '-y',
      '30',
      '-c',
      cwd,
      ...vars,
      'env -u CI bash --noprofile --norc',
    )
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' })
  }

  type(text: string): void {
    this.tmux('send-keys', '-t', 'main', '-l', text)
    this.tmux('send-keys', '-t', 'main', 'Enter')
  }

  press(key: string): void {
    this.tmux('send-keys', '-t', 'main', key)
  }

  /** The screen as text; with escapes, the colours too. */
  screen(withEscapes = false): string {
    return this.tmux('capture-pane', '-p', '-t', 'main', ...(withEscapes ? ['-e'] : []))
  }

  waitForScreen(isDone: (screen: string) => boolean, what: string): Promise<string> {
    return pollUntil(() => this.screen(), isDone, { what, timeoutMs: 15_000, intervalMs: 25 })
  }

  close(): void {
    try {
      this.tmux('kill-server')
    } catch {
      // Already gone.
    }
  }
}

function assertTmux(): void {
  try {
    execFileSync('tmux', ['-V'])
  } catch {
    assert.fail('tmux is needed for the terminal test: apt-get install tmux (.ci/run installs it)')
  }
}

test('a person in a real terminal: ls --watch redraws live until Ctrl-C, wait spins then exits with the code', async (t) => {
  assertTmux()
  const store = await useTestStore(t)
  const tm = await store.open()
  const term = new Terminal({ BGBASH_HOME: store.home, BGBASH_SESSION: 'test-session' }, store.scratch)
  t.after(() => term.close())
  const bgbash = `node ${BGBASH_BIN}`

  const server = await tm.spawn({
    command: 'echo "dev server up"; read line; exit 3',
    stdin: true,
    description: 'dev server',
  })
  // Another manager (the CLI's) sees the task `starting` until its wrapper has recorded its pid.
  await readPidRecord(taskDirOf(store.home, server.taskId))
  term.type(`${bgbash} ls --watch`)
  let screen = await term.waitForScreen(
    (s) => s.includes('Ctrl-C to quit') && s.includes(server.taskId),
    'the live table',
  )
  assert.match(screen, /ID\s+STATUS\s+TIME\s+EXIT\s+CPU\s+MEM\s+COMMAND/)
  assert.match(
    screen,
    new RegExp(`${server.taskId}\\s+running\\s+\\S+ ago\\s+-\\s+\\d+\\.\\d%\\s+\\S+\\s+echo "dev server up"`),
  )
  // The table on a terminal is coloured: the status cell carries an escape.
  assert.match(term.screen(true), new RegExp(`${server.taskId}\\S*\\s+\\x1b\\[[0-9;]*m\\s*running`))

  // A task that appears and one that ends show up without anyone touching the terminal.
  const build = await tm.spawn({ command: 'echo built' })
  await tm.write(server.taskId, 'stop\n')
  screen = await term.waitForScreen(
    (s) =>
      new RegExp(`${server.taskId}\\s+failed\\s+\\S+\\s+3`).test(s) &&
      new RegExp(`${build.taskId}\\s+completed`).test(s),
    'the redrawn table',
  )
  assert.equal(screen.match(/ID\s+STATUS/g)?.length, 1, 'redrawn in place, not appended')

  term.press('C-c')
  term.type('echo "ls exited $?"')
  await term.waitForScreen((s) => s.includes('ls exited 0'), 'the prompt back after Ctrl-C')

  // wait: a spinner with the elapsed time while the task runs, then the result and its exit code.
  term.type('clear')
  const job = await tm.spawn({ command: 'read line; echo "job done"; exit 6', stdin: true })
  term.type(`${bgbash} wait ${job.taskId.slice(4)}; echo "wait exited $?"`)
  screen = await term.waitForScreen(
    (s) => /waiting for bgb-[0-9a-f]{8}\s+\d+(\.\d)?(ms|s)/.test(s),
    'the spinner',
  )
  assert.match(screen, new RegExp(`waiting for ${job.taskId}`))
  const first = /waiting for \S+\s+(\S+)/.exec(screen)?.[1]
  await term.waitForScreen((s) => /waiting for \S+\s+(\S+)/.exec(s)?.[1] !== first, 'the elapsed time moving')
  await tm.write(job.taskId, 'go\n')
  screen = await term.waitForScreen((s) => s.includes('wait exited 6'), 'wait to end')
  assert.match(screen, new RegExp(`${job.taskId}\\s+failed exit 6`))
  assert.doesNotMatch(screen.split('wait exited 6')[0] ?? '', /waiting for/, 'the spinner line was cleared')
})
