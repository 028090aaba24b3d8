import { Hono } from 'hono'
import { accountTokenGroups, PERMISSION_GROUPS, type PermissionGroup } from '../../domain/permission-groups.js'
import { ACCOUNT_RESOURCE, USER_RESOURCE, type TokenPolicy } from '../../domain/token-policy.js'
import { invalidApiToken, tokenNotFound } from '../../domain/errors.js'
import type { ApiToken } from '../../storage/store.js'
import { secretToken, sha256Hex } from '../../util/ids.js'
import { tokenState } from '../auth.js'
import { intParam, readJsonObject } from '../body.js'
import type { ApiContext, ApiDeps, ApiEnv } from '../context.js'
import { ok, paginate } from '../envelope.js'
import { parseTokenBody, type TokenOwner } from '../tokens/token-input.js'

/**
 * Scoped API tokens, Cloudflare's two flavours: user tokens (`/user/tokens`) and account-owned
 * tokens (`/accounts/:accountId/tokens`). Create, list, get, update, roll, delete, verify, and the
 * permission groups a policy may name. A token's secret is shown on create and roll only.
 */
export function tokenRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const now = () => deps.clock.now()
  const flavours = [
    { kind: 'user' as const, base: '/user/tokens', groups: (): readonly PermissionGroup[] => PERMISSION_GROUPS },
    { kind: 'account' as const, base: '/accounts/:accountId/tokens', groups: accountTokenGroups },
  ]

  for (const { kind, base, groups } of flavours) {
    const ownerOf = (c: ApiContext): TokenOwner => ({ kind, accountId: c.get('account').id })
    const find = async (c: ApiContext): Promise<ApiToken> => {
      const token = await deps.store.accounts.getToken(c.get('account').id, c.req.param('tokenId')!)
      if (!token || token.owner !== kind) throw tokenNotFound()
      return token
    }

    app.get(`${base}/verify`, (c) => {
      const auth = c.get('auth')
      if (auth.kind === 'global-key') return c.json({ ...ok({ id: 'global-api-key', status: 'active' }), messages: [VALID_MESSAGE] })
      if (auth.kind !== 'token' || auth.token.owner !== kind) throw invalidApiToken()
      const t = auth.token
      // Cloudflare says so in `messages`; scripts match on that sentence.
      return c.json({ ...ok({ id: t.id, status: 'active', ...window(t) }), messages: [VALID_MESSAGE] })
    })

    app.get(`${base}/permission_groups`, (c) => {
      const name = c.req.query('name')
      const scope = c.req.query('scope')
      const list = groups()
        .filter((g) => (name ? g.name === name : true) && (scope ? g.scopes.includes(scope as never) : true))
        .map((g) => ({ id: g.id, name: g.name, scopes: g.scopes }))
      return c.json(ok(list))
    })

    app.get(base, async (c) => {
      const page = intParam(c.req.query('page'), 1, 1, 1e9)
      const perPage = intParam(c.req.query('per_page'), 20, 5, 50)
      const all = (await deps.store.accounts.listTokens(c.get('account').id)).filter((t) => t.owner === kind)
      if (c.req.query('direction') === 'desc') all.reverse()
      const { items, info } = paginate(all.map((t) => tokenView(t, now())), page, perPage)
      return c.json(ok(items, info))
    })

    app.post(base, async (c) => {
      const settings = parseTokenBody(await readJsonObject(c), ownerOf(c))
      const value = secretToken()
      const token = await deps.store.accounts.createToken({
        accountId: c.get('account').id,
        name: settings.name,
        tokenHash: sha256Hex(value),
        owner: kind,
        settings,
      })
      return c.json(ok({ ...tokenView(token, now()), value }))
    })

    app.get(`${base}/:tokenId`, async (c) => c.json(ok(tokenView(await find(c), now()))))

    app.put(`${base}/:tokenId`, async (c) => {
      const current = await find(c)
      const settings = parseTokenBody(await readJsonObject(c), ownerOf(c), current)
      const updated = await deps.store.accounts.updateToken(c.get('account').id, current.id, settings)
      if (!updated) throw tokenNotFound()
      return c.json(ok(tokenView(updated, now())))
    })

    // Roll: a new secret, the old one stops working at once; the result is the new value itself.
    app.put(`${base}/:tokenId/value`, async (c) => {
      const current = await find(c)
      const value = secretToken()
      if (!(await deps.store.accounts.rollToken(c.get('account').id, current.id, sha256Hex(value)))) throw tokenNotFound()
      return c.json(ok(value))
    })

    app.delete(`${base}/:tokenId`, async (c) => {
      const current = await find(c)
      if (!(await deps.store.accounts.deleteToken(c.get('account').id, current.id))) throw tokenNotFound()
      return c.json(ok({ id: current.id }))
    })
  }

  return app
}

const VALID_MESSAGE = { code: 10000, message: 'This API Token is valid and active', type: null }

const window = (t: ApiToken) => ({
  ...(t.notBefore ? { not_before: t.notBefore } : {}),
  ...(t.expiresOn ? { expires_on: t.expiresOn } : {}),
})

/** A token as Cloudflare shows it (never its value). */
function tokenView(t: ApiToken, now: number) {
  const state = tokenState(t, now)
  return {
    id: t.id,
    name: t.name,
    status: state === 'not-yet-valid' ? 'active' : state,
    issued_on: t.createdOn,
    modified_on: t.modifiedOn,
    ...(t.lastUsedOn ? { last_used_on: t.lastUsedOn } : {}),
    ...window(t),
    policies: t.policies ?? fullAccessPolicies(t),
    condition: t.condition,
  }
}

/** How a full-access token (from `start` or the CLI) reads: every group on its account. */
function fullAccessPolicies(t: ApiToken): TokenPolicy[] {
  const groups = (scope: PermissionGroup['scopes'][number]) =>
    PERMISSION_GROUPS.filter((g) => g.scopes.includes(scope)).map((g) => ({ id: g.id, name: g.name }))
  return [
    {
      id: `${t.id.slice(0, 24)}00000001`,
      effect: 'allow',
      permission_groups: [...groups('com.cloudflare.api.account'), ...groups('com.cloudflare.api.account.zone')],
      resources: { [`${ACCOUNT_RESOURCE}${t.accountId}`]: '*' },
    },
    {
      id: `${t.id.slice(0, 24)}00000002`,
      effect: 'allow',
      permission_groups: groups('com.cloudflare.api.user'),
      resources: { [`${USER_RESOURCE}${t.accountId}`]: '*' },
    },
  ]
}
