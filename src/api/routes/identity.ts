import { Hono } from 'hono'
import type { Account } from '../../storage/store.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { ok, paginate } from '../envelope.js'
import { intParam } from '../body.js'

const accountView = (a: Account) => ({
  id: a.id,
  name: a.name,
  type: 'standard',
  settings: { enforce_twofactor: false, use_account_custom_ns_by_default: false },
  created_on: a.createdOn,
})

/** Who am I: the endpoints `wrangler whoami` and the SDK's user/accounts resources call. */
export function identityRoutes(_deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()

  app.get('/user', (c) => {
    const a = c.get('account')
    return c.json(
      ok({
        id: a.id,
        email: a.email,
        first_name: null,
        last_name: null,
        username: a.email,
        suspended: false,
        two_factor_authentication_enabled: false,
        created_on: a.createdOn,
      }),
    )
  })

  app.get('/accounts', (c) => {
    const page = intParam(c.req.query('page'), 1, 1, 1e9)
    const perPage = intParam(c.req.query('per_page'), 20, 1, 1000)
    const { items, info } = paginate([accountView(c.get('account'))], page, perPage)
    return c.json(ok(items, info))
  })

  app.get('/accounts/:accountId', (c) => {
    const a = c.get('account')
    return c.json(ok(accountView(a)))
  })

  app.get('/memberships', (c) => {
    const a = c.get('account')
    const page = intParam(c.req.query('page'), 1, 1, 1e9)
    const perPage = intParam(c.req.query('per_page'), 20, 1, 1000)
    const membership = {
      id: `${a.id}-owner`,
      account: { id: a.id, name: a.name },
      roles: ['Administrator'],
      status: 'accepted',
      permissions: {},
    }
    const { items, info } = paginate([membership], page, perPage)
    return c.json(ok(items, info))
  })

  return app
}
