import type { MiddlewareHandler } from 'hono'
import { getConnInfo } from '@hono/node-server/conninfo'
import { matchedRoutes } from 'hono/route'
import { readAssetToken } from '../assets/tokens.js'
import type { ApiToken, AssetSession } from '../storage/store.js'
import { sha256Hex } from '../util/ids.js'
import { isoTime } from '../util/clock.js'
import type { ApiEnv, ApiDeps } from './context.js'
import {
  authenticationError,
  forbidden,
  invalidApiToken,
  tokenLocationRefused,
  unauthorizedResource,
} from '../domain/errors.js'
import { policiesAllow, requestIpAllowed } from '../domain/token-policy.js'
import { routeCheck } from './permissions.js'

/** Token verify endpoints answer a bad token with Cloudflare's 1000, not the generic 10000. */
const VERIFY_PATH = /^\/client\/v4\/(user|accounts\/[^/]+)\/tokens\/verify\/?$/

/** last_used_on is written at most this often per token, so reads do not each become a write. */
const LAST_USED_GRANULARITY_MS = 60_000

/**
 * Resolves the caller's account from `Authorization: Bearer <token>` or the legacy
 * `X-Auth-Email` + `X-Auth-Key` pair. Secrets are compared by their sha256; none is stored in clear.
 * A token outside its validity window, disabled, or used from an address its condition refuses
 * authenticates nothing.
 */
export function authenticate(deps: Pick<ApiDeps, 'store' | 'clock'>): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization')
    const refuse = () => (VERIFY_PATH.test(c.req.path) ? invalidApiToken() : authenticationError())
    if (header) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
      if (!match) throw refuse()
      if (ASSET_UPLOAD_PATH.test(c.req.path)) {
        const session = await assetSession(deps, match[1]!)
        const account = session && (await deps.store.accounts.get(session.accountId))
        if (!session || !account) throw authenticationError()
        c.set('account', account)
        c.set('auth', { kind: 'asset-upload', session })
        return next()
      }
      const token = await deps.store.accounts.findToken(sha256Hex(match[1]!))
      const now = deps.clock.now()
      if (!token || tokenState(token, now) !== 'active') throw refuse()
      const address = clientAddress(c)
      if (!requestIpAllowed(token.condition, address)) throw tokenLocationRefused(address ?? 'unknown')
      const account = await deps.store.accounts.get(token.accountId)
      if (!account) throw refuse()
      if (!token.lastUsedOn || Date.parse(token.lastUsedOn) + LAST_USED_GRANULARITY_MS <= now) {
        await deps.store.accounts.touchToken(token.id, isoTime(now))
      }
      c.set('account', account)
      c.set('auth', { kind: 'token', token })
      return next()
    }
    const email = c.req.header('x-auth-email')
    const key = c.req.header('x-auth-key')
    if (email && key) {
      const account = await deps.store.accounts.findByGlobalKey(email.trim(), sha256Hex(key.trim()))
      if (!account) throw refuse()
      c.set('account', account)
      c.set('auth', { kind: 'global-key' })
      return next()
    }
    throw refuse()
  }
}

/** Cloudflare's token status: disabled by its owner, expired, or (before not_before) not yet usable. */
export function tokenState(token: ApiToken, now: number): 'active' | 'disabled' | 'expired' | 'not-yet-valid' {
  if (token.status === 'disabled') return 'disabled'
  if (token.expiresOn && Date.parse(token.expiresOn) <= now) return 'expired'
  if (token.notBefore && Date.parse(token.notBefore) > now) return 'not-yet-valid'
  return 'active'
}

export function clientAddress(c: Parameters<MiddlewareHandler<ApiEnv>>[0]): string | undefined {
  try {
    return getConnInfo(c).remote.address
  } catch {
    return undefined
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

/**
 * A scoped token reaches a route only when its policies grant the permission the route needs on
 * what the request touches (see permissions.ts). Full-access tokens and the global key pass.
 */
export const authorize: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const auth = c.get('auth')
  if (auth.kind !== 'token' || auth.token.policies === null) return next()
  // The handler that will answer; none means the 404/405 handler answers, which reveals nothing.
  const route = matchedRoutes(c).find((r) => r.method !== 'ALL')
  if (!route) return next()
  const routePath = route.path.replace(/^\/client\/v4/, '')
  const check = routeCheck(c.req.method, routePath)
  if (check?.requirement === 'none') return next()
  const target = check?.target(c.get('account').id, c.req.path.replace(/^\/client\/v4/, ''))
  const allowed =
    check !== undefined &&
    target !== undefined &&
    (check.requirement === 'any'
      ? policiesAllow(auth.token.policies, 'any', target)
      : check.requirement.anyOf.some((p) => policiesAllow(auth.token.policies!, p, target)))
  if (allowed) return next()
  throw routePath === '/user' ? unauthorizedResource() : forbidden()
}
