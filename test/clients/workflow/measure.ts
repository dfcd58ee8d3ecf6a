// Plays the workflow once in a harness, on one path, and counts what the model read: the tool
// results (and, in Claude Code, the task notifications) as they appear in the requests the harness
// sent back, and the tool definitions each request carried beyond the harness's own always-sent
// ones (bgbash's; in Claude Code also TaskStop, which the model loads first).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { killStoreProcesses, trackProcess } from '../../helpers/pids.js'
import { runClaudeCode } from '../claude-code/driver.js'
import * as claude from '../claude-code/scenario-player.js'
import * as codex from '../codex/codex-request.js'
import { runCodex } from '../codex/driver.js'
import { tokensOf } from '../matrix-tokens.js'
import type { Driver, DriverResult, Scenario } from '../scenario.js'
import { findFacts, writeProject } from './project.js'
import { bgbashWorkflow, claudeCodeWorkflow, codexWorkflow, findProcessesIn } from './scenarios.js'

export const HARNESS_NAMES = ['Claude Code', 'Codex'] as const
export type HarnessName = (typeof HARNESS_NAMES)[number]

/**
 * How the model plays: with bgbash's tools, or with the harness's own, reading the suite's output
 * by a grep for the failures or whole (Claude Code: `Read` of its output file; Codex: `write_stdin`
 * on its session).
 */
export const WORKFLOW_PATHS = ['native, grep', 'native, whole output', 'bgbash'] as const
export type WorkflowPath = (typeof WORKFLOW_PATHS)[number]

export interface WorkflowRun {
  harness: HarnessName
  path: WorkflowPath
  /** Each step's result as the model read it, in o200k tokens. */
  results: Array<{ step: string; tool: string; tokens: number; text: string }>
  /** Claude Code's task notifications, which come outside the tool results. */
  notices: Array<{ tokens: number; text: string }>
  /** Results and notices together. */
  readTokens: number
  /**
   * Tool definitions beyond those the harness always sends, in every request, summed: bgbash's,
   * or (Claude Code) a deferred tool of its own the model loaded with a ToolSearch (TaskStop).
   */
  definitionTokens: number
  /** The most such definitions one request carried (0 when none did). */
  definitionsPerRequest: number
  /** Model turns: the requests of the main conversation. */
  requests: number
  /** The requests that carried such definitions. */
  requestsWithDefinitions: number
  /** Which of the ten facts (project.ts) the model read. */
  facts: string[]
}

const HARNESSES: Record<
  HarnessName,
  {
    driver: Driver
    isMain(body: Record<string, unknown>, prompt: string): boolean
    readDefinitions(body: Record<string, unknown>): unknown[]
    readNotices(body: Record<string, unknown>): string[]
  }
> = {
  'Claude Code': {
    driver: runClaudeCode,
    isMain: claude.isMainRequest,
    readDefinitions: claude.readAddedDefinitions,
    readNotices: claude.readTaskNotifications,
  },
  Codex: {
    driver: runCodex,
    isMain: (body, prompt) => codex.isScenarioRequest(body, { prompt } as Scenario),
    readDefinitions: codex.readBgbashDefinitions,
    readNotices: () => [],
  },
}

/** One run of the workflow, in temp directories it removes, killing whatever it started. */
export async function runWorkflow(harness: HarnessName, workflowPath: WorkflowPath): Promise<WorkflowRun> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-workflow-'))
  const home = path.join(root, 'store')
  const cwd = path.join(root, 'project')
  const harnessHome = path.join(root, 'harness')
  for (const dir of [home, cwd, harnessHome]) fs.mkdirSync(dir)
  writeProject(cwd)
  const scenario = scenarioFor(harness, workflowPath, { home, cwd })
  try {
    const { driver } = HARNESSES[harness]
    const result = await driver({ scenario, home, cwd, harnessHome })
    return measure(harness, workflowPath, scenario, result)
  } finally {
    // The harness's own children (a server TaskStop or Ctrl-C missed) run in the project.
    const leftovers = findProcessesIn(cwd).map((proc) => trackProcess(proc.pid))
    await killStoreProcesses(home, leftovers)
    fs.rmSync(root, { recursive: true, force: true })
  }
}

function scenarioFor(
  harness: HarnessName,
  workflowPath: WorkflowPath,
  where: { home: string; cwd: string },
): Scenario {
  if (workflowPath === 'bgbash') return bgbashWorkflow(where)
  const reading = workflowPath === 'native, grep' ? 'grep' : 'whole'
  return harness === 'Codex' ? codexWorkflow(where, reading) : claudeCodeWorkflow(where, reading)
}

function measure(
  harness: HarnessName,
  workflowPath: WorkflowPath,
  scenario: Scenario,
  result: DriverResult,
): WorkflowRun {
  const reader = HARNESSES[harness]
  const main = result.requests
    .map((request) => request.body as Record<string, unknown>)
    .filter((body) => body && typeof body === 'object' && reader.isMain(body, scenario.prompt))
  const definitions = main.map((body) => {
    const read = reader.readDefinitions(body)
    return read.length === 0 ? 0 : tokensOf(read)
  })
  const carrying = definitions.filter((tokens) => tokens > 0)
  const results = result.seen.map(({ step, tool, text }) => ({ step, tool, tokens: tokensOf(text), text }))
  // Every notice stays in the conversation: the last request holds them all.
  const notices = (main.length > 0 ? reader.readNotices(main.at(-1)!) : []).map((text) => ({
    tokens: tokensOf(text),
    text,
  }))
  const read = [...results, ...notices]
  return {
    harness,
    path: workflowPath,
    results,
    notices,
    readTokens: read.reduce((sum, { tokens }) => sum + tokens, 0),
    definitionTokens: definitions.reduce((sum, tokens) => sum + tokens, 0),
    definitionsPerRequest: Math.max(0, ...carrying),
    requests: main.length,
    requestsWithDefinitions: carrying.length,
    facts: findFacts(read.map(({ text }) => text)),
  }
}

/** Every path of every harness, `runs` times each, one run at a time (each starts a harness). */
export async function runWorkflows(
  runs: number,
  onRun: (run: WorkflowRun) => void = () => {},
): Promise<WorkflowRun[]> {
  const all: WorkflowRun[] = []
  for (const harness of HARNESS_NAMES)
    for (const workflowPath of WORKFLOW_PATHS)
      for (let round = 0; round < runs; round += 1) {
        const run = await runWorkflow(harness, workflowPath)
        onRun(run)
        all.push(run)
      }
  return all
}
