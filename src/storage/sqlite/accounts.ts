import type { AccountId } from '../../domain/ids.js'
import { isoTime, type Clock } from '../../util/clock.js'
import { hexId } from '../../util/ids.js'
import {
  accountConflict,
  fullAccess,
  toAccount,
  toToken,
  tokenSettingValues,
  type AccountRow,
  type TokenRow,
} from '../shared/accounts.js'
import { rethrowConflict } from '../shared/dialect.js'
import type { AccountStore } from '../store.js'
import { dialect, type Db } from './database.js'

export function sqliteAccounts(db: Db, clock: Clock): AccountStore {
  const s = {
    insert: db.prepare(
      'INSERT INTO accounts (id, name, email, global_key_hash, subdomain, created_on) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    get: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?'),
    list: db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY created_on, id'),
    byKey: db.prepare<[string, string], AccountRow>(
      'SELECT * FROM accounts WHERE email = ? AND global_key_hash = ?',
    ),
    bySubdomain: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE subdomain = ?'),
    setSubdomain: db.prepare('UPDATE accounts SET subdomain = ? WHERE id = ?'),
    insertToken: db.prepare(
      `INSERT INTO api_tokens (id, account_id, token_hash, owner, created_on, modified_on,
         name, status, policies, request_condition, not_before, expires_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    token: db.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE token_hash = ?'),
    tokenById: db.prepare<[string, string], TokenRow>('SELECT * FROM api_tokens WHERE account_id = ? AND id = ?'),
    tokens: db.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE account_id = ? ORDER BY created_on, id'),
    updateToken: db.prepare(
      `UPDATE api_tokens SET modified_on = ?, name = ?, status = ?, policies = ?, request_condition = ?,
         not_before = ?, expires_on = ? WHERE account_id = ? AND id = ?`,
    ),
    rollToken: db.prepare('UPDATE api_tokens SET token_hash = ?, modified_on = ? WHERE account_id = ? AND id = ?'),
    deleteToken: db.prepare('DELETE FROM api_tokens WHERE account_id = ? AND id = ?'),
    touchToken: db.prepare('UPDATE api_tokens SET last_used_on = ? WHERE id = ?'),
  }
  return {
    async create({ name, email, globalKeyHash, subdomain }) {
      const id = hexId()
      const now = isoTime(clock.now())
      try {
        s.insert.run(id, name, email, globalKeyHash, subdomain, now)
      } catch (e) {
        rethrowConflict(dialect, accountConflict(email, subdomain), e)
      }
      return { id: id as AccountId, name, email, subdomain, createdOn: now }
    },
    async get(id) {
      const r = s.get.get(id)
      return r && toAccount(dialect, r)
    },
    async list() {
      return s.list.all().map((r) => toAccount(dialect, r))
    },
    async findByGlobalKey(email, keyHash) {
      const r = s.byKey.get(email, keyHash)
      return r && toAccount(dialect, r)
    },
    async findBySubdomain(subdomain) {
      const r = s.bySubdomain.get(subdomain)
      return r && toAccount(dialect, r)
    },
    async setSubdomain(id, subdomain) {
      try {
        s.setSubdomain.run(subdomain, id)
      } catch (e) {
        rethrowConflict(dialect, `subdomain ${subdomain}`, e)
      }
    },
    async createToken({ accountId, name, tokenHash, owner = 'user', settings = fullAccess(name) }) {
      const id = hexId()
      const now = isoTime(clock.now())
      s.insertToken.run(id, accountId, tokenHash, owner, now, now, ...tokenSettingValues(settings))
      return toToken(dialect, s.tokenById.get(accountId, id)!)
    },
    async findToken(tokenHash) {
      const r = s.token.get(tokenHash)
      return r && toToken(dialect, r)
    },
    async getToken(accountId, id) {
      const r = s.tokenById.get(accountId, id)
      return r && toToken(dialect, r)
    },
    async tokenWithHash(accountId, id) {
      const r = s.tokenById.get(accountId, id)
      return r && { token: toToken(dialect, r), tokenHash: r.token_hash }
    },
    async listTokens(accountId) {
      return s.tokens.all(accountId).map((r) => toToken(dialect, r))
    },
    async updateToken(accountId, id, settings) {
      const changed = s.updateToken.run(isoTime(clock.now()), ...tokenSettingValues(settings), accountId, id).changes
      return changed > 0 ? toToken(dialect, s.tokenById.get(accountId, id)!) : undefined
    },
    async rollToken(accountId, id, tokenHash) {
      return s.rollToken.run(tokenHash, isoTime(clock.now()), accountId, id).changes > 0
    },
    async deleteToken(accountId, id) {
      return s.deleteToken.run(accountId, id).changes > 0
    },
    async touchToken(id, at) {
      s.touchToken.run(at, id)
    },
  }
}
