import type { MiddlewareHandler } from 'hono'
import { sha256Hex } from '../util/ids.js'
import type { ApiEnv, ApiDeps } from './context.js'
import { authenticationError, forbidden } from './errors.js'

/**
 * Resolves the caller's account from `Authorization: Bearer <token>` or the legacy
 * `X-Auth-Email` + `X-Auth-Key` pair. Secrets are compared by their sha256; none is stored in clear.
 */
export function authenticate(deps: Pick<ApiDeps, 'store'>): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization')
    if (header) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
      if (!match) throw authenticationError()
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

/**
 * Every `/accounts/:accountId/...` path must name the caller's own account. A foreign and a
 * non-existent account get the same answer, so nobody learns which accounts exist.
 */
export const requireOwnAccount: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const accountId = c.req.param('accountId')
  if (accountId !== c.get('account').id) throw forbidden()
  return next()
}
