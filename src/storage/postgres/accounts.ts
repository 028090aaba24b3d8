import type { AccountId } from '../../domain/ids.js'
import { isoTime, type Clock } from '../../util/clock.js'
import { hexId } from '../../util/ids.js'
import { accountConflict, toAccount, toToken, type AccountRow, type TokenRow } from '../shared/accounts.js'
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
  insertToken: `INSERT INTO api_tokens (id, account_id, name, token_hash, status, created_on)
                VALUES ($1, $2, $3, $4, 'active', $5)`,
  token: 'SELECT * FROM api_tokens WHERE token_hash = $1',
  tokens: 'SELECT * FROM api_tokens WHERE account_id = $1 ORDER BY created_on, id',
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
    async createToken({ accountId, name, tokenHash }) {
      const id = hexId()
      const now = isoTime(clock.now())
      await db.run(sql.insertToken, [id, accountId, name, tokenHash, now])
      return { id, accountId, name, status: 'active', createdOn: now }
    },
    async findToken(tokenHash) {
      const r = await db.one<TokenRow>(sql.token, [tokenHash])
      return r && toToken(dialect, r)
    },
    async listTokens(accountId) {
      return (await db.rows<TokenRow>(sql.tokens, [accountId])).map((r) => toToken(dialect, r))
    },
  }
}
