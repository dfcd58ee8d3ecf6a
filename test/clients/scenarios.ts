import { waitEndRecorded } from '../helpers/store.js'
import { type Scenario, seenOf, taskIdIn } from './scenario.js'

/**
 * The matrix scenario: what each client shows for a background start, a completion riding on a
 * later result, a completion riding on an error result, a wait, a list and a kill.
 */
export function matrixScenario(home: string): Scenario {
  return {
    name: 'matrix',
    prompt: 'Use the bgbash tools to run the checks.',
    steps: [
      {
        name: 'start-background',
        call: () => ({
          tool: 'bash',
          args: { command: 'echo server-starting; sleep 600', background: true, description: 'fake server' },
        }),
      },
      {
        name: 'start-quick',
        call: () => ({ tool: 'bash', args: { command: 'echo quick-output-41; exit 3', background: true } }),
      },
      {
        // The quick task has ended before this call: its completion rides on this error result.
        name: 'error-with-completion',
        // The server records the end (waitEndRecorded says why nobody else may).
        before: (seen) => waitEndRecorded(home, taskIdIn(seenOf(seen, 'start-quick'))),
        call: () => ({ tool: 'bash_output', args: { task_id: 'bgb-00000000' } }),
      },
      {
        name: 'foreground',
        call: () => ({ tool: 'bash', args: { command: 'echo foreground-done' } }),
      },
      {
        name: 'wait-for-output',
        call: (seen) => ({
          tool: 'bash_wait',
          args: {
            task_ids: [taskIdIn(seenOf(seen, 'start-background'))],
            until: 'server-starting',
            timeout_ms: 20000,
          },
        }),
      },
      { name: 'list', call: () => ({ tool: 'bash_list', args: {} }) },
      {
        // Left running: the test looks at it after the client has exited.
        name: 'start-survivor',
        call: () => ({
          tool: 'bash',
          args: { command: 'sleep 900', background: true, description: 'survivor' },
        }),
      },
      {
        name: 'kill',
        call: (seen) => ({
          tool: 'bash_kill',
          args: { task_ids: [taskIdIn(seenOf(seen, 'start-background'))] },
        }),
      },
    ],
  }
}
