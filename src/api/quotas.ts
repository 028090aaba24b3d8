import type { Config } from '../config/config.js'
import type { AccountId, ScriptId } from '../domain/ids.js'
import {
  kvNamespaceQuotaExceeded,
  namespaceQuotaExceeded,
  namespaceScriptQuotaExceeded,
  routeQuotaExceeded,
  scriptQuotaExceeded,
} from '../domain/errors.js'
import type { ScriptScope, Store, Zone } from '../storage/store.js'

/** The per-account limits an operator sets (config, `WORKERHIVE_MAX_*`, `workerhive start --max-*`). */
export type Quotas = Pick<
  Config,
  'maxDispatchNamespaces' | 'maxAccountScripts' | 'maxNamespaceScripts' | 'maxKvNamespaces' | 'maxRoutesPerZone' | 'versionsKept'
>

/** Cloudflare's defaults, for an API built without a full config (the config schema has the same). */
const DEFAULTS: Quotas = {
  maxDispatchNamespaces: 100,
  maxAccountScripts: 500,
  maxNamespaceScripts: 0,
  maxKvNamespaces: 1000,
  maxRoutesPerZone: 1000,
  versionsKept: 100,
}

interface QuotaDeps {
  store: Store
  config: Partial<Quotas>
}

const limitOf = (deps: QuotaDeps, key: keyof Quotas): number => deps.config[key] ?? DEFAULTS[key]

/** 0 means no limit. Checked before the write, so a refused request changes nothing. */
const full = (count: number, limit: number): boolean => limit > 0 && count >= limit

export async function requireNamespaceRoom(deps: QuotaDeps, accountId: AccountId): Promise<void> {
  const limit = limitOf(deps, 'maxDispatchNamespaces')
  if (full((await deps.store.namespaces.list(accountId)).length, limit)) throw namespaceQuotaExceeded(limit)
}

export async function requireKvNamespaceRoom(deps: QuotaDeps, accountId: AccountId): Promise<void> {
  const limit = limitOf(deps, 'maxKvNamespaces')
  if (full((await deps.store.kv.listNamespaces(accountId)).length, limit)) throw kvNamespaceQuotaExceeded(limit)
}

/** Room for one more script in the scope: account-level Workers, or user Workers of one namespace. */
export async function requireScriptRoom(deps: QuotaDeps, scope: ScriptScope, namespaceName?: string): Promise<void> {
  const limit = limitOf(deps, scope.namespaceId === null ? 'maxAccountScripts' : 'maxNamespaceScripts')
  if (limit === 0) return
  // Counting up to the limit is enough to know whether the scope is full, however big it is.
  if (!full(await deps.store.scripts.count(scope, limit), limit)) return
  throw scope.namespaceId === null
    ? scriptQuotaExceeded(limit)
    : namespaceScriptQuotaExceeded(namespaceName ?? '', limit)
}

/** Room in the zone for `adding` routes next to `existing` ones (default: the zone's routes now). */
export async function requireRouteRoom(deps: QuotaDeps, zone: Zone, adding: number, existing?: number): Promise<void> {
  const limit = limitOf(deps, 'maxRoutesPerZone')
  if (limit === 0 || adding === 0) return
  const count = existing ?? (await deps.store.zones.routes(zone.id)).length
  if (count + adding > limit) throw routeQuotaExceeded(limit)
}

/** Deletes the script's versions past the newest `versionsKept`, never one the edge may serve. */
export async function pruneVersions(deps: QuotaDeps, scriptId: ScriptId): Promise<void> {
  const keep = limitOf(deps, 'versionsKept')
  if (keep > 0) await deps.store.scripts.pruneVersions(scriptId, keep)
}
