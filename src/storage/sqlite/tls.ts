import { isoTime, type Clock } from '../../util/clock.js'
import type { ZoneId } from '../../domain/ids.js'
import { CERTIFICATE_COLUMNS, CERTIFICATE_UPDATE, certificateValues, toEdgeCertificate, type EdgeCertificateRow } from '../shared/tls.js'
import type { TlsStore } from '../store.js'
import type { Db } from './database.js'

export function sqliteTls(db: Db, clock: Clock): TlsStore {
  const s = {
    get: db.prepare<[string], EdgeCertificateRow>('SELECT * FROM edge_certificates WHERE hostname = ?'),
    put: db.prepare(`INSERT INTO edge_certificates (${CERTIFICATE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hostname) DO UPDATE SET ${CERTIFICATE_UPDATE}`),
    drop: db.prepare('DELETE FROM edge_certificates WHERE hostname = ?'),
    due: db.prepare<[number, number], EdgeCertificateRow>("SELECT * FROM edge_certificates WHERE source = 'acme' AND renew_at_ms <= ? ORDER BY renew_at_ms LIMIT ?"),
    claim: db.prepare('UPDATE edge_certificates SET renew_at_ms = ? WHERE hostname = ? AND renew_at_ms = ?'),
    challenge: db.prepare<[string], { key_authorization: string }>('SELECT key_authorization FROM acme_challenges WHERE token = ?'),
    challenges: db.prepare<[], { token: string; key_authorization: string }>('SELECT token, key_authorization FROM acme_challenges ORDER BY token'),
    putChallenge: db.prepare('INSERT INTO acme_challenges (token, key_authorization) VALUES (?, ?) ON CONFLICT (token) DO UPDATE SET key_authorization = excluded.key_authorization'),
    dropChallenge: db.prepare('DELETE FROM acme_challenges WHERE token = ?'),
    addAccount: db.prepare('INSERT INTO acme_accounts (directory_url, sealed_key) VALUES (?, ?) ON CONFLICT (directory_url) DO NOTHING'),
    account: db.prepare<[string], { sealed_key: string }>('SELECT sealed_key FROM acme_accounts WHERE directory_url = ?'),
    setting: db.prepare<[string, string], { value: string }>('SELECT value FROM zone_settings WHERE zone_id = ? AND name = ?'),
    putSetting: db.prepare('INSERT INTO zone_settings (zone_id, name, value) VALUES (?, ?, ?) ON CONFLICT (zone_id, name) DO UPDATE SET value = excluded.value'),
    settingValues: db.prepare<[string], { zone_id: string; value: string }>('SELECT zone_id, value FROM zone_settings WHERE name = ?'),
  }
  const rewrite = db.transaction((fn: (sealed: string) => string) => {
    let changed = 0
    for (const table of ['edge_certificates', 'acme_accounts'] as const) {
      const key = table === 'edge_certificates' ? 'hostname' : 'directory_url'
      for (const row of db.prepare<[], { id: string; sealed_key: string }>(`SELECT ${key} AS id, sealed_key FROM ${table}`).all()) {
        const next = fn(row.sealed_key)
        if (next === row.sealed_key) continue
        db.prepare(`UPDATE ${table} SET sealed_key = ? WHERE ${key} = ?`).run(next, row.id)
        changed++
      }
    }
    return changed
  })
  return {
    async rewriteSealedKeys(fn) {
      return rewrite(fn)
    },
    async certificate(hostname) {
      const row = s.get.get(hostname.toLowerCase())
      return row && toEdgeCertificate(row)
    },
    async putCertificate(c) {
      s.put.run(...certificateValues(c, isoTime(clock.now())))
    },
    async deleteCertificate(hostname) {
      return s.drop.run(hostname.toLowerCase()).changes === 1
    },
    async renewalsDue(now, limit) {
      return s.due.all(now, limit).map(toEdgeCertificate)
    },
    async claimRenewal(hostname, renewAt, nextRenewAt) {
      return s.claim.run(nextRenewAt, hostname.toLowerCase(), renewAt).changes === 1
    },
    async challenge(token) {
      return s.challenge.get(token)?.key_authorization
    },
    async challenges() {
      return s.challenges.all().map((r) => ({ token: r.token, keyAuthorization: r.key_authorization }))
    },
    async putChallenge(token, keyAuthorization) {
      s.putChallenge.run(token, keyAuthorization)
    },
    async deleteChallenge(token) {
      s.dropChallenge.run(token)
    },
    async acmeAccountKey(directoryUrl, sealedKeyIfNone) {
      s.addAccount.run(directoryUrl, sealedKeyIfNone)
      return s.account.get(directoryUrl)!.sealed_key
    },
    async zoneSetting(zoneId, name) {
      return s.setting.get(zoneId, name)?.value
    },
    async setZoneSetting(zoneId, name, value) {
      s.putSetting.run(zoneId, name, value)
    },
    async zoneSettingValues(name) {
      return s.settingValues.all(name).map((r) => ({ zoneId: r.zone_id as ZoneId, value: r.value }))
    },
  }
}
