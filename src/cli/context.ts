import fs from 'node:fs'
import path from 'node:path'
import pc from 'picocolors'
import {
  BgbashError,
  getDefaultSessionId,
  listSessionIds,
  openTaskManager,
  resolveStoreRoot,
  type TaskManager,
  type TaskRecord,
} from '../index.js'
import type { CliIo } from './io.js'
import { UsageError } from './usage-error.js'

/** Options every command accepts. */
export interface GlobalOptions {
  home?: string
  session?: string
  json?: boolean
}

export type Colors = ReturnType<typeof pc.createColors>

/** What a command needs: the store, its session, colours, and how to write. */
export interface CliContext {
  io: CliIo
  home: string
  sessionId: string
  json: boolean
  color: Colors
  isTty: boolean
  columns: number
}

export function createContext(io: CliIo, options: GlobalOptions): CliContext {
  const home = resolveStoreRoot(options.home, io.env)
  const json = options.json === true
  const isTty = io.stdout.isTTY === true && !json
  // https://no-color.org: any non-empty NO_COLOR turns colour off.
  const useColor = isTty && !io.env.NO_COLOR
  return {
    io,
    home,
    sessionId: resolveSessionId(io, home, options.session),
    json,
    color: pc.createColors(useColor),
    isTty,
    columns: io.stdout.columns && io.stdout.columns > 20 ? io.stdout.columns : 120,
  }
}

/** Opens a manager on the context's session, runs `body`, closes it (tasks keep running). */
export async function withManager<T>(ctx: CliContext, body: (tm: TaskManager) => Promise<T>): Promise<T> {
  const tm = await openTaskManager({
    home: ctx.home,
    sessionId: ctx.sessionId,
    projectRoot: ctx.io.cwd,
    backgroundGc: false,
  })
  try {
    return await body(tm)
  } finally {
    await tm.close()
  }
}

/**
 * The session a command works on: `--session`, else `$BGBASH_SESSION`, else the project of the
 * current directory — the deepest enclosing directory that already has a session in the store (so
 * a person in a subdirectory sees the tasks of the agent working at the project root), else the
 * enclosing git repository, else the directory itself.
 */
export function resolveSessionId(io: CliIo, home: string, explicit: string | undefined): string {
  if (explicit !== undefined) {
    if (explicit === '') throw new UsageError('Invalid --session: it is empty. Pass a session id.')
    return explicit
  }
  if (io.env.BGBASH_SESSION) return io.env.BGBASH_SESSION
  const cwd = realpathOr(io.cwd)
  const ancestors = listAncestors(cwd)
  const known = new Set(listSessionIds({ home }))
  const withSession = ancestors.find((dir) => known.has(getDefaultSessionId(dir)))
  if (withSession) return getDefaultSessionId(withSession)
  const gitRoot = ancestors.find((dir) => fs.existsSync(path.join(dir, '.git')))
  return getDefaultSessionId(gitRoot ?? cwd)
}

/** The directory and its parents, deepest first. */
function listAncestors(dir: string): string[] {
  const out = [dir]
  let current = dir
  while (path.dirname(current) !== current) {
    current = path.dirname(current)
    out.push(current)
  }
  return out
}

function realpathOr(dir: string): string {
  try {
    return fs.realpathSync(dir)
  } catch {
    // A cwd that vanished: the session id is still derived from the path the shell reports.
    return path.resolve(dir)
  }
}

/**
 * Turns what a person typed into task ids: a full id, or a unique prefix of one (`bgb-1a`, or just
 * `1a`), looked up among this session's tasks (every session's with `all`).
 */
export async function resolveTaskIds(tm: TaskManager, inputs: string[], all: boolean): Promise<string[]> {
  let records: TaskRecord[] | undefined
  const ids: string[] = []
  for (const input of inputs) {
    const wanted = input.trim().toLowerCase()
    if (/^bgb-[0-9a-f]{8}$/.test(wanted)) {
      ids.push(wanted)
      continue
    }
    if (!/^(bgb-?)?[0-9a-f]{0,8}$/.test(wanted) || wanted === '' || wanted === 'bgb' || wanted === 'bgb-') {
      throw new UsageError(
        `Invalid task id: ${JSON.stringify(input)}. Task ids look like bgb-1a2b3c4d; a unique prefix such as 1a2b works too.`,
      )
    }
    records ??= await tm.list({ allSessions: all })
    const prefix = wanted.startsWith('bgb-') ? wanted : `bgb-${wanted}`
    const matches = records.filter((record) => record.taskId.startsWith(prefix))
    if (matches.length === 1 && matches[0]) {
      ids.push(matches[0].taskId)
      continue
    }
    if (matches.length === 0) {
      throw new BgbashError(
        'task_not_found',
        `No task matches ${JSON.stringify(input)}${all ? '' : ' in this session'}. Run bgbash ls${all ? '' : ' --all'} to see the tasks.`,
      )
    }
    throw new UsageError(
      `Ambiguous task id ${JSON.stringify(input)}: it matches ${matches
        .slice(0, 4)
        .map((record) => record.taskId)
        .join(', ')}${matches.length > 4 ? ', …' : ''}. Type more of it.`,
    )
  }
  return ids
}
