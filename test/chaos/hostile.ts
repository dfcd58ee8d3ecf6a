// Shared pieces of the hostile-input scenarios: a canary directory beside the store, a content
// snapshot of it, and the ids and paths an attacker (or a confused model) would try.
import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { snapshotTree } from '../helpers/store.js'

/**
 * A directory beside the store holding a few files: any path trick that escapes the store lands
 * here first (`<store>/../canary`), so it must stay byte-for-byte identical.
 */
export function makeCanary(storeHome: string): string {
  const dir = path.join(path.dirname(storeHome), 'canary')
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'victim'), 'do not touch\n')
  fs.writeFileSync(path.join(dir, 'sub', 'bgb-00000000'), 'looks like a task id\n')
  fs.writeFileSync(path.join(dir, 'task.json'), '{"schema_version":1}\n')
  return dir
}

/** Every entry under a root with its mode, size and a hash of its bytes (files) or target (links). */
export function snapshotContents(root: string): string[] {
  return snapshotTree(root, { withContents: true })
}

/** Task ids that must never reach a path: traversal, absolute paths, NUL bytes, near misses. */
export function trickyIds(canary: string): string[] {
  return [
    '../x',
    '../../canary/victim',
    '..',
    '.',
    '',
    ' ',
    'bgb-zz',
    'bgb-zzzzzzzz',
    'BGB-00000000',
    'bgb-0000000',
    'bgb-000000000',
    ' bgb-00000000',
    'bgb-00000000 ',
    'bgb-00000000\n',
    'bgb-00000000\0',
    'bgb-0000\u00000000',
    '\0',
    'bgb-00000000/../../..',
    'bgb-00000000/task.json',
    `${canary}/victim`,
    `${canary}/sub/bgb-00000000`,
    '/etc/passwd',
    '/',
    '~',
    '%2e%2e%2fx',
    'bgb-０００００００0',
    'bgb-00000000\u202e',
    'x'.repeat(5000),
  ]
}

/** A task id: tricky, random text, or any JSON value (wrong types). */
export function idArbitrary(canary: string, extra: string[] = []): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...trickyIds(canary), ...extra) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  )
}

/** Any JSON value, with a few long strings and NUL-carrying strings mixed in. */
export function junkValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => `${s}\0${s}`) },
    { weight: 1, arbitrary: fc.integer({ min: 1000, max: 70_000 }).map((n) => 'y'.repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom(-1, 0, 1.5, 2 ** 53, -(2 ** 60), 1e308, true, false, null) },
  )
}

/**
 * Runs an async property without shrinking (the system under test keeps state between runs) and,
 * on failure, throws the property's own error (the assertion that failed), not fast-check's
 * summary, with the counterexample and the seed to replay it.
 */
export async function checkProperty<T>(
  arbitrary: fc.Arbitrary<T>,
  body: (value: T) => Promise<void>,
  { numRuns, seed }: { numRuns: number; seed: number },
): Promise<void> {
  const details = await fc.check(fc.asyncProperty(arbitrary, body), { numRuns, seed, endOnFailure: true })
  if (!details.failed) return
  const error =
    details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance))
  const example = fc.stringify(details.counterexample).slice(0, 4000)
  error.message = `${error.message}\nrun ${details.numRuns} of ${numRuns}, seed ${seed}; counterexample: ${example}`
  throw error
}
