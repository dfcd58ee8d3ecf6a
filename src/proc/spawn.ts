import { type ChildProcess, execFileSync, spawn } from 'node:child_process'

/**
 * Every wrapper starts by opening the task's records itself ($2 output.log for appending, $3 exit
 * on fd 3) under umask 077, then puts back the caller's umask ($4) for the command. Opening them
 * here rather than in the manager takes two file creations off the spawn reply (each one is a
 * journal transaction: 0.04–1 ms on this disk).
 */
const PROLOGUE = `umask 077; exec >>"$2" 2>&1 3>"$3"; umask "$4"`

/**
 * The wrapper runs the command with the chosen shell ($0), then writes the exit code into the
 * `exit` record through fd 3 (so no extra process is needed), and exits with it. The command
 * itself never sees fd 3.
 */
const WRAPPER = `${PROLOGUE}; "$0" -c "$1" 3>&-; c=$?; printf '%d\\n' "$c" >&3; exit "$c"`

/**
 * With stdin, the wrapper installs its trap, then holds the FIFO ($5) open read-write on fd 4 so
 * writers never block and the command never sees a premature end of input; SIGUSR1 closes that
 * descriptor (end of input). The command runs in the background so the trap runs at once. A
 * trapped signal interrupts `wait`; the trap sets i=1 so the wrapper waits again for the real
 * status (the shell keeps a background job's status until it is waited for, even after it ended).
 */
const STDIN_WRAPPER = [
  PROLOGUE,
  `trap 'exec 4>&-; i=1' USR1`,
  `exec 4<>"$5"`,
  `"$0" -c "$1" <"$5" 3>&- 4>&- &`,
  `p=$! i=0`,
  `wait "$p"; c=$?`,
  `while [ "$i" = 1 ]; do i=0; wait "$p"; c=$?; done`,
  `printf '%d\\n' "$c" >&3`,
  `exit "$c"`,
].join('\n')

/** The umask of this process, for the command (the wrapper narrows it only to open its records). */
const CALLER_UMASK = process.umask().toString(8).padStart(4, '0')

export interface WrapperOptions {
  shellPath: string
  command: string
  cwd: string
  env: NodeJS.ProcessEnv
  /** output.log: stdout and stderr of the task, appended. */
  logPath: string
  /** The `exit` record. */
  exitPath: string
  /** Path of the stdin FIFO, when the task reads stdin. */
  stdinPath?: string
}

/** Starts the wrapper in a new session and process group. Throws when the OS refuses. */
export function spawnWrapper(options: WrapperOptions): ChildProcess {
  const args = ['-c', options.stdinPath ? STDIN_WRAPPER : WRAPPER, options.shellPath, options.command]
  args.push(options.logPath, options.exitPath, CALLER_UMASK)
  if (options.stdinPath) args.push(options.stdinPath)
  return spawn('/bin/sh', args, { cwd: options.cwd, env: options.env, detached: true, stdio: 'ignore' })
}

/** Makes the FIFO a task with stdin reads from (Node has no mkfifo of its own). */
export function makeFifo(file: string): void {
  execFileSync('mkfifo', ['-m', '600', file], { stdio: 'ignore' })
}
