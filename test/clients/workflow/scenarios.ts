// The workflow of issue 16, played three ways: with bgbash's tools, with Claude Code's own tools
// and with Codex's own tools. Start a dev server, run the suite in the background, run one
// unrelated command meanwhile, learn which tests failed and why, stop the server. Each path is
// played as cheaply as a sensible model would play it with those tools.
import fs from 'node:fs'
import { waitEndRecorded } from '../../helpers/store.js'
import { pollUntil } from '../../helpers/wait.js'
import { type Scenario, type SeenResult, seenOf, type ToolCall, taskIdIn } from '../scenario.js'
import { FACTS, findFacts, LISTENING, SERVER_COMMAND, TEST_COMMAND, UNRELATED_COMMAND } from './project.js'

/** The user's prompt, the same on every path. */
export const WORKFLOW_PROMPT =
  'Start the dev server, run the test suite in the background, list the project files meanwhile, ' +
  'then tell me which tests failed and why, and stop the server.'

/** How long a step waits for the suite to end or the server to listen (both take about 1 s). */
const WAIT_MS = 60_000

/**
 * A grep for the lines that name a failed TAP test, its two values and the summary counts: what a
 * model that knows node:test's TAP output would look for.
 */
const FAILURE_LINES = '^not ok|^  (expected|actual):|^# (tests|pass|fail) '

/** Where the Codex model has the suite write its output when it means to grep it (in the project). */
const CODEX_TEST_OUTPUT = 'test-output.txt'

interface Where {
  /** The bgbash store. */
  home: string
  /** The project (see project.ts). */
  cwd: string
}

/** With bgbash: one call starts the server and returns when it listens; the suite's end rides on the next result. */
export function bgbashWorkflow({ home }: Where): Scenario {
  const bgbash = (tool: string, args: Record<string, unknown>): ToolCall => ({ tool, args })
  return {
    name: 'workflow-bgbash',
    prompt: WORKFLOW_PROMPT,
    steps: [
      {
        name: 'start-server',
        call: () =>
          bgbash('bash', { command: SERVER_COMMAND, ready_when: LISTENING, description: 'dev server' }),
      },
      {
        name: 'start-tests',
        call: () => bgbash('bash', { command: TEST_COMMAND, background: true, description: 'test suite' }),
      },
      {
        // The suite ends while the model is busy: its completion rides on this result.
        name: 'unrelated',
        // The server records the end (waitEndRecorded says why nobody else may).
        before: (seen) => waitEndRecorded(home, taskIdIn(seenOf(seen, 'start-tests'))),
        call: () => bgbash('bash', { command: UNRELATED_COMMAND }),
      },
      {
        // Only when the completion's preview left a fact out.
        name: 'read-failures',
        call: (seen) =>
          hasAllFacts(seen)
            ? undefined
            : bgbash('bash_output', {
                task_id: taskIdIn(seenOf(seen, 'start-tests')),
                grep: FAILURE_LINES,
                context_lines: 0,
              }),
      },
      {
        name: 'stop-server',
        call: (seen) => bgbash('bash_kill', { task_ids: [taskIdIn(seenOf(seen, 'start-server'))] }),
      },
    ],
  }
}

/**
 * How a model reads the suite's output with the harness's own tools: a grep for the failures (the
 * cheapest), or all of it.
 */
export type NativeReading = 'grep' | 'whole'

/**
 * With Claude Code's own tools: `Bash` run_in_background (it answers with a task id and an output
 * file, and a task notification tells the end), `Read` of the server's output file to see it
 * listen, a grep of the suite's output file with `Bash` (2.1.328 offers no `Grep` tool: its
 * embedded search runs inside `Bash`) or a `Read` of all of it, and `TaskStop` (deferred: loaded
 * with a ToolSearch first).
 */
export function claudeCodeWorkflow({ cwd }: Where, reading: NativeReading): Scenario {
  const native = (tool: string, args: Record<string, unknown>): ToolCall => ({ tool, args, native: true })
  const outputFile = (seen: SeenResult[], step: string) =>
    matchIn(seenOf(seen, step), /Output is being written to: (\S+\.output)/)
  return {
    name: `workflow-claude-code-${reading}`,
    prompt: WORKFLOW_PROMPT,
    steps: [
      {
        name: 'start-server',
        call: () =>
          native('Bash', {
            command: SERVER_COMMAND,
            run_in_background: true,
            description: 'Start the dev server',
          }),
      },
      {
        // A model reading the file before the server listens would read it again; this one reads once.
        name: 'server-ready',
        before: (seen) => waitFileHas(outputFile(seen, 'start-server'), LISTENING),
        call: (seen) => native('Read', { file_path: outputFile(seen, 'start-server') }),
      },
      {
        name: 'start-tests',
        call: () =>
          native('Bash', {
            command: TEST_COMMAND,
            run_in_background: true,
            description: 'Run the test suite',
          }),
      },
      {
        // The suite ends while the model is busy: Claude Code's task notification follows this result.
        name: 'unrelated',
        before: () => waitProcessesGone(cwd, TEST_COMMAND),
        call: () => native('Bash', { command: UNRELATED_COMMAND, description: 'List the project files' }),
      },
      {
        name: 'read-failures',
        call: (seen) =>
          reading === 'whole'
            ? native('Read', { file_path: outputFile(seen, 'start-tests') })
            : native('Bash', {
                command: `grep -E '${FAILURE_LINES}' ${outputFile(seen, 'start-tests')}`,
                description: 'Show the failed tests',
              }),
      },
      {
        name: 'stop-server',
        call: (seen) =>
          native('TaskStop', {
            task_id: matchIn(seenOf(seen, 'start-server'), /running in background with ID: (\w+)/),
          }),
      },
    ],
  }
}

