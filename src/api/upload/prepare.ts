import type { AccountId, NamespaceId } from '../../domain/ids.js'
import { normaliseTags } from '../../domain/tags.js'
import type { DurableObjectMigration, NewVersion, ScriptSettings, ScriptVersion, Store } from '../../storage/store.js'
import { resolveDurableObjects } from './durable-objects.js'
import { invalidTags, scriptValidation, versionUploadWithMigration } from '../../domain/errors.js'
import { resolveAssets } from './assets.js'
import { futureCompatibilityDate } from '../../domain/compatibility-date.js'
import { resolveBindings } from './bindings.js'
import type { UploadMetadata } from './metadata.js'
import type { ScriptUpload } from './parse.js'
import type { StartupRunner } from '../../runtime/startup-candidate.js'
import { checkStartup } from './startup.js'

/** What an upload changes: the new version, and the tags and settings its metadata sets. */
export interface PreparedUpload {
  version: NewVersion
  /** Undefined: the metadata said nothing about tags, keep them. */
  tags: string[] | undefined
  settings: Partial<ScriptSettings>
  /** What the upload's `migrations` change, applied right after the version is stored. */
  durableObjects: DurableObjectMigration | undefined
}

/**
 * Turns a parsed upload into what to publish, given the version it replaces. Shared by every
 * upload endpoint (namespace scripts, account scripts, versions): none of it depends on the route.
 */
export async function prepareUpload(input: {
  upload: ScriptUpload
  accountId: AccountId
  previous: ScriptVersion | undefined
  strictInherit: boolean
  /** Where the script lives: an asset token must have been issued for this very script. */
  scope: { namespaceId: NamespaceId | null; script: string }
  store: Pick<Store, 'kv' | 'namespaces' | 'scripts' | 'assets' | 'durableObjects' | 'd1' | 'r2' | 'queues'>
  now: number
  /** Runs the version's startup before anything is stored (undefined: no edge to run it). */
  startup: StartupRunner | undefined
  /** A version upload may not carry a migration that changes anything (Cloudflare's 10211). */
  refuseMigrations?: boolean
}): Promise<PreparedUpload> {
  const { upload, store } = input
  const { metadata } = upload
  const future = futureCompatibilityDate(metadata.compatibility_date, input.now)
  if (future) throw scriptValidation(future)
  const tags = metadataTags(metadata)
  const resolved = await resolveBindings({
    uploaded: upload.bindings,
    previous: input.previous,
    keepTypes: metadata.keep_bindings,
    strictInherit: input.strictInherit,
    ctx: { accountId: input.accountId, store, parts: new Set(upload.modules.map((m) => m.name)) },
    store: store.scripts,
  })
  const durableObjects = await resolveDurableObjects({
    migrations: metadata.migrations,
    bindings: resolved,
    accountId: input.accountId,
    scope: input.scope,
    store,
  })
  if (input.refuseMigrations && durableObjects.migration && migrationChanges(durableObjects.migration)) throw versionUploadWithMigration()
  const bindings = durableObjects.bindings
  const assets = await resolveAssets({
    metadata,
    previous: input.previous,
    scope: { accountId: input.accountId, ...input.scope },
    store,
    now: input.now,
  })
  const assetsBinding = bindings.find((b) => b.type === 'assets')
  if (assetsBinding && !assets)
    throw scriptValidation(`binding '${assetsBinding.name}' of type assets needs static assets: upload them with metadata.assets`)
  if (!upload.mainModule && !assets) throw scriptValidation('An upload without a main module must carry static assets (metadata.assets)')
  const version = {
    assets,
    format: upload.format,
    mainModule: upload.mainModule,
    modules: upload.modules,
    compatibilityDate: metadata.compatibility_date,
    compatibilityFlags: metadata.compatibility_flags ?? [],
    bindings,
    annotations: metadata.annotations,
    handlers: upload.handlers,
    source: 'api',
  }
  const candidate = { accountId: input.accountId, namespaceId: input.scope.namespaceId, name: input.scope.script, version }
  const handlers = await checkStartup(input.startup, candidate)
  return {
    version: handlers ? { ...version, handlers } : version,
    tags,
    settings: settingsFromMetadata(metadata),
    durableObjects: durableObjects.migration,
  }
}

/** Whether a planned migration changes the script's classes or its tag (what a deploy must apply). */
function migrationChanges(m: DurableObjectMigration): boolean {
  return m.toTag !== m.fromTag || m.create.length + m.rename.length + m.move.length + m.delete.length > 0
}

/** The tag set metadata (or a settings change) asks for, checked; undefined when it names none. */
export function metadataTags(fields: { tags?: string[] | null }): string[] | undefined {
  if (fields.tags === undefined) return undefined
  const result = normaliseTags(fields.tags ?? [])
  if ('problem' in result) throw invalidTags(result.problem)
  return result.tags
}

/** The script settings that metadata (or a settings change) sets; absent fields stay as they are. */
export function settingsFromMetadata(m: Pick<
  UploadMetadata,
  'logpush' | 'usage_model' | 'limits' | 'observability' | 'tail_consumers' | 'placement'
>): Partial<ScriptSettings> {
  const s: Partial<ScriptSettings> = {}
  if (m.logpush !== undefined) s.logpush = m.logpush
  if (m.usage_model !== undefined) s.usageModel = m.usage_model
  if (m.limits !== undefined) s.limits = m.limits
  if (m.observability !== undefined) s.observability = m.observability
  if (m.tail_consumers !== undefined) s.tailConsumers = m.tail_consumers
  if (m.placement !== undefined) s.placement = m.placement
  return s
}
