import type { Readable } from 'node:stream'
import { Command, CommanderError } from 'commander'
import type { McpCommandOptions } from './commands/mcp.js'
import type { CliContext, GlobalOptions } from './context.js'
import { type CliIo, writeLine } from './io.js'
import { USAGE_EXIT_CODE, UsageError } from './usage-error.js'
import { readVersion } from './version.js'

// Each command's module, and with it the engine, is imported when that command runs: `--version`
// and `--help` load commander alone, and only `mcp` loads the MCP SDK and zod (116 of the 212
// modules every command loaded before it parsed its arguments).

const EXAMPLES = `
Examples:
  $ bgbash run -- npm run dev                 start a dev server in the background, print its id
  $ bgbash run --wait --timeout 5m -- npm test   run and stream it; exit with its code (124 on timeout)
  $ bgbash run --ready-when port:3000 -- npm run dev   return once port 3000 accepts connections
  $ bgbash ls                                 this project's tasks (yours and the agents'): status, time, exit, CPU, memory
  $ bgbash ls --all --status failed --json    every project's failed tasks as JSON
  $ bgbash logs -f 1a2b                       follow a task's output (a unique id prefix is enough)
  $ bgbash logs bgb-1a2b3c4d -n 50 --grep ERR the ERR lines among the last 50
  $ bgbash wait 1a2b --until "listening on" --timeout 30s
  $ bgbash kill 1a2b --dry-run                the processes a kill would signal
  $ bgbash gc --older-than 24h

Tasks belong to a project: the git repository of the current directory (else the directory), or
--project. You see every task of the project, the agents' too, and may read, wait for and kill any
of them; a task you start is yours, and an agent is never told of its end.
ls, show, logs, wait, kill --dry-run and gc --dry-run only read: they write nothing to the store.
Durations: 500ms, 30s, 5m, 2h. Store: --home, else $BGBASH_HOME, else ~/.local/state/bgbash.
`

