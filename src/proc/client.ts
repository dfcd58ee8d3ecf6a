import { readCommandLine, readProcStat } from './procfs.js'

/**
 * Programs that only start another one on a client's behalf: `npx -y pkg mcp` runs npm, which
 * runs a shell, which runs bgbash. The client (an agent harness) is the first ancestor that is
 * none of these.
 */
const LAUNCHERS = new Set([
  'sh',
  'dash',
  'bash',
  'zsh',
  'env',
  'npm',
  'npx',
  'npm exec',
  'pnpm',
  'yarn',
  'bunx',
  'tsx',
])

/** A node process running a package manager's or tsx's entry script is a launcher too. */
const LAUNCHER_SCRIPT =
  /(?:^|[/\\])(?:npm-cli|npx-cli|pnpm|yarn|tsx)(?:\.c?js)?(?:\s|$)|[/\\]\.bin[/\\]|[/\\]tsx[/\\]dist[/\\]/

/** How far up the tree to look: a launcher chain is two or three processes. */
const MAX_HOPS = 6

/**
 * The client process this process serves: its parent, or, past any launchers in between, the
 * first ancestor that is not one. Undefined when /proc cannot tell.
 */
export function findClientProcess(parentPid = process.ppid): { pid: number; startTime: number } | undefined {
  let pid = parentPid
  for (let hop = 0; hop < MAX_HOPS && pid > 1; hop++) {
    const stat = readProcStat(pid)
    if (!stat) return undefined
    if (!isLauncher(stat.comm, pid)) return { pid, startTime: stat.startTime }
    pid = stat.ppid
  }
  const stat = readProcStat(pid)
  return stat ? { pid, startTime: stat.startTime } : undefined
}

function isLauncher(comm: string, pid: number): boolean {
  if (LAUNCHERS.has(comm)) return true
  if (comm !== 'node' && comm !== 'MainThread') return false
  return LAUNCHER_SCRIPT.test(readCommandLine(pid, comm).split(' ').slice(1, 3).join(' '))
}
