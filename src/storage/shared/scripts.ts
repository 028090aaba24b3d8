import type { AccountId, NamespaceId, ScriptId, VersionId } from '../../domain/ids.js'
import { sha256Hex } from '../../util/ids.js'
import {
  StaleScriptVersion,
  type AddTagOutcome,
  type Deployment,
  type ModuleContent,
  type ModuleRef,
  type NewVersion,
  type PublishInput,
  type Script,
  type ScriptScope,
  type ScriptSettings,
  type ScriptVersion,
} from '../store.js'
import { asBuffer } from './bytes.js'
import { toJson, type Dialect } from './dialect.js'

/**
 * The rules of scripts, versions and deployments, once. A plan says which rows to write from the
 * input and the rows the driver read; the driver only runs the SQL, in its own transaction.
 */

export const defaultSettings = (): ScriptSettings => ({
  logpush: false,
  usageModel: 'standard',
  limits: {},
  observability: null,
  tailConsumers: null,
  placement: {},
})

/** Stored settings are partial (older rows lack newer fields); a patch overrides them. */
export const mergeSettings = (stored: Partial<ScriptSettings>, patch?: Partial<ScriptSettings>): ScriptSettings => ({
  ...defaultSettings(),
  ...stored,
  ...patch,
})

/** Account-level scripts live under the empty namespace key, so (account, namespace, name) stays unique. */
export const nsKey = (scope: ScriptScope): string => scope.namespaceId ?? ''

export const isContent = (m: ModuleContent | ModuleRef): m is ModuleContent => 'content' in m

/** Hash of everything that makes a version behave differently; a new etag means new code to load. */
export function versionEtag(v: Omit<NewVersion, 'modules'> & { modules: ModuleRef[] }): string {
  return sha256Hex(
    JSON.stringify([
      v.format,
      v.mainModule,
      v.modules.map((m) => [m.name, m.type, m.hash]),
      v.compatibilityDate,
      v.compatibilityFlags,
      v.bindings,
      v.assets ?? null,
    ]),
  )
}

export const addTagOutcome = (tags: readonly string[], tag: string, maxTags: number): AddTagOutcome =>
  tags.includes(tag) ? 'present' : tags.length >= maxTags ? 'full' : 'added'

// --- rows -------------------------------------------------------------------------------------
export const SCRIPT_COLUMNS = [
  'id', 'account_id', 'namespace_id', 'name', 'current_version_id', 'created_on', 'modified_on', 'settings',
] as const
export const VERSION_COLUMNS = [
  'id', 'script_id', 'number', 'created_on', 'format', 'main_module', 'modules', 'compatibility_date',
  'compatibility_flags', 'bindings', 'etag', 'annotations', 'source', 'handlers', 'assets',
] as const
export const DEPLOYMENT_COLUMNS = ['id', 'script_id', 'created_on', 'source', 'versions', 'annotations'] as const

export type RowOf<C extends readonly string[]> = Record<C[number], unknown>

/** A script row as read; the columns a driver encodes its own way are `unknown` here. */
export interface ScriptRow {
  id: string
  account_id: string
  namespace_id: string
  name: string
  current_version_id: string
  created_on: unknown
  modified_on: unknown
  settings: unknown
  subdomain_enabled: unknown
  previews_enabled: unknown
  migration_tag?: string | null
}
export type VersionRow = RowOf<typeof VERSION_COLUMNS> & { id: string; script_id: string; number: number }
export type DeploymentRow = RowOf<typeof DEPLOYMENT_COLUMNS> & { id: string; script_id: string; source: string }

export const toScript = (dialect: Dialect, r: ScriptRow, tags: string[]): Script => ({
  id: r.id as ScriptId,
  accountId: r.account_id as AccountId,
  namespaceId: r.namespace_id === '' ? null : (r.namespace_id as NamespaceId),
  name: r.name,
  currentVersionId: r.current_version_id as VersionId,
  createdOn: dialect.time(r.created_on),
  modifiedOn: dialect.time(r.modified_on),
  tags,
  settings: mergeSettings(dialect.json(r.settings)),
  subdomainEnabled: dialect.bool(r.subdomain_enabled),
  previewsEnabled: dialect.bool(r.previews_enabled),
  migrationTag: r.migration_tag ?? null,
})

export const toVersion = (dialect: Dialect, r: VersionRow): ScriptVersion => ({
  id: r.id as VersionId,
  scriptId: r.script_id as ScriptId,
  number: r.number,
  createdOn: dialect.time(r.created_on),
  format: r.format === 'service-worker' ? 'service-worker' : 'modules',
  mainModule: r.main_module as string,
  modules: dialect.json(r.modules),
  compatibilityDate: r.compatibility_date as string,
  compatibilityFlags: dialect.json(r.compatibility_flags),
  bindings: dialect.json(r.bindings),
  etag: r.etag as string,
  annotations: dialect.json(r.annotations),
  source: r.source as string,
  handlers: dialect.json(r.handlers),
  assets: r.assets === null ? null : dialect.json(r.assets),
})

export const toDeployment = (dialect: Dialect, r: DeploymentRow): Deployment => ({
  id: r.id,
  scriptId: r.script_id as ScriptId,
  createdOn: dialect.time(r.created_on),
  source: r.source,
  strategy: 'percentage',
  versions: dialect.json(r.versions),
  annotations: dialect.json(r.annotations),
})

// --- plans ------------------------------------------------------------------------------------
/** What a plan needs that is not a pure function of its input: the time and fresh ids. */
export interface Minting {
  now: string
  newId(): string
}

