import path from 'node:path'
import pc from 'picocolors'
import {
  BgbashError,
  isTaskId,
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
  project?: string
  json?: boolean
}

export type Colors = ReturnType<typeof pc.createColors>

/**
 * The owner of what a person starts at the CLI. A person's task is never owed to an agent; it
 * is marked delivered when the person watched it end (`run --wait`, `wait`, `logs -f`).
 */
export const PERSON_SESSION = 'person'

/** What a command needs: the store, its owner and project, colours, and how to write. */
export interface CliContext {
  io: CliIo
  home: string
  /** The owner: `--session`, else `$BGBASH_SESSION`, else the person (PERSON_SESSION). */
  sessionId: string
  /** An owner was named (`--session` or `$BGBASH_SESSION`): `ls` then lists that owner's tasks. */
  hasExplicitSession: boolean
  /** `--project`; else the engine finds the project from the cwd (its git root, else the cwd). */
  projectRoot: string | undefined
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
  if (options.session === '') throw new UsageError('Invalid --session: it is empty. Pass a session id.')
  if (options.project === '') throw new UsageError('Invalid --project: it is empty. Pass a directory.')
  const explicit = options.session ?? (io.env.BGBASH_SESSION || undefined)
  return {
    io,
    home,
    sessionId: explicit ?? PERSON_SESSION,
    hasExplicitSession: explicit !== undefined,
    projectRoot: options.project === undefined ? undefined : path.resolve(io.cwd, options.project),
    json,
    color: pc.createColors(useColor),
    isTty,
    columns: io.stdout.columns && io.stdout.columns > 20 ? io.stdout.columns : 120,
  }
}

/**
 * Opens a manager for the command, runs `body`, closes it (tasks keep running). A command that
 * only looks opens it `readOnly`: it writes nothing, and creates no directory in the store.
 */
export async function withManager<T>(
  ctx: CliContext,
  body: (tm: TaskManager) => Promise<T>,
  options: { readOnly?: boolean } = {},
): Promise<T> {
  const tm = await openTaskManager({
    home: ctx.home,
    sessionId: ctx.sessionId,
    projectRoot: ctx.projectRoot,
    cwd: ctx.io.cwd,
    backgroundGc: false,
    readOnly: options.readOnly === true,
  })
  try {
    return await body(tm)
  } finally {
    await tm.close()
  }
}

/**
 * Turns what a person typed into task ids: a full id, or a unique prefix of one (`bgb-1a`, or just
 * `1a`), looked up among this project's tasks (every project's with `all`).
 */
export async function resolveTaskIds(tm: TaskManager, inputs: string[], all: boolean): Promise<string[]> {
  let records: TaskRecord[] | undefined
  const ids: string[] = []
  for (const input of inputs) {
    const wanted = input.trim().toLowerCase()
    if (isTaskId(wanted)) {
      ids.push(wanted)
      continue
    }
    // A prefix: `bgb-1a`, `bash-1a`, or the hex digits alone (`1a`), which match either form.
    const typed = /^(?:(bgb|bash)-?)?([0-9a-f]{1,16})$/.exec(wanted)
    if (!typed) {
      throw new UsageError(
        `Invalid task id: ${JSON.stringify(input)}. Task ids look like bgb-1a2b3c4d; a unique prefix such as 1a2b works too.`,
      )
    }
    const [, kind, hex] = typed
    records ??= await tm.list({ scope: all ? 'all' : 'project', includeAnswered: true })
    const matches = records.filter((record) =>
      kind ? record.taskId.startsWith(`${kind}-${hex}`) : record.taskId.split('-')[1]!.startsWith(hex!),
    )
    if (matches.length === 1 && matches[0]) {
      ids.push(matches[0].taskId)
      continue
    }
    if (matches.length === 0) {
      throw new BgbashError(
        'task_not_found',
        `No task matches ${JSON.stringify(input)}${all ? '' : ' in this project'}. Run bgbash ls${all ? '' : ' --all'} to see the tasks.`,
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
