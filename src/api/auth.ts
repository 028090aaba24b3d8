import type { MiddlewareHandler } from 'hono'
import { readAssetToken } from '../assets/tokens.js'
import type { AssetSession } from '../storage/store.js'
import { sha256Hex } from '../util/ids.js'
import type { ApiEnv, ApiDeps } from './context.js'
import { authenticationError, forbidden } from '../domain/errors.js'

/**
 * Resolves the caller's account from `Authorization: Bearer <token>` or the legacy
 * `X-Auth-Email` + `X-Auth-Key` pair. Secrets are compared by their sha256; none is stored in clear.
 */
export function authenticate(deps: Pick<ApiDeps, 'store' | 'clock'>): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization')
    if (header) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
      if (!match) throw authenticationError()
      if (ASSET_UPLOAD_PATH.test(c.req.path)) {
        const session = await assetSession(deps, match[1]!)
        const account = session && (await deps.store.accounts.get(session.accountId))
        if (!session || !account) throw authenticationError()
        c.set('account', account)
        c.set('auth', { kind: 'asset-upload', session })
        return next()
      }
      const token = await deps.store.accounts.findToken(sha256Hex(match[1]!))
      if (!token || token.status !== 'active') throw authenticationError()
      const account = await deps.store.accounts.get(token.accountId)
      if (!account) throw authenticationError()
      c.set('account', account)
      c.set('auth', { kind: 'token', tokenId: token.id })
      return next()
    }
    const email = c.req.header('x-auth-email')
    const key = c.req.header('x-auth-key')
    if (email && key) {
      const account = await deps.store.accounts.findByGlobalKey(email.trim(), sha256Hex(key.trim()))
      if (!account) throw authenticationError()
      c.set('account', account)
      c.set('auth', { kind: 'global-key' })
      return next()
    }
    throw authenticationError()
  }
}

/** The one endpoint an assets-upload-session's JWT opens (and the only one it opens). */
const ASSET_UPLOAD_PATH = /^\/client\/v4\/accounts\/[^/]+\/workers\/assets\/upload\/?$/

/** The live session an asset token names; API tokens and expired sessions give undefined. */
async function assetSession(deps: Pick<ApiDeps, 'store' | 'clock'>, token: string): Promise<AssetSession | undefined> {
  const claims = readAssetToken(token)
  if (!claims) return undefined
  const session = await deps.store.assets.session(claims.sid)
  return session && session.expiresAt > deps.clock.now() ? session : undefined
}

/**
 * Every `/accounts/:accountId/...` path must name the caller's own account. A foreign and a
 * non-existent account get the same answer, so nobody learns which accounts exist.
 */
export const requireOwnAccount: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const accountId = c.req.param('accountId')
  if (accountId !== c.get('account').id) throw forbidden()
  return next()
}

/** An asset upload token opens the upload endpoint and nothing else, whatever the path looks like. */
export const assetTokenOnlyForUploads: MiddlewareHandler<ApiEnv> = async (c, next) => {
  if (c.get('auth').kind === 'asset-upload' && !ASSET_UPLOAD_PATH.test(c.req.path)) throw authenticationError()
  return next()
}
