import { type ChildProcess, execFileSync, type StdioOptions, spawn } from 'node:child_process'
import fs from 'node:fs'
import { OUTPUT_HEAD_KEEP_BYTES } from '../constants.js'

/**
 * Every wrapper starts by pointing its own stdout and stderr at output.log ($2) under umask 077,
 * then records itself in pid.json beside the `exit` record ($3): its pid (also its process group
 * and session), its kernel start time (read from /proc with the shell's own `read`), the manager
 * that started it ($PPID) and when ($7). Only then does it open `exit` (on fd 3), so a wrapper
 * whose `exit` exists has recorded its pid. It puts back the caller's umask ($4) just before it
 * starts the command (COMMAND_UMASK). Doing this here rather than in the manager takes three
 * file creations off the spawn reply (each one is a journal transaction: 0.1–1 ms on this disk),
 * and a manager that dies right after the spawn leaves a task that still records its pid.
 * pid.json is written with one write(2) of under 200 bytes: a reader sees it empty (not yet valid
 * JSON, so absent) or whole. Where /proc cannot be read, the wrapper writes no pid.json and a
 * later manager finds it by the task id in its environment (`TaskManager.recover`).
 */
export const WRAPPER_PROLOGUE = `umask 077; exec >>"$2" 2>&1
w() { f=$1 t=$2; shift 21; printf '{"pid":%d,"pgid":%d,"start_time":%s,"spawned_by":%d,"started_at":%s}' $$ $$ "$1" $PPID "$t" >"$f"; }
{ read -r s </proc/$$/stat; } 2>/dev/null && w "\${3%/*}/pid.json" "$7" \${s##*) }
exec 3>"$3"`

/**
 * From here on the wrapper's own stdout and stderr go nowhere: what a shell reports when its job
 * dies of a signal (`Killed`, `Terminated`; dash prints it on stdout) is not the command's output,
 * and the record says how the task ended. The relay, started before, keeps the log as its stderr.
 */
const QUIET = 'exec >/dev/null 2>&1'

/** The caller's umask, for the command. */
const COMMAND_UMASK = `umask "$4"`

/**
 * The relay `r LOG CAP DROPPED` ($2, $5, $6): part of the task, not of the manager. It copies what the command
 * writes (stdout and stderr through one pipe, so in the order written) to the log, one `dd` of at
 * most a step (an eighth of the cap) at a time, and after each step keeps the log under its cap:
 * past `cap - step` bytes on disk it marks what it drops in dropped.json (written first, renamed
 * into place, so readers skip the range before it turns to zeros) and punches that range out of
 * the log, keeping the first MiB (half the cap at most) and the newest half of the rest. A writer
 * faster than that blocks on the full pipe: the kernel holds it back, so the cap holds at every
 * moment, whatever the load and whether or not a manager runs. It ignores SIGTERM so a killed
 * command's last words still reach the log; it ends when every writer has closed the pipe (a
 * `dd` that copies nothing; one that copies less than a step tells nothing, since `dd` counts
 * each short read as a record). Each `dd` tells its count through a second pipe made as PIPE
 * does (fds 8 and 9), read back with the shell's own `read`, or where that cannot be, through a
 * command substitution. A cap of 0 means none (`cat`). Where holes cannot be punched it stops trimming (the manager then
 * kills the task, reason `output_cap`). A write `dd` cannot make (disk full, read-only store) is
 * dropped, and the relay goes on reading so the command never blocks or dies of SIGPIPE.
 */
