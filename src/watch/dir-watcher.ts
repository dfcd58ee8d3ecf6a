import fs from 'node:fs'

/**
 * Watches one directory (inotify on Linux: a watch, not a file descriptor per directory) and
 * reports the names that changed. Errors go to `onError`; a watch that cannot start returns a
 * no-op closer, because the liveness sweep still covers the task.
 */
export function watchDirectory(
  dir: string,
  onName: (name: string) => void,
  onError: (error: Error) => void,
): () => void {
  let watcher: fs.FSWatcher
  try {
    watcher = fs.watch(dir, { persistent: true }, (_event, name) => {
      if (name) onName(name.toString())
    })
  } catch (error) {
    onError(error as Error)
    return () => {}
  }
  watcher.on('error', onError)
  return () => watcher.close()
}
