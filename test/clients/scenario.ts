// What a scripted fake model does, independent of the harness and its wire format.
// A driver (one per harness) runs a real harness against a fake model server that plays a
// Scenario, and reports what the model was shown: the tool results inside the requests the harness
// sent back, as the model would read them.

/** One tool result as the model received it, read from the harness's next request. */
export interface SeenResult {
  /** The step's name (see Step). */
  step: string
  /**
   * bgbash's tool name (`bash`, `bash_wait`, …), whatever name the harness gave it on the wire; a
   * native call's name as called (`Bash`, `exec_command`).
   */
  tool: string
  /**
   * Everything the model was given for this result, as one string: the text blocks joined by
   * "\n", or a JSON string when the harness forwarded JSON. Exactly what is in the request.
   */
  text: string
  /** The harness marked the result as an error (Anthropic `is_error`; false where the format has no flag). */
  isError: boolean
}

/** A tool call the fake model makes, with bgbash's tool name and arguments. */
export interface ToolCall {
  tool: string
  args: Record<string, unknown>
  /**
   * `tool` is one of the harness's own tools (`Bash`, `exec_command`), called by that name as is,
   * not a bgbash tool. Default false. A driver that has no native tools fails the step.
   */
  native?: boolean
}

export interface Step {
  name: string
  /** Runs before the fake model answers with this step's call: waits for a real event, never a sleep. */
  before?: (seen: SeenResult[]) => Promise<void>
  /**
   * The call to make, given what the model has seen so far; undefined to make none (what the
   * step would tell, the model has seen already): the next step follows, and nothing is seen for
   * this one.
   */
  call(seen: SeenResult[]): ToolCall | undefined
}

export interface Scenario {
  name: string
  /** The user's prompt. */
  prompt: string
  /** One tool call per model turn, in order; after the last, the model answers with plain text. */
  steps: Step[]
}

/** A request the harness sent to the fake model, as received (parsed JSON body). */
export interface LoggedRequest {
  path: string
  body: unknown
}

export interface DriverResult {
  /** One entry per step that made a call, in step order. */
  seen: SeenResult[]
  /** Every request the harness sent to the model. */
  requests: LoggedRequest[]
  /** The tool definitions of bgbash's tools as the model received them (first request that had them). */
  toolDefinitions: unknown[]
  /** The harness's own exit code and output, for failure messages. */
  exitCode: number | null
  log: string
}

export interface DriverOptions {
  scenario: Scenario
  /** The bgbash store for the server (pass it explicitly: clients forward few variables). */
  home: string
  /** The project directory the harness runs in. */
  cwd: string
  /** Where the harness may keep its own state (HOME, config): a temp directory. */
  harnessHome: string
  /** Abort everything (harness, fake server) when the test ends. */
  signal?: AbortSignal
}

export type Driver = (options: DriverOptions) => Promise<DriverResult>

const TASK_ID = /\b(?:bgb-[0-9a-f]{8}|bash-[0-9a-f]{16})\b/

/** The first task id in a result the model saw. */
export function taskIdIn(result: SeenResult | undefined): string {
  const id = result?.text.match(TASK_ID)?.[0]
  if (!id)
    throw new Error(`no task id in the ${result?.step ?? 'missing'} result: ${result?.text.slice(0, 400)}`)
  return id
}

export function seenOf(seen: SeenResult[], step: string): SeenResult | undefined {
  return seen.find((result) => result.step === step)
}
