import { isoTime, type Clock } from '../../util/clock.js'
import type { ZoneId } from '../../domain/ids.js'
import { CERTIFICATE_COLUMNS, CERTIFICATE_UPDATE, certificateValues, toEdgeCertificate, type EdgeCertificateRow } from '../shared/tls.js'
import type { TlsStore } from '../store.js'
import type { Db } from './database.js'

export function postgresTls(db: Db, clock: Clock): TlsStore {
  return {
    async rewriteSealedKeys(fn) {
      return db.tx(async (q) => {
        let changed = 0
        for (const [table, key] of [['edge_certificates', 'hostname'], ['acme_accounts', 'directory_url']] as const) {
          const rows = await q.rows<{ id: string; sealed_key: string }>(`SELECT ${key} AS id, sealed_key FROM ${table} FOR UPDATE`)
          for (const row of rows) {
            const next = fn(row.sealed_key)
            if (next === row.sealed_key) continue
            await q.run(`UPDATE ${table} SET sealed_key = $1 WHERE ${key} = $2`, [next, row.id])
            changed++
          }
        }
        return changed
      })
    },
    async certificate(hostname) {
      const row = await db.one<EdgeCertificateRow>('SELECT * FROM edge_certificates WHERE hostname = $1', [hostname.toLowerCase()])
      return row && toEdgeCertificate(row)
    },
    async putCertificate(c) {
      await db.run(
        `INSERT INTO edge_certificates (${CERTIFICATE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (hostname) DO UPDATE SET ${CERTIFICATE_UPDATE}`,
        certificateValues(c, isoTime(clock.now())),
      )
    },
    async deleteCertificate(hostname) {
      return (await db.run('DELETE FROM edge_certificates WHERE hostname = $1', [hostname.toLowerCase()])) === 1
    },
    async renewalsDue(now, limit) {
      const rows = await db.rows<EdgeCertificateRow>(
        "SELECT * FROM edge_certificates WHERE source = 'acme' AND renew_at_ms <= $1 ORDER BY renew_at_ms LIMIT $2",
        [now, limit],
      )
      return rows.map(toEdgeCertificate)
    },
    async claimRenewal(hostname, renewAt, nextRenewAt) {
      // The condition on the old value is the lease: of several nodes, one moves it.
      const changed = await db.run('UPDATE edge_certificates SET renew_at_ms = $1 WHERE hostname = $2 AND renew_at_ms = $3', [
        nextRenewAt,
        hostname.toLowerCase(),
        renewAt,
      ])
      return changed === 1
    },
    async challenge(token) {
      return (await db.one<{ key_authorization: string }>('SELECT key_authorization FROM acme_challenges WHERE token = $1', [token]))?.key_authorization
    },
    async challenges() {
      const rows = await db.rows<{ token: string; key_authorization: string }>('SELECT token, key_authorization FROM acme_challenges ORDER BY token')
      return rows.map((r) => ({ token: r.token, keyAuthorization: r.key_authorization }))
    },
    async putChallenge(token, keyAuthorization) {
      await db.run(
        'INSERT INTO acme_challenges (token, key_authorization) VALUES ($1, $2) ON CONFLICT (token) DO UPDATE SET key_authorization = excluded.key_authorization',
        [token, keyAuthorization],
      )
    },
    async deleteChallenge(token) {
      await db.run('DELETE FROM acme_challenges WHERE token = $1', [token])
    },
    async acmeAccountKey(directoryUrl, sealedKeyIfNone) {
      await db.run('INSERT INTO acme_accounts (directory_url, sealed_key) VALUES ($1, $2) ON CONFLICT (directory_url) DO NOTHING', [directoryUrl, sealedKeyIfNone])
      return (await db.one<{ sealed_key: string }>('SELECT sealed_key FROM acme_accounts WHERE directory_url = $1', [directoryUrl]))!.sealed_key
    },
    async zoneSetting(zoneId, name) {
      return (await db.one<{ value: string }>('SELECT value FROM zone_settings WHERE zone_id = $1 AND name = $2', [zoneId, name]))?.value
    },
    async setZoneSetting(zoneId, name, value) {
      await db.run(
        'INSERT INTO zone_settings (zone_id, name, value) VALUES ($1, $2, $3) ON CONFLICT (zone_id, name) DO UPDATE SET value = excluded.value',
        [zoneId, name, value],
      )
    },
    async zoneSettingValues(name) {
      const rows = await db.rows<{ zone_id: string; value: string }>('SELECT zone_id, value FROM zone_settings WHERE name = $1', [name])
      return rows.map((r) => ({ zoneId: r.zone_id as ZoneId, value: r.value }))
    },
  }
}