/**
 * With Codex's own tools: `exec_command` returns what a command printed within yield_time_ms and,
 * when it is still running, a session id; `write_stdin` with no characters reads what came since
 * and the exit code; Ctrl-C on the server's terminal stops it. The whole output is read from the
 * suite's session; for a grep, the suite writes to a file, the session tells its end, and a
 * second command greps the file.
 */
export function codexWorkflow({ cwd }: Where, reading: NativeReading): Scenario {
  const native = (tool: string, args: Record<string, unknown>): ToolCall => ({ tool, args, native: true })
  const sessionOf = (seen: SeenResult[], step: string) =>
    Number(matchIn(seenOf(seen, step), /Process running with session ID (\d+)/))
  const isRunning = (seen: SeenResult[], step: string) =>
    /Process running with session ID/.test(seenOf(seen, step)?.text ?? '')
  return {
    name: `workflow-codex-${reading}`,
    prompt: WORKFLOW_PROMPT,
    steps: [
      {
        // A terminal, so that Ctrl-C stops it; a second is plenty to see it listen.
        name: 'start-server',
        call: () => native('exec_command', { cmd: SERVER_COMMAND, tty: true, yield_time_ms: 1000 }),
      },
      {
        name: 'start-tests',
        call: () =>
          native('exec_command', {
            cmd: reading === 'whole' ? TEST_COMMAND : `${TEST_COMMAND} > ${CODEX_TEST_OUTPUT} 2>&1`,
            yield_time_ms: 250,
          }),
      },
      {
        name: 'unrelated',
        before: () => waitProcessesGone(cwd, TEST_COMMAND),
        call: () => native('exec_command', { cmd: UNRELATED_COMMAND }),
      },
      {
        // Unless the suite had ended within the first yield: its output, or (grep) its exit code.
        name: 'read-tests',
        call: (seen) =>
          isRunning(seen, 'start-tests')
            ? native('write_stdin', { session_id: sessionOf(seen, 'start-tests'), chars: '' })
            : undefined,
      },
      {
        name: 'read-failures',
        call: () =>
          reading === 'grep'
            ? native('exec_command', { cmd: `grep -E '${FAILURE_LINES}' ${CODEX_TEST_OUTPUT}` })
            : undefined,
      },
      {
        name: 'stop-server',
        call: (seen) =>
          native('write_stdin', { session_id: sessionOf(seen, 'start-server'), chars: '\u0003' }),
      },
    ],
  }
}

function hasAllFacts(seen: SeenResult[]): boolean {
  return findFacts(seen.map((result) => result.text)).length === FACTS.length
}

function matchIn(result: SeenResult | undefined, pattern: RegExp): string {
  const found = result?.text.match(pattern)?.[1]
  if (!found) throw new Error(`no ${pattern} in the ${result?.step ?? 'missing'} result: ${result?.text}`)
  return found
}

/** Waits until a file holds a text (a harness's output file: nothing announces a write to it). */
async function waitFileHas(file: string, text: string): Promise<void> {
  const read = () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '')
  await pollUntil(read, (content) => content.includes(text), {
    timeoutMs: WAIT_MS,
    intervalMs: 20,
    what: `${text} in ${file}`,
  })
}

/**
 * Waits until no process in the project runs a command (a harness's own child: only /proc can
 * tell that it has exited).
 */
async function waitProcessesGone(cwd: string, command: string): Promise<void> {
  await pollUntil(
    () => findProcessesIn(cwd).filter((proc) => proc.command.includes(command)),
    (procs) => procs.length === 0,
    { timeoutMs: WAIT_MS, intervalMs: 20, what: `the end of ${command}` },
  )
}

/** Live processes whose working directory is `dir`, with their command lines. */
export function findProcessesIn(dir: string): Array<{ pid: number; command: string }> {
  const found: Array<{ pid: number; command: string }> = []
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      if (fs.readlinkSync(`/proc/${name}/cwd`) !== dir) continue
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1')
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue
      const command = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
      found.push({ pid: Number(name), command })
    } catch {
      // Gone while we looked, or not ours to read.
    }
  }
  return found
}
