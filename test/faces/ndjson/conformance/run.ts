import fs from 'node:fs'
import path from 'node:path'
import { pollUntil } from '../../../helpers/wait.js'
import { cleanUp, Engine, type EngineDirs, type EngineKind, type Frame, makeDirs } from './engines.js'
import { IdBook, normalise } from './normalise.js'

// One scenario played against one engine: the requests it sends, and what it records of the
// answers (by label, in order) for the comparison with the other engine.

/** A `bash.*` config doc as AFT's plugin sends it, with background bash on. */
export const BACKGROUND_ON = { bash: { background: true } }

/** A file a command creates when it gets somewhere: the test waits for it. */
export interface Signal {
  /** Shell words that create the file. */
  touch: string
  /** Resolves once the file exists (polled, with a bound: nothing announces it). */
  reached(): Promise<void>
}

/** A file a command waits for before going on: the test opens it when it is ready. */
export interface Gate {
  /** Shell words that wait (bounded: 60 s) until the gate is open. */
  wait: string
  open(): void
}

export class Run {
  readonly dirs: EngineDirs
  readonly ids = new IdBook()
  readonly records: Record<string, unknown> = {}
  private engines: Engine[] = []
  private gates = 0

  private readonly env: Record<string, string>

  constructor(kind: EngineKind, env: Record<string, string> = {}) {
    this.dirs = makeDirs(kind)
    this.env = env
    this.engines.push(new Engine(this.dirs, env))
  }

  get kind(): EngineKind {
    return this.dirs.kind
  }

  /** The engine the scenario talks to now (the latest one started). */
  get engine(): Engine {
    return this.engines.at(-1)!
  }

  /** Keeps a value for the comparison; its task and watch ids are learned in this order. */
  record(label: string, value: unknown): void {
    if (label in this.records) throw new Error(`label recorded twice: ${label}`)
    this.records[label] = value
  }

  /** `configure` as AFT's plugin sends it: this run's project and storage, background bash on. */
  configure(envelope: Frame = {}, doc: unknown = BACKGROUND_ON): Promise<Frame> {
    return this.engine.request('configure', undefined, {
      project_root: this.dirs.project,
      storage_dir: this.dirs.storage,
      harness: 'opencode',
      config: [{ tier: 'user', source: path.join(this.dirs.home, 'aft.jsonc'), doc: JSON.stringify(doc) }],
      ...envelope,
    })
  }

  /** Starts a command (background unless the params say otherwise); learns its task id. */
  async bash(params: Frame, envelope: Frame = {}): Promise<Frame> {
    const reply = await this.engine.request('bash', { background: true, ...params }, envelope)
    this.ids.task(reply.task_id)
    return reply
  }

  request(command: string, params?: Frame, envelope: Frame = {}): Promise<Frame> {
    return this.engine.request(command, params, envelope)
  }

  /** The next push frame of a type about a task (not taken before). */
  push(type: string, taskId: string, test: (frame: Frame) => boolean = () => true): Promise<Frame> {
    return this.engine.nextPush(
      (frame) => frame.type === type && frame.task_id === taskId && test(frame),
      `${type} frame for ${taskId}`,
    )
  }

  /**
   * Push frames about a task that arrived before the reply to a request sent now (a barrier:
   * an engine writes its frames and replies in order on one stream), taken; by type.
   */
  async pushesBefore(taskId: string, barrier: () => Promise<Frame>): Promise<string[]> {
    await barrier()
    const frames = this.engine.untakenPushes((frame) => frame.task_id === taskId)
    this.engine.take(frames)
    return frames.map((frame) => `${frame.type}${frame.reason ? `:${frame.reason}` : ''}`)
  }

  /** A new gate in this run's directory. */
  gate(): Gate {
    const file = path.join(this.dirs.base, `gate-${++this.gates}`)
    return {
      wait: `polls=0; while [ ! -e '${file}' ] && [ $polls -lt 3000 ]; do sleep 0.02; polls=$((polls+1)); done`,
      open: () => fs.writeFileSync(file, ''),
    }
  }

  /** A new signal file in this run's directory. */
  signal(): Signal {
    const file = path.join(this.dirs.base, `signal-${++this.gates}`)
    return {
      touch: `touch '${file}'`,
      reached: async () => {
        await pollUntil(
          () => fs.existsSync(file),
          (exists) => exists,
          { what: `${path.basename(file)} to be created` },
        )
      },
    }
  }

  /** Ends the engine's stdin (its orderly shutdown) and waits for it to exit. */
  closeEngine(): Promise<void> {
    return this.engine.close()
  }

  /** Starts a new engine on the same project and storage (after `closeEngine`, or beside one). */
  startEngine(): Engine {
    const engine = new Engine(this.dirs, this.env)
    this.engines.push(engine)
    return engine
  }

  /** The records with ids, times, pids and paths replaced by placeholders. */
  normalisedRecords(): unknown {
    return normalise(this.records, this.ids, this.dirs)
  }

  /** Closes the engines and kills everything they started. */
  async dispose(): Promise<void> {
    await Promise.all(this.engines.map((engine) => engine.kill()))
    await cleanUp(this.dirs)
  }
}

export interface Scenario {
  title: string
  /**
   * Environment for the AFT binary only: AFT 0.57.2 takes some settings only from its test hooks
   * where bgbash takes them from `configure` (the scenario configures both).
   */
  aftEnv?: Record<string, string>
  play(run: Run): Promise<void>
}

/** Plays a scenario against one engine and returns its normalised records. */
export async function playScenario(kind: EngineKind, scenario: Scenario): Promise<unknown> {
  const run = new Run(kind, kind === 'aft' ? scenario.aftEnv : undefined)
  try {
    await scenario.play(run)
    return run.normalisedRecords()
  } finally {
    await run.dispose()
  }
}
