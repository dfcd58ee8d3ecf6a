import { type ChildProcess, execFileSync, spawn } from 'node:child_process'

/**
 * The wrapper runs the command with the chosen shell ($0), then writes the exit code into the
 * `exit` record through fd 3, which it inherited (so no extra process is needed), and exits with it.
 * The command itself never sees fd 3.
 */
const WRAPPER = `"$0" -c "$1" 3>&-; c=$?; printf '%d\\n' "$c" >&3; exit "$c"`

/**
 * With stdin, the wrapper installs its trap, then holds the FIFO ($2) open read-write on fd 4 so writers never block and
 * the command never sees a premature end of input; SIGUSR1 closes that descriptor (end of input).
 * The command runs in the background so the trap runs at once. A trapped signal interrupts
 * `wait`; the trap sets i=1 so the wrapper waits again for the real status (the shell keeps a
 * background job's status until it is waited for, even if the job has already exited).
 */
const STDIN_WRAPPER = [
  `trap 'exec 4>&-; i=1' USR1`,
  `exec 4<>"$2"`,
  `"$0" -c "$1" <"$2" 3>&- 4>&- &`,
  `p=$! i=0`,
  `wait "$p"; c=$?`,
  `while [ "$i" = 1 ]; do i=0; wait "$p"; c=$?; done`,
  `printf '%d\\n' "$c" >&3`,
  `exit "$c"`,
].join('\n')

export interface WrapperOptions {
  shellPath: string
  command: string
  cwd: string
  env: NodeJS.ProcessEnv
  /** Append-mode fd of output.log, given to the task as stdout and stderr. */
  logFd: number
  /** Write fd of the `exit` record, given to the wrapper as fd 3. */
  exitFd: number
  /** Path of the stdin FIFO, when the task reads stdin. */
  stdinPath?: string
}

/** Starts the wrapper in a new session and process group. Throws when the OS refuses. */
export function spawnWrapper(options: WrapperOptions): ChildProcess {
  const args = options.stdinPath
    ? ['-c', STDIN_WRAPPER, options.shellPath, options.command, options.stdinPath]
    : ['-c', WRAPPER, options.shellPath, options.command]
  return spawn('/bin/sh', args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', options.logFd, options.logFd, options.exitFd],
  })
}

/** Makes the FIFO a task with stdin reads from (Node has no mkfifo of its own). */
export function makeFifo(file: string): void {
  execFileSync('mkfifo', ['-m', '600', file], { stdio: 'ignore' })
}
