import { resolveStoreRoot } from '../store/paths.js'
import { TaskStore } from '../store/task-store.js'

/** The ids of every session that has a directory in the store (no manager needed). */
export function listSessionIds(options: { home?: string } = {}): string[] {
  const store = new TaskStore(resolveStoreRoot(options.home))
  const ids: string[] = []
  for (const dir of store.listSessionDirs()) {
    const id = store.readSessionId(dir)
    if (id !== undefined) ids.push(id)
  }
  return ids
}