/** The stored script a publish starts from, read under the driver's lock. */
export interface CurrentScript {
  id: string
  currentVersionId: string
  settings: Partial<ScriptSettings>
}

export const currentScript = (dialect: Dialect, r: ScriptRow): CurrentScript => ({
  id: r.id,
  currentVersionId: r.current_version_id,
  settings: dialect.json(r.settings),
})

export interface PlannedDeployment {
  row: RowOf<typeof DEPLOYMENT_COLUMNS>
  deployment: Deployment
  /** The version that becomes the script's current one: the one with the largest share. */
  current: VersionId | undefined
}

export type DeploymentVersions = Array<{ versionId: VersionId; percentage: number }>

export function planDeployment(
  scriptId: string,
  versions: DeploymentVersions,
  meta: { source: string; annotations: Record<string, string> },
  mint: Minting,
): PlannedDeployment {
  const deployment: Deployment = {
    id: mint.newId(),
    scriptId: scriptId as ScriptId,
    createdOn: mint.now,
    source: meta.source,
    strategy: 'percentage',
    versions,
    annotations: meta.annotations,
  }
  const row = {
    id: deployment.id,
    script_id: scriptId,
    created_on: deployment.createdOn,
    source: deployment.source,
    versions: toJson(versions),
    annotations: toJson(deployment.annotations),
  }
  const main = [...versions].sort((a, b) => b.percentage - a.percentage)[0]
  return { row, deployment, current: main?.versionId }
}

export interface PublishPlan {
  scriptId: string
  versionId: VersionId
  created: boolean
  /** Module contents to store, by hash; a hash already stored is kept as it is. */
  blobs: Array<{ hash: string; content: Buffer }>
  /** The new script's row, when this publish creates the script. */
  insertScript?: RowOf<typeof SCRIPT_COLUMNS>
  version: RowOf<typeof VERSION_COLUMNS>
  /** The existing script's new current version, when the re-upload deploys. */
  setCurrent?: VersionId
  /** Every first upload and every deploying re-upload records a 100 % deployment. */
  deployment?: PlannedDeployment
  /** The existing script's merged settings, as stored JSON. */
  settings?: string
  /** The script's new tag set (undefined keeps it). */
  tags?: readonly string[]
}

/**
 * A publish: `current` is the script as stored (undefined when new) and `lastNumber` its highest
 * version number. Throws StaleScriptVersion, before anything is written, when `ifCurrent` fails.
 */
export function planPublish(
  input: PublishInput,
  current: CurrentScript | undefined,
  lastNumber: number,
  mint: Minting,
): PublishPlan {
  const { scope, name, version, tags, settings, deploy, ifCurrent } = input
  if (ifCurrent !== undefined && (current?.currentVersionId ?? null) !== ifCurrent) throw new StaleScriptVersion(name)
  const created = current === undefined
  const scriptId = current?.id ?? mint.newId()
  const versionId = mint.newId() as VersionId
  const blobs: PublishPlan['blobs'] = []
  const refs = version.modules.map((m): ModuleRef => {
    if (!isContent(m)) return m
    const hash = sha256Hex(m.content)
    blobs.push({ hash, content: asBuffer(m.content) })
    return { name: m.name, type: m.type, hash, size: m.content.byteLength }
  })
  const source = version.source ?? 'api'
  const deploys = created || deploy !== false
  return {
    scriptId,
    versionId,
    created,
    blobs,
    ...(created && {
      insertScript: {
        id: scriptId,
        account_id: scope.accountId,
        namespace_id: nsKey(scope),
        name,
        current_version_id: versionId,
        created_on: mint.now,
        modified_on: mint.now,
        settings: toJson(mergeSettings({}, settings)),
      },
    }),
    version: {
      id: versionId,
      script_id: scriptId,
      number: created ? 1 : lastNumber + 1,
      created_on: mint.now,
      format: version.format,
      main_module: version.mainModule,
      modules: toJson(refs),
      compatibility_date: version.compatibilityDate,
      compatibility_flags: toJson(version.compatibilityFlags),
      bindings: toJson(version.bindings),
      etag: versionEtag({ ...version, modules: refs }),
      annotations: toJson(version.annotations ?? {}),
      source,
      handlers: toJson(version.handlers ?? ['fetch']),
      assets: version.assets ? toJson(version.assets) : null,
    },
    ...(current && deploy !== false && { setCurrent: versionId }),
    ...(deploys && {
      deployment: planDeployment(scriptId, [{ versionId, percentage: 100 }], { source, annotations: {} }, mint),
    }),
    ...(current && settings && { settings: toJson(mergeSettings(current.settings, settings)) }),
    ...(tags && { tags }),
  }
}

/**
 * The versions to delete so that at most `keep` remain (the newest), never one that `protectedIds`
 * names (the current version and the versions of the active deployment, which the edge may serve)
 * and never the newest, which was just uploaded and whose number the next version counts on.
 * Kept versions count toward `keep`, so an old deployed version pushes out a newer undeployed one.
 */
export function versionsToPrune(newestFirst: readonly string[], protectedIds: ReadonlySet<string>, keep: number): string[] {
  const prunable = newestFirst.filter((id, i) => i > 0 && !protectedIds.has(id))
  const room = Math.max(0, keep - (newestFirst.length - prunable.length))
  return prunable.slice(room)
}

/** The ids `versionsToPrune` must never delete: the current version and those the deployment serves. */
export const servedVersionIds = (current: string | null, deployment: Deployment | undefined): Set<string> =>
  new Set([...(current ? [current] : []), ...(deployment?.versions.map((v) => v.versionId as string) ?? [])])