/** Runs the CLI and returns its exit code; never calls process.exit itself. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let exitCode = 0
  let json = false
  const program = new Command('bgbash')
    .description('Run shell commands in the background for AI coding agents and the people beside them.')
    .version(readVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addHelpText('after', EXAMPLES)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`bgbash: ${text.replace(/^error: /, '')}`),
    })

  /** Adds the options every task command takes and runs its action with a context. */
  const taskCommand = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .option('--json', 'print one JSON document and nothing else')
      .option(
        '--session <id>',
        'owner of the tasks started (default $BGBASH_SESSION, else you); ls: only its tasks',
      )
      .option(
        '--project <dir>',
        'the project (default: the git repository of the current directory, else it)',
      )
      .option('--home <dir>', 'store root (default $BGBASH_HOME or ~/.local/state/bgbash)')
  const act =
    <A extends unknown[]>(load: () => Promise<(ctx: CliContext, ...args: A) => Promise<number>>) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command
      const options = command.opts<GlobalOptions>()
      json = options.json === true
      const [{ createContext }, body] = await Promise.all([import('./context.js'), load()])
      // Commander passes the operands, then the options, then the command itself.
      exitCode = await body(createContext(io, options), ...(args.slice(0, -1) as A))
    }

  taskCommand('run', 'start a command in the background and print its task id')
    .argument('<command...>', 'the command (after --): one quoted shell line, or a program and its arguments')
    .option('--cwd <dir>', 'working directory (default: the current directory)')
    .option('--timeout <duration>', 'kill it after this long (default 30m; none for no limit)')
    .option('--env <NAME=value>', 'add an environment variable (repeatable)', collect, [])
    .option('--shell <name>', 'bash (default), sh or zsh')
    .option('--description <text>', 'a note shown with the task')
    .option('--wait', 'stream the output and exit with the task’s code (124 on timeout)')
    .option(
      '--ready-when <spec>',
      'return once it is ready: port:3000, url:http://localhost:3000/health, or a regex of its output',
    )
    .option('--fail-on <regex>', 'with --ready-when: output that means the start failed (exit 1)')
    .option('--ready-timeout <duration>', 'with --ready-when: how long to wait (default 60s; exit 124 after)')
    .passThroughOptions()
    .action(act(async () => (await import('./commands/run.js')).runRun))
  taskCommand('ls', 'list tasks: id, status, time, exit code, CPU and memory, command')
    .option('-a, --all', 'every project’s tasks, not just this one’s')
    .option('-m, --mine', 'only the tasks you started here (not the agents’)')
    .option('--status <status>', 'only these statuses, comma separated (running, failed, timed_out, …)')
    .option('-w, --watch', 'redraw live until Ctrl-C')
    .action(act(async () => (await import('./commands/ls.js')).runLs))
  taskCommand('show', 'one task in full: record, processes, where its log is')
    .argument('<id>', 'task id or a unique prefix of it')
    .option('-a, --all', 'look in every project')
    .action(act(async () => (await import('./commands/show.js')).runShow))
  taskCommand('logs', 'print a task’s output (ANSI codes stripped unless --raw)')
    .argument('<id>', 'task id or a unique prefix of it')
    .option('-f, --follow', 'follow until the task ends, then exit with its code')
    .option('-n, --lines <N>', 'only the last N lines')
    .option('--grep <regex>', 'only lines matching this regular expression')
    .option('--raw', 'the bytes as written, escape codes included')
    .option('-a, --all', 'look in every project')
    .action(act(async () => (await import('./commands/logs.js')).runLogs))
  taskCommand('wait', 'wait until tasks end (or a line appears); exit with the task’s code')
    .argument('<id...>', 'task ids or unique prefixes')
    .option('--until <regex>', 'return as soon as a line of output matches (exit 0)')
    .option('--fail-on <regex>', 'return as soon as a line matches this instead (exit 1)')
    .option('--timeout <duration>', 'give up after this long (exit 124)')
    .option('-a, --all', 'look in every project')
    .action(act(async () => (await import('./commands/wait.js')).runWait))
  taskCommand('kill', 'kill tasks and their whole process trees (TERM, then KILL after the grace)')
    .argument('<id...>', 'task ids or unique prefixes')
    .option('--grace <duration>', 'time between TERM and KILL (default 2s)')
    .option('--dry-run', 'print the processes that would be signalled, signal nothing')
    .option('-a, --all', 'look in every project')
    .action(act(async () => (await import('./commands/kill.js')).runKill))
  taskCommand('gc', 'remove ended tasks past their retention (24h delivered, 7d owed)')
    .option('--older-than <duration>', 'remove every ended task that finished longer ago than this')
    .option('--dry-run', 'print what would be removed')
    .option('-a, --all', 'every project, not just this one')
    .action(act(async () => (await import('./commands/gc.js')).runGc))

  program
    .command('demo')
    .description('start four background tasks in a throwaway store and show each completion as it arrives')
    .action(async () => {
      const { runDemo } = await import('./commands/demo.js')
      exitCode = await runDemo(io)
    })
  program
    .command('ndjson')
    .description("serve AFT's background-bash NDJSON protocol on stdin/stdout")
    .option('--home <dir>', 'store root (default $BGBASH_HOME or ~/.local/state/bgbash)')
    .action(async (options: { home?: string }) => {
      const { runNdjson } = await import('./commands/ndjson.js')
      exitCode = await runNdjson(io, options)
    })
  program
    .command('mcp')
    .description('serve the MCP tools (bash, bash_wait, bash_output, …) on stdin/stdout')
    // `bgbash-mcp --version` is `bgbash mcp --version`.
    .version(readVersion(), '-V, --version', 'print the version')
    .option(
      '--session <id>',
      'a stable owner of the tasks (default $BGBASH_SESSION, else this server process)',
    )
    .option('--project <dir>', 'the project (default: the git repository of the current directory, else it)')
    .option('--home <dir>', 'store root (default $BGBASH_HOME or ~/.local/state/bgbash)')
    .option('--long-running-ms <ms>', 'remind the agent of tasks still running this often (default 10 min)')
    .option('--structured', 'also send structuredContent and output schemas (for programmatic clients)')
    .action(async (options: McpCommandOptions) => {
      // Answer `initialize` now; loading the SDK and opening the store take longer than a client waits.
      const { EarlyHandshake, takeEarlyHandshake } = await import('../faces/mcp/early.js')
      const early =
        takeEarlyHandshake(io.stdin) ?? new EarlyHandshake(io.stdin as Readable, io.stdout, readVersion())
      const { runMcp } = await import('./commands/mcp.js')
      exitCode = await runMcp(io, options, early)
    })

  try {
    await program.parseAsync(argv, { from: 'user' })
    return exitCode
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE
    if (error instanceof UsageError) return reportError(io, json, 'usage', error.message, USAGE_EXIT_CODE)
    // Already loaded by the command that threw it, if it is one.
    const { BgbashError } = await import('../index.js')
    if (error instanceof BgbashError) {
      const usage = error.code === 'invalid_request' || error.code === 'blocked_env_var'
      return reportError(io, json, error.code, error.message, usage ? USAGE_EXIT_CODE : 1)
    }
    throw error
  }
}

/** One line on stderr; with --json also the error as the one JSON document on stdout. */
function reportError(io: CliIo, json: boolean, code: string, message: string, exitCode: number): number {
  writeLine(io.stderr, `bgbash: ${message}`)
  if (json) io.stdout.write(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`)
  return exitCode
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}
