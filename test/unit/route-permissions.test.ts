import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createApi, API_PREFIX } from '../../src/api/app.js'
import type { ApiDeps } from '../../src/api/context.js'
import { routeCheck } from '../../src/api/permissions.js'
import { policiesAllow, requestIpAllowed, type TokenPolicy } from '../../src/domain/token-policy.js'

/** Deps no route touches while it is only being registered: any property is another stub. */
const stub = (): any => new Proxy(function () {}, { get: (_t, key) => (key === 'then' ? undefined : stub()), apply: () => stub() })

const ACCOUNT = 'a'.repeat(32)
const SCRIPTS_WRITE = { id: 'e086da7e2179491d91ee5f35b3ca210a', name: 'Workers Scripts Write' }
const KV_READ = { id: '8b47d2786a534c08a1f94ee8f9f599ef', name: 'Workers KV Storage Read' }
const policy = (effect: 'allow' | 'deny', groups: TokenPolicy['permission_groups'], resource: string): TokenPolicy => ({
  id: '0'.repeat(32),
  effect,
  permission_groups: groups,
  resources: { [resource]: '*' },
})

describe('route permissions', () => {
  it('every registered v4 route has a permission rule', () => {
    const app = createApi(stub() as ApiDeps)
    const missing = app.routes
      .filter((r) => r.method !== 'ALL' && r.path.startsWith(`${API_PREFIX}/`))
      .map((r) => ({ method: r.method, path: r.path.slice(API_PREFIX.length) }))
      .filter((r) => routeCheck(r.method, r.path) === undefined)
      .map((r) => `${r.method} ${r.path}`)
    assert.deepEqual(missing, [])
    assert.ok(app.routes.length > 50, 'the routes were registered')
  })

  it('reads ask for Read or Write, writes for Write', () => {
    assert.deepEqual(routeCheck('DELETE', '/workerhive/containment')?.requirement, { anyOf: ['account.write'] })
    const path = '/accounts/:accountId/workers/scripts/:scriptName'
    assert.deepEqual(routeCheck('GET', path)?.requirement, { anyOf: ['scripts.read', 'scripts.write'] })
    assert.deepEqual(routeCheck('PUT', path)?.requirement, { anyOf: ['scripts.write'] })
    assert.equal(routeCheck('GET', '/user/tokens/verify')?.requirement, 'none')
    // Starting a tail is a POST, and Workers Tail Read opens it.
    assert.deepEqual(routeCheck('POST', '/accounts/:accountId/workers/scripts/:script/tails')?.requirement, {
      anyOf: ['tail.read', 'scripts.write'],
    })
    // Cron triggers: a namespace's schedules are that namespace's resource.
    const schedules = '/accounts/:accountId/workers/dispatch/namespaces/:namespace/scripts/:script/schedules'
    assert.deepEqual(routeCheck('PUT', schedules)?.requirement, { anyOf: ['scripts.write'] })
    assert.deepEqual(routeCheck('GET', '/accounts/:accountId/workers/scripts/:script/schedules')?.requirement, {
      anyOf: ['scripts.read', 'scripts.write'],
    })
    // Workers Logs' query is a POST that only reads: Workers Scripts Read opens it.
    assert.deepEqual(routeCheck('POST', '/accounts/:accountId/workers/observability/telemetry/query')?.requirement, {
      anyOf: ['scripts.read', 'scripts.write'],
    })
  })

  it('a namespace resource covers that namespace only, never the account or KV', () => {
    const ns = [policy('allow', [SCRIPTS_WRITE, KV_READ], `com.workerhive.dispatch_namespace.${ACCOUNT}.prod`)]
    assert.equal(policiesAllow(ns, 'scripts.write', { accountId: ACCOUNT, namespace: 'prod' }), true)
    assert.equal(policiesAllow(ns, 'scripts.write', { accountId: ACCOUNT, namespace: 'staging' }), false)
    assert.equal(policiesAllow(ns, 'scripts.write', { accountId: ACCOUNT }), false)
    assert.equal(policiesAllow(ns, 'kv.read', { accountId: ACCOUNT }), false)
    assert.equal(policiesAllow(ns, 'scripts.write', { accountId: 'b'.repeat(32), namespace: 'prod' }), false)
  })

  it('deny wins over allow; an account resource covers its namespaces and zones', () => {
    const account = `com.cloudflare.api.account.${ACCOUNT}`
    const allow = policy('allow', [SCRIPTS_WRITE], account)
    assert.equal(policiesAllow([allow], 'scripts.write', { accountId: ACCOUNT, namespace: 'x' }), true)
    const deny = policy('deny', [SCRIPTS_WRITE], `com.workerhive.dispatch_namespace.${ACCOUNT}.x`)
    assert.equal(policiesAllow([allow, deny], 'scripts.write', { accountId: ACCOUNT, namespace: 'x' }), false)
    assert.equal(policiesAllow([allow, deny], 'scripts.write', { accountId: ACCOUNT, namespace: 'y' }), true)
    assert.equal(policiesAllow([allow], 'scripts.write', { accountId: ACCOUNT, user: true }), false)
  })

  it('request_ip: in and not_in CIDRs, IPv4-mapped addresses', () => {
    const c = { request_ip: { in: ['127.0.0.0/8', 'fd00::/8'], not_in: ['127.0.0.2/32'] } }
    assert.equal(requestIpAllowed(c, '127.0.0.1'), true)
    assert.equal(requestIpAllowed(c, '::ffff:127.0.0.1'), true)
    assert.equal(requestIpAllowed(c, '127.0.0.2'), false)
    assert.equal(requestIpAllowed(c, '10.1.2.3'), false)
    assert.equal(requestIpAllowed(c, 'fd12::1'), true)
    assert.equal(requestIpAllowed({}, undefined), true)
  })
})
