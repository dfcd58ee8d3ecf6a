import { execFile } from 'node:child_process'

/**
 * Frees the blocks of a byte range of a file while writers keep appending and offsets stay put
 * (Linux `fallocate --punch-hole`, util-linux). Resolves false where holes are not supported.
 */
export function punchHole(file: string, offset: number, length: number): Promise<boolean> {
  if (length <= 0) return Promise.resolve(true)
  return new Promise((resolve) => {
    execFile(
      'fallocate',
      ['--punch-hole', '--offset', String(offset), '--length', String(length), file],
      (error) => resolve(!error),
    )
  })
}
