import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { OUTPUT_HEAD_KEEP_BYTES } from '../constants.js'

/**
 * Every wrapper starts by opening the task's `exit` record itself ($3, on fd 3) and pointing its
 * own stdout and stderr at output.log ($2) under umask 077, then puts back the caller's umask ($4)
 * for the command. Opening them here rather than in the manager takes two file creations off the
 * spawn reply (each one is a journal transaction: 0.04–1 ms on this disk).
 */
export const WRAPPER_PROLOGUE = `umask 077; exec >>"$2" 2>&1 3>"$3"; umask "$4"`

/**
 * The relay `r LOG CAP DROPPED` ($2, $5, $6): part of the task, not of the manager. It copies what the command
 * writes (stdout and stderr through one pipe, so in the order written) to the log, one `dd` of at
 * most a step (an eighth of the cap) at a time, and after each step keeps the log under its cap:
 * past `cap - step` bytes on disk it marks what it drops in dropped.json (written first, renamed
 * into place, so readers skip the range before it turns to zeros) and punches that range out of
 * the log, keeping the first MiB (half the cap at most) and the newest half of the rest. A writer
 * faster than that blocks on the full pipe: the kernel holds it back, so the cap holds at every
 * moment, whatever the load and whether or not a manager runs. It ignores SIGTERM so a killed
 * command's last words still reach the log; it ends when every writer has closed the pipe. A cap
 * of 0 means none (`cat`). Where holes cannot be punched it stops trimming (the manager then
 * kills the task, reason `output_cap`). A write `dd` cannot make (disk full, read-only store) is
 * dropped, and the relay goes on reading so the command never blocks or dies of SIGPIPE.
 */
const RELAY = `r() {
trap '' TERM INT HUP
umask 077
[ "$2" -gt 0 ] || exec cat
k=$(($2 / 2 / 4096 * 4096)); [ $k -gt ${OUTPUT_HEAD_KEEP_BYTES} ] && k=${OUTPUT_HEAD_KEEP_BYTES}
s=$(($2 / 8 / 4096 * 4096)); [ $s -lt 4096 ] && s=4096; [ $s -gt 8388608 ] && s=8388608
t=0 u=$k x=0 N='
'
while :; do
if o=$(dd bs=65536 count=$s iflag=count_bytes of="$1" oflag=append conv=notrunc 2>&1); then n=\${o##*"$N"}; n=\${n%% *}; else n=$(head -c 65536 | wc -c); fi
[ "$n" -gt 0 ] 2>/dev/null || break
t=$((t + n))
[ $x = 0 ] && [ $((t - u + k)) -gt $(($2 - s)) ] || continue
t=$(stat -c %s "$1" 2>/dev/null) || continue
v=$(((t - ($2 - k) / 2) / 4096 * 4096))
[ $v -gt $u ] || continue
printf '{"head_bytes":%d,"dropped_until":%d}' $k $v >"$3.tmp" && mv -f "$3.tmp" "$3" 2>/dev/null || { x=1; continue; }
if fallocate --punch-hole --offset $u --length $((v - u)) "$1" 2>/dev/null; then u=$v; else x=1; printf '{"head_bytes":%d,"dropped_until":%d}' $k $u >"$3.tmp" && mv -f "$3.tmp" "$3" 2>/dev/null; fi
done
}`

/**
 * Runs the command with the chosen shell ($0), its stdout and stderr into the relay, and records
 * its exit code in `exit` (fd 3) in two steps: the code on the first line the moment the command
 * exits, then a line `drained` once the relay has emptied the pipe — the log then holds every
 * byte the command wrote. The code also reaches the wrapper through the command substitution
 * (fd 7), so the wrapper's own exit status carries it even when the store refuses the write. A
 * process the command left running that still holds the pipe keeps the relay going and
 * `drained` away; the manager then ends the task from the first line (COMMAND_EXIT_DRAIN_MS).
 * The command's side closes its end of the pipe before it writes the code, so the relay drains
 * meanwhile. The command sees none of the wrapper's descriptors.
 */
function run(stdin: string): string {
  return `c=$( { { "$0" -c "$1" ${stdin}3>&- 6>&- 7>&-; c=$?; exec >&- 2>&-; printf '%d\\n' "$c" >&3; printf %d "$c" >&7; } 2>&1 | r "$2" "$5" "$6" 3>&- 7>&- >&6; } 7>&1 )
[ -n "$c" ] || exit 1
printf 'drained\\n' >&3
exit "$c"`
}

/** The command reads /dev/null, the wrapper's own stdin. */
const WRAPPER = [WRAPPER_PROLOGUE, RELAY, 'exec 6>&1', run('')].join('\n')

/**
 * With stdin, the wrapper installs its trap, then holds the FIFO ($7) open read-write on fd 4 so
 * writers never block and the command never sees a premature end of input; SIGUSR1 closes that
 * descriptor (end of input). The FIFO is opened for reading here too (fd 5, for the command),
 * while fd 4 still holds it open: a reader opened later would block for ever once end of input
 * has closed fd 4. The command runs in the background so the trap runs at once. A trapped signal interrupts `wait`; the trap sets i=1 so the wrapper waits again
 * for the real status (the shell keeps a background job's status until it is waited for).
 */
const STDIN_WRAPPER = [
  WRAPPER_PROLOGUE,
  RELAY,
  `trap 'exec 4>&-; i=1' USR1`,
  `exec 4<>"$7" 5<"$7" 6>&1`,
  `{\n${run('<&5 5>&- ')}\n} 4>&- &`,
  `p=$! i=0`,
  `wait "$p"; c=$?`,
  `while [ "$i" = 1 ]; do i=0; wait "$p"; c=$?; done`,
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
  /** dropped.json, where the relay marks what it dropped. */
  droppedPath: string
  /** Disk cap of the log in bytes; 0 for none. */
  capBytes: number
  /** Path of the stdin FIFO, when the task reads stdin. */
  stdinPath?: string
}

/** Starts the wrapper in a new session and process group. Throws when the OS refuses. */
export function spawnWrapper(options: WrapperOptions): ChildProcess {
  const args = ['-c', options.stdinPath ? STDIN_WRAPPER : WRAPPER, options.shellPath, options.command]
  args.push(options.logPath, options.exitPath, CALLER_UMASK, String(options.capBytes))
  args.push(options.droppedPath)
  if (options.stdinPath) args.push(options.stdinPath)
  return spawn('/bin/sh', args, { cwd: options.cwd, env: options.env, detached: true, stdio: 'ignore' })
}

/** Makes the FIFO a task with stdin reads from (Node has no mkfifo of its own). */
export function makeFifo(file: string): void {
  execFileSync('mkfifo', ['-m', '600', file], { stdio: 'ignore' })
}
