import { sessionSweepBefore, toAssetSession, type SessionRow } from '../shared/assets.js'
import type { AssetStore } from '../store.js'
import { dialect, toJson, type Db } from './database.js'

export function postgresAssets(db: Db): AssetStore {
  return {
    async missing(accountId, scope, hashes) {
      const present = await db.rows<{ hash: string }>(
        'SELECT hash FROM asset_files WHERE account_id = $1 AND scope = $2 AND hash = ANY($3::text[])',
        [accountId, scope, hashes],
      )
      const have = new Set(present.map((r) => r.hash))
      return new Set(hashes.filter((h) => !have.has(h)))
    },
    async put(accountId, scope, files) {
      if (files.length === 0) return
      await db.run(
        `INSERT INTO asset_files (account_id, scope, hash, content_type, content)
         SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::bytea[])
         ON CONFLICT (account_id, scope, hash) DO NOTHING`,
        [accountId, scope, files.map((f) => f.hash), files.map((f) => f.contentType), files.map((f) => Buffer.from(f.content))],
      )
    },
    async get(accountId, scope, hash) {
      const r = await db.one<{ hash: string; content_type: string | null; content: Buffer }>(
        'SELECT hash, content_type, content FROM asset_files WHERE account_id = $1 AND scope = $2 AND hash = $3',
        [accountId, scope, hash],
      )
      return r && { hash: r.hash, contentType: r.content_type, content: r.content }
    },
    async createSession(session) {
      await db.run('DELETE FROM asset_sessions WHERE expires_at < $1', [sessionSweepBefore(session)])
      await db.run(
        'INSERT INTO asset_sessions (id, account_id, namespace_id, script, manifest, expires_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [session.id, session.accountId, session.namespaceId, session.script, toJson(session.manifest), session.expiresAt],
      )
    },
    async session(id) {
      const r = await db.one<SessionRow>('SELECT * FROM asset_sessions WHERE id = $1', [id])
      return r && toAssetSession(dialect, r)
    },
  }
}