const RELAY = `r() {
trap '' TERM INT HUP
umask 077
[ "$2" -gt 0 ] || { cat; return; }
k=$(($2 / 2 / 4096 * 4096)); [ $k -gt ${OUTPUT_HEAD_KEEP_BYTES} ] && k=${OUTPUT_HEAD_KEEP_BYTES}
s=$(($2 / 8 / 4096 * 4096)); [ $s -lt 4096 ] && s=4096; [ $s -gt 8388608 ] && s=8388608
t=0 u=$k x=0 N='
'
exec 8<<E
E
if [ -p /proc/self/fd/8 ]; then
exec 9>/proc/self/fd/8
d() { n=; dd bs=65536 count=$s iflag=count_bytes of="$1" oflag=append conv=notrunc 2>&9; e=$?; echo . >&9; while read -r a b <&8 && [ "$a" != . ]; do n=$a; done; return $e; }
else
d() { o=$(dd bs=65536 count=$s iflag=count_bytes of="$1" oflag=append conv=notrunc 2>&1); e=$?; n=\${o##*"$N"}; n=\${n%% *}; return $e; }
fi
while :; do
d "$1" || n=$(head -c 65536 | wc -c)
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
 * Opens a fresh pipe, read end on fd 5 and write end on fd 6, without a process: a here-document
 * is a pipe in dash, bash 5.1+ and busybox, and Linux reopens a pipe through /proc/self/fd for
 * writing. Where the here-document is a file, a FIFO beside the `exit` record ($3) serves (made
 * under the wrapper's umask 077).
 */
const PIPE = `exec 5<<E
E
if [ -p /proc/self/fd/5 ]; then exec 6>/proc/self/fd/5; else mkfifo "$3.pipe" && exec 6<>"$3.pipe" 5<"$3.pipe"; rm -f "$3.pipe"; fi`

/**
 * Starts the relay in the background on the pipe's read end, with none of the wrapper's other
 * descriptors: it ends once every writer has closed the pipe. Its $! is kept in q.
 */
const START_RELAY = `{ exec <&5 3>&- 4>&- 5<&- 6>&- 7<&-; r "$2" "$5" "$6"; } &
q=$!
exec 5<&-`

/**
 * Records the code ($c) in `exit` (fd 3) the moment the command has exited, waits for the relay
 * to empty the pipe, then adds a line `drained`: the log then holds every byte the command
 * wrote. A process the command left running that still holds the pipe keeps the relay going and
 * `drained` away; the manager then ends the task from the code (COMMAND_EXIT_DRAIN_MS). A trapped
 * signal (end of input, STDIN_WRAPPER) that cuts the wait short sets i=1: the wrapper waits again.
 * The wrapper exits with the command's code.
 */
const FINISH = `exec 6>&-
printf '%d\\n' "$c" >&3
i=0; wait "$q"
while [ "$i" = 1 ]; do i=0; wait "$q"; done
printf 'drained\\n' >&3
exit "$c"`

/**
 * Runs the command with the chosen shell ($0) in the foreground, its stdout and stderr both
 * into the pipe (so in the order written), and none of the wrapper's descriptors: a foreground
 * command keeps the default handling of SIGINT and SIGQUIT, which a background one would lose.
 * The redirections are made inside a subshell that then execs the shell (the same fork and exec
 * as a simple command): dash applies a simple command's redirections to itself while it waits,
 * so its report of a job killed by a signal would go down the pipe into the log.
 */
const WRAPPER = [
  WRAPPER_PROLOGUE,
  RELAY,
  PIPE,
  START_RELAY,
  QUIET,
  COMMAND_UMASK,
  `( exec >&6 2>&1 3>&- 6>&-; exec "$0" -c "$1" ); c=$?`,
  FINISH,
].join('\n')

/**
 * With stdin, the wrapper installs its trap, then holds the FIFO ($8) open read-write on fd 4 so
 * writers never block and the command never sees a premature end of input; SIGUSR1 closes that
 * descriptor (end of input). The FIFO is opened for reading here too (fd 7, for the command),
 * while fd 4 still holds it open: a reader opened later would block for ever once end of input
 * has closed fd 4. The command runs in the background so the trap runs at once. A trapped signal
 * interrupts `wait`; the trap sets i=1 so the wrapper waits again for the real status (the shell
 * keeps a background job's status until it is waited for). A background job starts with SIGINT
 * and SIGQUIT ignored, and its shell cannot undo that: `env --default-signal` (coreutils 8.31+)
 * puts them back where it can.
 */
const STDIN_WRAPPER = [
  WRAPPER_PROLOGUE,
  RELAY,
  `trap 'exec 4>&-; i=1' USR1`,
  PIPE,
  START_RELAY,
  `exec 4<>"$8" 7<"$8"`,
  QUIET,
  `D=; env --default-signal=INT,QUIT true 2>/dev/null && D='env --default-signal=INT,QUIT'`,
  COMMAND_UMASK,
  `$D "$0" -c "$1" <&7 >&6 2>&1 3>&- 4>&- 6>&- 7<&- &`,
  `p=$! i=0`,
  'exec 7<&-',
  `wait "$p"; c=$?`,
  `while [ "$i" = 1 ]; do i=0; wait "$p"; c=$?; done`,
  FINISH,
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
  /** When the manager started the wrapper (ms since the epoch), for pid.json. */
  startedAt: number
  /** Path of the stdin FIFO, when the task reads stdin. */
  stdinPath?: string
}

/** The arguments of `/bin/sh` that run the wrapper. */
export function wrapperArgs(options: WrapperOptions): string[] {
  const args = ['-c', options.stdinPath ? STDIN_WRAPPER : WRAPPER, options.shellPath, options.command]
  args.push(options.logPath, options.exitPath, CALLER_UMASK, String(options.capBytes))
  args.push(options.droppedPath, String(options.startedAt))
  if (options.stdinPath) args.push(options.stdinPath)
  return args
}

/** O_CLOEXEC as /proc/<pid>/fdinfo shows it (octal flags). */
const O_CLOEXEC = 0o2000000

/** Descriptors above this are left alone (a stdio array reaches up to the highest one). */
const MAX_SCRUBBED_FD = 1024

let inheritedFds: number[] | undefined

/**
 * The descriptors this process holds open across exec (no close-on-exec). Node and libuv open
 * every descriptor of their own with O_CLOEXEC, so these came from whoever started this process
 * (a harness's pipe, a parent's IPC channel): a task would hold them for as long as it runs, and
 * whoever waits for their other end to close would wait for the task. Read once: no code in
 * this process makes more.
 */
export function findInheritedFds(): number[] {
  if (inheritedFds) return inheritedFds
  const found: number[] = []
  for (const name of fs.readdirSync('/proc/self/fd')) {
    const fd = Number(name)
    if (!Number.isInteger(fd) || fd < 3 || fd >= MAX_SCRUBBED_FD) continue
    let info: string
    try {
      info = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1')
    } catch {
      continue // the listing's own descriptor, gone already
    }
    const flags = /^flags:\s*([0-7]+)/m.exec(info)?.[1]
    if (flags !== undefined && (Number.parseInt(flags, 8) & O_CLOEXEC) === 0) found.push(fd)
  }
  inheritedFds = found
  return found
}

/**
 * Starts the wrapper in a new session and process group, with stdin, stdout and stderr on
 * /dev/null and every inherited descriptor (findInheritedFds) pointed at /dev/null too, so the
 * task holds none of them. Throws when the OS refuses.
 */
export function spawnWrapper(options: WrapperOptions): ChildProcess {
  const inherited = findInheritedFds()
  const devNull = inherited.length > 0 ? fs.openSync('/dev/null', 'r') : undefined
  try {
    // No holes: Node reads the array in order, so a hole would move the entries after it down.
    const stdio: StdioOptions = Array.from(
      { length: Math.max(3, ...inherited.map((fd) => fd + 1)) },
      () => 'ignore',
    )
    for (const fd of inherited) stdio[fd] = devNull
    return spawn('/bin/sh', wrapperArgs(options), {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio,
    })
  } finally {
    if (devNull !== undefined) fs.closeSync(devNull)
  }
}

/**
 * The command that runs a command kept in a file: sourced by the chosen shell, so it runs as `-c`
 * would run it ($0 is the shell, no positional parameters). For commands too long to be one
 * argument of a program (Linux takes at most 128 KiB each).
 */
export function sourceCommand(file: string): string {
  return `. '${file.replaceAll("'", "'\\''")}'`
}

/** Makes the FIFO a task with stdin reads from (Node has no mkfifo of its own). */
export function makeFifo(file: string): void {
  execFileSync('mkfifo', ['-m', '600', file], { stdio: 'ignore' })
}
