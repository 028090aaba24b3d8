import assert from 'node:assert/strict'
import type { AccountId } from '../../../src/domain/ids.js'
import { isoTime } from '../../../src/util/clock.js'
import type { TokenPolicy } from '../../../src/domain/token-policy.js'
import type { DefineCase } from './suite.js'
import { StorageConflict } from '../../../src/storage/store.js'
import { newAccount } from './fixtures.js'

export function accountCases(test: DefineCase): void {
  test('accounts: create, get and list; createdOn is the clock time as ISO', async ({ store, clock }) => {
    const alice = { name: 'Alice', email: 'alice@example.com', subdomain: 'alice' }
    const a = await store.accounts.create({ ...alice, globalKeyHash: 'h1' })
    assert.match(a.id, /^[0-9a-f]{32}$/)
    assert.deepEqual(a, { id: a.id, ...alice, createdOn: isoTime(clock.now()) })
    clock.advance(1000)
    const b = await store.accounts.get(await newAccount(store, 'bob'))
    assert.deepEqual(await store.accounts.get(a.id), a)
    assert.deepEqual(await store.accounts.list(), [a, b])
  })

  test('accounts: email and subdomain are each unique; the loser changes nothing', async ({ store }) => {
    await store.accounts.create({ name: 'A', email: 'a@example.com', globalKeyHash: 'h', subdomain: 'a' })
    await assert.rejects(
      store.accounts.create({ name: 'A2', email: 'a@example.com', globalKeyHash: 'h', subdomain: 'other' }),
      StorageConflict,
    )
    await assert.rejects(
      store.accounts.create({ name: 'A3', email: 'other@example.com', globalKeyHash: 'h', subdomain: 'a' }),
      StorageConflict,
    )
    assert.equal((await store.accounts.list()).length, 1)
    assert.equal(await store.accounts.findBySubdomain('other'), undefined)
  })

  test('accounts: findByGlobalKey needs both email and key hash; findBySubdomain', async ({ store }) => {
    const id = await newAccount(store, 'carol')
    assert.equal((await store.accounts.findByGlobalKey('carol@example.com', 'key-of-carol'))?.id, id)
    assert.equal(await store.accounts.findByGlobalKey('carol@example.com', 'wrong'), undefined)
    assert.equal(await store.accounts.findByGlobalKey('nobody@example.com', 'key-of-carol'), undefined)
    assert.equal((await store.accounts.findBySubdomain('carol'))?.id, id)
    assert.equal(await store.accounts.findBySubdomain('Carol'), undefined)
  })

  test('accounts: setSubdomain moves it; a taken subdomain is a conflict', async ({ store }) => {
    const a = await newAccount(store, 'dave')
    await newAccount(store, 'erin')
    await store.accounts.setSubdomain(a, 'dave-2')
    assert.equal((await store.accounts.get(a))?.subdomain, 'dave-2')
    assert.equal(await store.accounts.findBySubdomain('dave'), undefined)
    await assert.rejects(store.accounts.setSubdomain(a, 'erin'), StorageConflict)
    assert.equal((await store.accounts.get(a))?.subdomain, 'dave-2')
  })

  test('accounts: tokens are found by hash and listed per account', async ({ store, clock }) => {
    const a = await newAccount(store, 'frank')
    const b = await newAccount(store, 'grace')
    const t1 = await store.accounts.createToken({ accountId: a, name: 'first', tokenHash: 'th1' })
    clock.advance(1)
    const t2 = await store.accounts.createToken({ accountId: a, name: 'second', tokenHash: 'th2' })
    await store.accounts.createToken({ accountId: b, name: 'theirs', tokenHash: 'th3' })
    const createdOn = isoTime(clock.now() - 1)
    assert.deepEqual(t1, {
      id: t1.id,
      accountId: a,
      name: 'first',
      status: 'active',
      createdOn,
      owner: 'user',
      policies: null,
      condition: {},
      notBefore: null,
      expiresOn: null,
      modifiedOn: createdOn,
      lastUsedOn: null,
    })
    assert.deepEqual(await store.accounts.findToken('th2'), t2)
    assert.equal(await store.accounts.findToken('nope'), undefined)
    assert.deepEqual(await store.accounts.listTokens(a), [t1, t2])
  })

  test('accounts: scoped tokens keep policies, condition and window; update, roll, touch, delete', async ({ store, clock }) => {
    const a = await newAccount(store, 'heidi')
    const b = await newAccount(store, 'ivan')
    const policies: TokenPolicy[] = [
      {
        id: 'a'.repeat(32),
        effect: 'allow',
        permission_groups: [{ id: 'e086da7e2179491d91ee5f35b3ca210a', name: 'Workers Scripts Write' }],
        resources: { [`com.workerhive.dispatch_namespace.${a}.prod`]: '*' },
      },
    ]
    const settings = {
      name: 'deployer',
      policies,
      condition: { request_ip: { in: ['10.0.0.0/8'], not_in: ['10.0.0.1/32'] } },
      notBefore: '2030-01-01T00:00:00Z',
      expiresOn: '2031-01-01T00:00:00Z',
    }
    const t = await store.accounts.createToken({ accountId: a, name: 'deployer', tokenHash: 'sh1', owner: 'account', settings })
    assert.equal(t.owner, 'account')
    assert.deepEqual(t.policies, policies)
    assert.deepEqual(t.condition, settings.condition)
    assert.equal(Date.parse(t.notBefore!), Date.parse(settings.notBefore))
    assert.equal(Date.parse(t.expiresOn!), Date.parse(settings.expiresOn))
    assert.deepEqual(await store.accounts.getToken(a, t.id), t)
    assert.equal(await store.accounts.getToken(b, t.id), undefined, 'another account never sees it')

    clock.advance(5000)
    const updated = await store.accounts.updateToken(a, t.id, { name: 'renamed', status: 'disabled', policies: null })
    assert.equal(updated?.name, 'renamed')
    assert.equal(updated?.status, 'disabled')
    assert.equal(updated?.policies, null)
    assert.deepEqual(updated?.condition, {})
    assert.equal(updated?.expiresOn, null)
    assert.equal(updated?.modifiedOn, isoTime(clock.now()))
    assert.equal(updated?.createdOn, t.createdOn)
    assert.equal(await store.accounts.updateToken(b, t.id, { name: 'x', policies: null }), undefined)

    assert.equal(await store.accounts.rollToken(b, t.id, 'sh2'), false)
    assert.equal(await store.accounts.rollToken(a, t.id, 'sh2'), true)
    assert.equal(await store.accounts.findToken('sh1'), undefined, 'the old secret stops working')
    assert.equal((await store.accounts.findToken('sh2'))?.id, t.id)

    await store.accounts.touchToken(t.id, isoTime(clock.now()))
    assert.equal((await store.accounts.getToken(a, t.id))?.lastUsedOn, isoTime(clock.now()))

    assert.equal(await store.accounts.deleteToken(b, t.id), false)
    assert.equal(await store.accounts.deleteToken(a, t.id), true)
    assert.equal(await store.accounts.deleteToken(a, t.id), false)
    assert.equal(await store.accounts.findToken('sh2'), undefined)
  })

  test('accounts: unknown ids answer undefined or empty', async ({ store }) => {
    const missing = 'f'.repeat(32) as AccountId
    assert.equal(await store.accounts.get(missing), undefined)
    assert.deepEqual(await store.accounts.list(), [])
    assert.deepEqual(await store.accounts.listTokens(missing), [])
  })
}
