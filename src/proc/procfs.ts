import fs from 'node:fs'

// Linux /proc readers. Every read is best-effort: a process can vanish between listing and reading.

/** One process as /proc/<pid>/stat describes it. */
export interface ProcStat {
  pid: number
  comm: string
  /** R, S, D, Z (zombie), X (dead), T, … */
  state: string
  ppid: number
  pgrp: number
  session: number
  /** Start time in clock ticks since boot: with the pid, it names one process for good. */
  startTime: number
  /** Threads not yet released: a zombie leader with more than one is still exiting. */
  threads: number
  /** CPU time in user and kernel mode, in clock ticks. */
  utime: number
  stime: number
  /** Resident set size, in pages. */
  rss: number
  /** The signal its parent gets when it exits: -1 for a thread that is not its process's leader. */
  exitSignal: number
}

/**
 * True once a process is gone for good: dead, or a zombie whose threads have all exited. The
 * leader of a threaded process (node, say) shows `Z` while its other threads are still exiting,
 * and until the last of them has, its files — a listening socket — stay open.
 */
export function isDeadStat(stat: Pick<ProcStat, 'state' | 'threads'>): boolean {
  return stat.state === 'X' || (stat.state === 'Z' && stat.threads <= 1)
}

/** One buffer for every stat read: a stat line is a few hundred bytes. */
const STAT_BUFFER = Buffer.allocUnsafe(4096)

/**
 * Opens a /proc file, lets `read` take what it needs, and closes it; undefined when the file
 * cannot be opened or read (the process is gone, or not ours to read).
 */
function withProcFile<T>(file: string, read: (fd: number) => T): T | undefined {
  let fd: number
  try {
    fd = fs.openSync(file, 'r')
  } catch {
    return undefined
  }
  try {
    return read(fd)
  } catch {
    return undefined
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Reads a small /proc file with one open, one read and one close (readFileSync also fstats and
 * reads in chunks, which makes a scan of every process three times slower).
 */
function readProcFile(file: string, buffer: Buffer): string | undefined {
  return withProcFile(file, (fd) =>
    buffer.toString('latin1', 0, fs.readSync(fd, buffer, 0, buffer.length, null)),
  )
}

export function readProcStat(pid: number): ProcStat | undefined {
  const text = readProcFile(`/proc/${pid}/stat`, STAT_BUFFER)
  if (text === undefined) return undefined
  // comm is in parentheses and may itself hold spaces or ')': split after the last ')'.
  const close = text.lastIndexOf(')')
  const open = text.indexOf('(')
  if (close < 0 || open < 0) return undefined
  const fields = text.slice(close + 2).split(' ')
  // fields[0] is field 3 of proc(5): state; ppid 4, pgrp 5, session 6, utime 14, stime 15,
  // num_threads 20, starttime 22, rss 24, exit_signal 38.
  const startTime = Number(fields[19])
  if (!Number.isFinite(startTime)) return undefined
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    session: Number(fields[3]),
    startTime,
    threads: Number(fields[17]),
    utime: Number(fields[11]),
    stime: Number(fields[12]),
    rss: Number(fields[21]),
    exitSignal: Number(fields[35]),
  }
}

export function listPids(): number[] {
  const pids: number[] = []
  for (const name of fs.readdirSync('/proc')) {
    const first = name.charCodeAt(0)
    if (first >= 48 && first <= 57) pids.push(Number(name))
  }
  return pids
}

/** One buffer for environments and command lines; a longer one is read into a buffer of its own. */
const LIST_BUFFER = Buffer.allocUnsafe(64 * 1024)

/**
 * The bytes of a /proc file of NUL-separated strings (environ, cmdline), read into LIST_BUFFER
 * (a view of it: use before the next read) when they fit. Undefined when unreadable.
 */
function readProcList(file: string): Buffer | undefined {
  return withProcFile(file, (fd) => {
    let size = 0
    for (;;) {
      const n = fs.readSync(fd, LIST_BUFFER, size, LIST_BUFFER.length - size, null)
      if (n === 0) return LIST_BUFFER.subarray(0, size)
      size += n
      if (size === LIST_BUFFER.length) return fs.readFileSync(file)
    }
  })
}

/** The value of one variable in a process's initial environment; undefined when absent or unreadable. */
export function readEnvValue(pid: number, name: string): string | undefined {
  const environ = readProcList(`/proc/${pid}/environ`)
  if (!environ) return undefined
  const needle = Buffer.from(`${name}=`)
  let at = environ.indexOf(needle)
  while (at >= 0) {
    if (at === 0 || environ[at - 1] === 0) {
      const end = environ.indexOf(0, at)
      return environ.toString('utf8', at + needle.length, end < 0 ? environ.length : end)
    }
    at = environ.indexOf(needle, at + 1)
  }
  return undefined
}

/** The command line of a process, arguments joined by spaces; the comm name when unreadable. */
export function readCommandLine(pid: number, fallback: string): string {
  const raw = readProcList(`/proc/${pid}/cmdline`)?.toString('utf8')
  const joined = raw?.split('\0').filter(Boolean).join(' ')
  return joined || fallback
}

/**
 * True when some process has this pid (kill with signal 0: one syscall, no /proc read). A zombie
 * or a process that reused the pid also counts: use isProcessAlive to tell those apart.
 */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else (a reused pid, most likely).
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** True when the process exists, has not finished dying (isDeadStat), and is the same one that was recorded. */
export function isProcessAlive(pid: number, startTime: number): boolean {
  const stat = readProcStat(pid)
  return stat !== undefined && !isDeadStat(stat) && stat.startTime === startTime
}
