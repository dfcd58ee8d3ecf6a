import { readBashSettings } from '../config-doc.js'
import { readInteger, readString } from '../params.js'
import { type Handler, reminderIntervalMs } from '../session.js'

/**
 * `configure`: project root, storage, running limit and the `bash.*` settings bgbash acts on.
 * Everything is checked before anything is applied: a refused configure changes nothing.
 */
export const handleConfigure: Handler = async (ctx, params) => {
  const warnings: string[] = []
  const projectRoot = readString('configure', params, 'project_root')
  const storageDir = readString('configure', params, 'storage_dir')
  const limit = readInteger('configure', params, 'max_background_bash_tasks', 1, 10_000)
  const { settings: bash, dropped } = readBashSettings(params.config)

  const { settings } = ctx
  if (projectRoot !== undefined) settings.projectRoot = projectRoot
  if (storageDir !== undefined) {
    if (ctx.sessions().length > 0 && storageDir !== settings.home) {
      warnings.push('storage_dir ignored: sessions are already open on the current store')
    } else settings.home = storageDir
  }
  if (limit !== undefined) settings.maxRunning = limit
  if (bash.background !== undefined) settings.backgroundEnabled = bash.background
  if (bash.longRunningEnabled !== undefined) settings.longRunningEnabled = bash.longRunningEnabled
  if (bash.longRunningMs !== undefined) settings.longRunningMs = bash.longRunningMs
  if (bash.foregroundWaitMs !== undefined) settings.foregroundWaitMs = bash.foregroundWaitMs
  for (const session of ctx.sessions()) {
    session.tm.configure({ maxRunning: settings.maxRunning, longRunningMs: reminderIntervalMs(settings) })
  }
  return { project_root: settings.projectRoot ?? null, warnings, config_dropped_keys: dropped }
}
