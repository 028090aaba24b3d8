import { publicBinding } from '../../bindings/index.js'
import type { Script, ScriptVersion } from '../../storage/store.js'

/** The script object of Cloudflare's answers (upload, details, list), named as its clients read it. */
export function scriptView(script: Script, version: ScriptVersion) {
  return {
    id: script.name,
    tag: script.id,
    etag: version.etag,
    handlers: version.handlers,
    named_handlers: [],
    tags: script.tags,
    created_on: script.createdOn,
    modified_on: script.modifiedOn,
    usage_model: script.settings.usageModel,
    logpush: script.settings.logpush,
    compatibility_date: version.compatibilityDate,
    compatibility_flags: version.compatibilityFlags,
    has_assets: version.assets !== null,
    has_modules: version.format === 'modules' && version.modules.length > 0,
    last_deployed_from: 'api',
    placement: script.settings.placement,
    tail_consumers: script.settings.tailConsumers,
    observability: script.settings.observability,
    entry_point: version.mainModule,
    ...(script.migrationTag !== null ? { migration_tag: script.migrationTag } : {}),
  }
}

/** `GET .../settings`: what the settings PATCH can change. Secrets appear without their values. */
export function settingsView(script: Script, version: ScriptVersion) {
  return {
    bindings: version.bindings.map(publicBinding),
    compatibility_date: version.compatibilityDate,
    compatibility_flags: version.compatibilityFlags,
    limits: script.settings.limits,
    logpush: script.settings.logpush,
    observability: script.settings.observability,
    placement: script.settings.placement,
    tags: script.tags,
    tail_consumers: script.settings.tailConsumers,
    usage_model: script.settings.usageModel,
  }
}
