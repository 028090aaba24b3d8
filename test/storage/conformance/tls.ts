import assert from 'node:assert/strict'
import type { DefineCase } from './suite.js'
import { newAccount } from './fixtures.js'
import type { EdgeCertificate } from '../../../src/storage/store.js'

const DAY = 86_400_000

const cert = (hostname: string, notAfter: number, extra: Partial<EdgeCertificate> = {}): Omit<EdgeCertificate, 'updatedAt'> => ({
  hostname,
  source: 'acme',
  certificatePem: `-----BEGIN CERTIFICATE-----\n${hostname}\n-----END CERTIFICATE-----\n`,
  sealedKey: 'wh1:00000000:sealed',
  issuer: 'CN=Test CA',
  notBefore: notAfter - 90 * DAY,
  notAfter,
  renewAt: notAfter - 30 * DAY,
  ...extra,
})

export function tlsCases(test: DefineCase): void {
  test('tls: a certificate per hostname is replaced, found case-insensitively, and deleted', async ({ store, clock }) => {
    const now = clock.now()
    await store.tls.putCertificate(cert('Shop.Customer.com', now + 90 * DAY))
    const got = await store.tls.certificate('shop.customer.COM')
    assert.equal(got?.hostname, 'shop.customer.com')
    assert.equal(got?.notAfter, now + 90 * DAY)
    await store.tls.putCertificate(cert('shop.customer.com', now + 60 * DAY, { source: 'custom', issuer: 'CN=Other' }))
    assert.deepEqual([(await store.tls.certificate('shop.customer.com'))?.source, (await store.tls.certificate('shop.customer.com'))?.issuer], ['custom', 'CN=Other'])
    assert.equal(await store.tls.deleteCertificate('SHOP.customer.com'), true)
    assert.equal(await store.tls.deleteCertificate('shop.customer.com'), false)
    assert.equal(await store.tls.certificate('shop.customer.com'), undefined)
  })

  test('tls: due ACME renewals are claimed exactly once; uploaded certificates are never due', async ({ store, clock }) => {
    const now = clock.now()
    await store.tls.putCertificate(cert('soon.example.net', now + 10 * DAY))
    await store.tls.putCertificate(cert('later.example.net', now + 80 * DAY))
    await store.tls.putCertificate(cert('mine.example.net', now + 5 * DAY, { source: 'custom' }))
    const due = await store.tls.renewalsDue(now, 10)
    assert.deepEqual(due.map((c) => c.hostname), ['soon.example.net'])
    const claims = await Promise.all(Array.from({ length: 6 }, () => store.tls.claimRenewal('soon.example.net', due[0]!.renewAt, now + 3_600_000)))
    assert.equal(claims.filter(Boolean).length, 1)
    assert.deepEqual(await store.tls.renewalsDue(now, 10), [], 'the claim moved its renewal on')
  })

  test('tls: challenges, ACME account keys (first writer wins) and zone settings', async ({ store }) => {
    await store.tls.putChallenge('tok', 'tok.thumb')
    assert.equal(await store.tls.challenge('tok'), 'tok.thumb')
    assert.deepEqual(await store.tls.challenges(), [{ token: 'tok', keyAuthorization: 'tok.thumb' }])
    await store.tls.deleteChallenge('tok')
    assert.equal(await store.tls.challenge('tok'), undefined)

    assert.equal(await store.tls.acmeAccountKey('https://acme.test/dir', 'first'), 'first')
    assert.equal(await store.tls.acmeAccountKey('https://acme.test/dir', 'second'), 'first')
    await store.tls.putCertificate(cert('rotated.example.net', Date.UTC(2031, 0, 1)))
    assert.equal(await store.tls.rewriteSealedKeys((sealed) => (sealed === 'first' ? 'first' : `${sealed}+`)), 1, 'only changed values count')
    assert.equal((await store.tls.certificate('rotated.example.net'))?.sealedKey, 'wh1:00000000:sealed+')

    const accountId = await newAccount(store, 'settings')
    const zone = await store.zones.create(accountId, 'settings.example.net')
    assert.equal(await store.tls.zoneSetting(zone.id, 'always_use_https'), undefined)
    await store.tls.setZoneSetting(zone.id, 'always_use_https', 'on')
    await store.tls.setZoneSetting(zone.id, 'always_use_https', 'off')
    assert.equal(await store.tls.zoneSetting(zone.id, 'always_use_https'), 'off')
    assert.deepEqual(await store.tls.zoneSettingValues('always_use_https'), [{ zoneId: zone.id, value: 'off' }])
    await store.zones.delete(zone.id)
    assert.deepEqual(await store.tls.zoneSettingValues('always_use_https'), [], 'settings go with their zone')
  })
}
