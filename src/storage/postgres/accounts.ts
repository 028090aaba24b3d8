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

const sql = {
  insert: `INSERT INTO accounts (id, name, email, global_key_hash, subdomain, created_on)
           VALUES ($1, $2, $3, $4, $5, $6)`,
  get: 'SELECT * FROM accounts WHERE id = $1',
  list: 'SELECT * FROM accounts ORDER BY created_on, id',
  byKey: 'SELECT * FROM accounts WHERE email = $1 AND global_key_hash = $2',
  bySubdomain: 'SELECT * FROM accounts WHERE subdomain = $1',
  setSubdomain: 'UPDATE accounts SET subdomain = $1 WHERE id = $2',
  insertToken: `INSERT INTO api_tokens (id, account_id, token_hash, owner, created_on, modified_on,
                  name, status, policies, request_condition, not_before, expires_on)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
  token: 'SELECT * FROM api_tokens WHERE token_hash = $1',
  tokenById: 'SELECT * FROM api_tokens WHERE account_id = $1 AND id = $2',
  tokens: 'SELECT * FROM api_tokens WHERE account_id = $1 ORDER BY created_on, id',
  updateToken: `UPDATE api_tokens SET modified_on = $1, name = $2, status = $3, policies = $4, request_condition = $5,
                  not_before = $6, expires_on = $7 WHERE account_id = $8 AND id = $9 RETURNING *`,
  rollToken: 'UPDATE api_tokens SET token_hash = $1, modified_on = $2 WHERE account_id = $3 AND id = $4',
  deleteToken: 'DELETE FROM api_tokens WHERE account_id = $1 AND id = $2',
  touchToken: 'UPDATE api_tokens SET last_used_on = $1 WHERE id = $2',
} as const

export function postgresAccounts(db: Db, clock: Clock): AccountStore {
  return {
    async create({ name, email, globalKeyHash, subdomain }) {
      const id = hexId()
      const now = isoTime(clock.now())
      try {
        await db.run(sql.insert, [id, name, email, globalKeyHash, subdomain, now])
      } catch (e) {
        rethrowConflict(dialect, accountConflict(email, subdomain), e)
      }
      return { id: id as AccountId, name, email, subdomain, createdOn: now }
    },
    async get(id) {
      const r = await db.one<AccountRow>(sql.get, [id])
      return r && toAccount(dialect, r)
    },
    async list() {
      return (await db.rows<AccountRow>(sql.list)).map((r) => toAccount(dialect, r))
    },
    async findByGlobalKey(email, keyHash) {
      const r = await db.one<AccountRow>(sql.byKey, [email, keyHash])
      return r && toAccount(dialect, r)
    },
    async findBySubdomain(subdomain) {
      const r = await db.one<AccountRow>(sql.bySubdomain, [subdomain])
      return r && toAccount(dialect, r)
    },
    async setSubdomain(id, subdomain) {
      try {
        await db.run(sql.setSubdomain, [subdomain, id])
      } catch (e) {
        rethrowConflict(dialect, `subdomain ${subdomain}`, e)
      }
    },
    async createToken({ accountId, name, tokenHash, owner = 'user', settings = fullAccess(name) }) {
      const id = hexId()
      const now = isoTime(clock.now())
      const r = await db.one<TokenRow>(sql.insertToken, [id, accountId, tokenHash, owner, now, now, ...tokenSettingValues(settings)])
      return toToken(dialect, r!)
    },
    async findToken(tokenHash) {
      const r = await db.one<TokenRow>(sql.token, [tokenHash])
      return r && toToken(dialect, r)
    },
    async getToken(accountId, id) {
      const r = await db.one<TokenRow>(sql.tokenById, [accountId, id])
      return r && toToken(dialect, r)
    },
    async tokenWithHash(accountId, id) {
      const r = await db.one<TokenRow>(sql.tokenById, [accountId, id])
      return r && { token: toToken(dialect, r), tokenHash: r.token_hash }
    },
    async listTokens(accountId) {
      return (await db.rows<TokenRow>(sql.tokens, [accountId])).map((r) => toToken(dialect, r))
    },
    async updateToken(accountId, id, settings) {
      const now = isoTime(clock.now())
      const r = await db.one<TokenRow>(sql.updateToken, [now, ...tokenSettingValues(settings), accountId, id])
      return r && toToken(dialect, r)
    },
    async rollToken(accountId, id, tokenHash) {
      return (await db.run(sql.rollToken, [tokenHash, isoTime(clock.now()), accountId, id])) > 0
    },
    async deleteToken(accountId, id) {
      return (await db.run(sql.deleteToken, [accountId, id])) > 0
    },
    async touchToken(id, at) {
      await db.run(sql.touchToken, [at, id])
    },
  }
}
