import type { NewVersion, ScriptVersion } from '../../storage/store.js'

/**
 * A new version that keeps everything of `current` (its stored modules by reference, so nothing is
 * copied) except what `changes` replaces: secrets, settings and content changes each make one.
 */
export function nextVersion(current: ScriptVersion, changes: Partial<NewVersion>): NewVersion {
  return {
    format: current.format,
    mainModule: current.mainModule,
    modules: current.modules,
    compatibilityDate: current.compatibilityDate,
    compatibilityFlags: current.compatibilityFlags,
    bindings: current.bindings,
    handlers: current.handlers,
    assets: current.assets,
    source: 'api',
    ...changes,
  }
}
