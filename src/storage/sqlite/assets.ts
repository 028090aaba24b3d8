import { asBuffer } from '../shared/bytes.js'
import { sessionSweepBefore, toAssetSession, type SessionRow } from '../shared/assets.js'
import type { AssetFile, AssetStore } from '../store.js'
import { dialect, toJson, type Db } from './database.js'

interface FileRow {
  hash: string
  content_type: string | null
  content: Buffer
}

export function sqliteAssets(db: Db): AssetStore {
  const s = {
    has: db.prepare<[string, string, string], { hash: string }>('SELECT hash FROM asset_files WHERE account_id = ? AND scope = ? AND hash = ?'),
    insert: db.prepare('INSERT OR IGNORE INTO asset_files (account_id, scope, hash, content_type, content) VALUES (?, ?, ?, ?, ?)'),
    get: db.prepare<[string, string, string], FileRow>('SELECT hash, content_type, content FROM asset_files WHERE account_id = ? AND scope = ? AND hash = ?'),
    insertSession: db.prepare(
      'INSERT INTO asset_sessions (id, account_id, namespace_id, script, manifest, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    session: db.prepare<[string], SessionRow>('SELECT * FROM asset_sessions WHERE id = ?'),
    sweepSessions: db.prepare('DELETE FROM asset_sessions WHERE expires_at < ?'),
  }
  const insertAll = db.transaction((accountId: string, scope: string, files: AssetFile[]) => {
    for (const f of files) {
      s.insert.run(accountId, scope, f.hash, f.contentType, asBuffer(f.content))
    }
  })
  return {
    async missing(accountId, scope, hashes) {
      return new Set(hashes.filter((h) => !s.has.get(accountId, scope, h)))
    },
    async put(accountId, scope, files) {
      insertAll(accountId, scope, files)
    },
    async get(accountId, scope, hash) {
      const r = s.get.get(accountId, scope, hash)
      return r && { hash: r.hash, contentType: r.content_type, content: r.content }
    },
    async createSession(session) {
      s.sweepSessions.run(sessionSweepBefore(session))
      s.insertSession.run(
        session.id, session.accountId, session.namespaceId, session.script, toJson(session.manifest), session.expiresAt,
      )
    },
    async session(id) {
      const r = s.session.get(id)
      return r && toAssetSession(dialect, r)
    },
  }
}
