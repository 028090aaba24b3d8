import type { AccountId, NamespaceId } from '../../domain/ids.js'
import type { AssetSession } from '../store.js'
import type { Dialect } from './dialect.js'

export interface SessionRow {
  id: string
  account_id: string
  namespace_id: string | null
  script: string
  manifest: unknown
  expires_at: number | string
}

export const toAssetSession = (dialect: Dialect, r: SessionRow): AssetSession => ({
  id: r.id,
  accountId: r.account_id as AccountId,
  namespaceId: r.namespace_id as NamespaceId | null,
  script: r.script,
  manifest: dialect.json(r.manifest),
  expiresAt: Number(r.expires_at),
})

/** Sessions live an hour; each new one sweeps those expired for a day. */
export const sessionSweepBefore = (session: AssetSession): number => session.expiresAt - 24 * 3600_000
