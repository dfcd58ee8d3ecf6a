import { Command, CommanderError } from 'commander'
import { BgbashError } from '../index.js'
import { runDemo } from './commands/demo.js'
import { type McpCommandOptions, runMcp } from './commands/mcp.js'
import { runNdjson } from './commands/ndjson.js'
import { type CliIo, writeLine } from './io.js'

/** Runs the CLI and returns its exit code; never calls process.exit itself. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let exitCode = 0
  const program = new Command('bgbash')
    .description('Run shell commands in the background for AI coding agents and the people beside them.')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
  program
    .command('demo')
    .description('start four background tasks in a throwaway store and show each completion as it arrives')
    .action(async () => {
      exitCode = await runDemo(io)
    })
  program
    .command('ndjson')
    .description("serve AFT's background-bash NDJSON protocol on stdin/stdout")
    .option('--home <dir>', 'store root (default $BGBASH_HOME or ~/.local/state/bgbash)')
    .action(async (options: { home?: string }) => {
      exitCode = await runNdjson(io, options)
    })
  program
    .command('mcp')
    .description('serve the MCP tools (bash, bash_wait, bash_output, …) on stdin/stdout')
    .option('--session <id>', 'session owning the tasks (default $BGBASH_SESSION, else the project path)')
    .option('--home <dir>', 'store root (default $BGBASH_HOME or ~/.local/state/bgbash)')
    .option('--long-running-ms <ms>', 'remind the agent of tasks still running this often (default 10 min)')
    .action(async (options: McpCommandOptions) => {
      exitCode = await runMcp(io, options)
    })
  try {
    await program.parseAsync(argv, { from: 'user' })
    return exitCode
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2
    if (error instanceof BgbashError) {
      writeLine(io.stderr, `bgbash: ${error.message}`)
      return 1
    }
    throw error
  }
}
