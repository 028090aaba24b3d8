import type { KvNamespaceId } from '../../domain/ids.js'
import { hexId } from '../../util/ids.js'
import type { KvScope, KvStore, KvWrite } from '../kv-store.js'
import { asBuffer } from '../shared/bytes.js'
import { pageOf } from '../shared/paging.js'
import {
  isExpired,
  kvEntry,
  kvKeyBytes,
  kvKeyInfo,
  nowSeconds,
  prefixUpperBound,
  toKvNamespace,
  type KvNamespaceRow,
} from '../shared/kv.js'
import { rethrowConflict } from '../shared/dialect.js'
import { dialect, type Db, type Sql } from './database.js'

interface InfoRow {
  key: Buffer
  /** BIGINT: pg hands it over as a string. */
  expiration: string | null
  metadata: string | null
}
interface EntryRow extends InfoRow {
  value: Buffer
}

/** Scope check for reads: a constant subquery PostgreSQL evaluates once per statement. */
const OWNED = 'EXISTS (SELECT 1 FROM kv_namespaces n WHERE n.id = $1 AND n.account_id = $2)'
const LIVE = '(e.expiration IS NULL OR e.expiration > $3)'
const WITH_VALUE = `SELECT e.key, e.expiration, e.metadata, v.value FROM kv_entries e
  JOIN kv_values v ON v.namespace_id = e.namespace_id AND v.key = e.key`

const sql = {
  insert: 'INSERT INTO kv_namespaces (id, account_id, title) VALUES ($1, $2, $3)',
  list: 'SELECT * FROM kv_namespaces WHERE account_id = $1 ORDER BY title',
  get: 'SELECT * FROM kv_namespaces WHERE account_id = $1 AND id = $2',
  rename: 'UPDATE kv_namespaces SET title = $3 WHERE account_id = $1 AND id = $2',
  // Entries and values go with it through ON DELETE CASCADE, in the same statement.
  delete: 'DELETE FROM kv_namespaces WHERE account_id = $1 AND id = $2',
  // Held until commit, so the namespace cannot be deleted under a write in progress.
  shareNamespace: 'SELECT 1 FROM kv_namespaces WHERE id = $1 AND account_id = $2 FOR SHARE',

  upsertEntries: `INSERT INTO kv_entries (namespace_id, key, expiration, metadata, size)
    SELECT $1, * FROM unnest($2::bytea[], $3::bigint[], $4::text[], $5::int[])
    ON CONFLICT (namespace_id, key) DO UPDATE
    SET expiration = excluded.expiration, metadata = excluded.metadata, size = excluded.size`,
  upsertValues: `INSERT INTO kv_values (namespace_id, key, value)
    SELECT $1, * FROM unnest($2::bytea[], $3::bytea[])
    ON CONFLICT (namespace_id, key) DO UPDATE SET value = excluded.value`,
  entries: `${WITH_VALUE} WHERE e.namespace_id = $1 AND e.key = ANY($3::bytea[]) AND ${OWNED}`,
  info: `SELECT e.key, e.expiration, e.metadata FROM kv_entries e
    WHERE e.namespace_id = $1 AND e.key = $3 AND ${OWNED}`,
  deleteEntries: 'DELETE FROM kv_entries WHERE namespace_id = $1 AND key = ANY($2::bytea[])',
  // Only if still expired: a concurrent put may have revived the key since it was read.
  purgeEntries: `DELETE FROM kv_entries
    WHERE namespace_id = $1 AND key = ANY($2::bytea[]) AND expiration <= $3`,
  listBounded: `SELECT e.key, e.expiration, e.metadata FROM kv_entries e
    WHERE e.namespace_id = $1 AND ${OWNED} AND ${LIVE} AND e.key > $4 AND e.key >= $5 AND e.key < $6
    ORDER BY e.key LIMIT $7`,
  listUnbounded: `SELECT e.key, e.expiration, e.metadata FROM kv_entries e
    WHERE e.namespace_id = $1 AND ${OWNED} AND ${LIVE} AND e.key > $4 AND e.key >= $5
    ORDER BY e.key LIMIT $6`,
  // SKIP LOCKED: the sweepers of several nodes share the work instead of queueing on the same rows.
  purgeExpired: `DELETE FROM kv_entries WHERE (namespace_id, key) IN (
    SELECT namespace_id, key FROM kv_entries WHERE expiration IS NOT NULL AND expiration <= $1
    LIMIT $2 FOR UPDATE SKIP LOCKED)`,
} as const

/**
 * Bulk writes go in batches: bytea arrays travel as hex text, so one statement for a 100 MB bulk
 * write would build a 200 MB string. A batch stops at this many entries or this many value bytes.
 */
const BATCH_ENTRIES = 1000
const BATCH_BYTES = 8 * 1024 * 1024

function* batches(writes: KvWrite[]): Generator<KvWrite[]> {
  let batch: KvWrite[] = []
  let bytes = 0
  for (const w of writes) {
    if (batch.length > 0 && (batch.length >= BATCH_ENTRIES || bytes + w.value.byteLength > BATCH_BYTES)) {
      yield batch
      batch = []
      bytes = 0
    }
    batch.push(w)
    bytes += w.value.byteLength
  }
  if (batch.length > 0) yield batch
}

/** The last write of each key wins, as if the writes ran one after another. */
const lastWriteOfEachKey = (writes: KvWrite[]): KvWrite[] => [
  ...new Map(writes.map((w) => [w.key, w])).values(),
]

export function postgresKv(db: Db): KvStore {
  const purge = async (scope: KvScope, rows: InfoRow[], now: number): Promise<void> => {
    if (rows.length === 0) return
    await db.run(sql.purgeEntries, [scope.namespaceId, rows.map((r) => r.key), nowSeconds(now)])
  }

  /** The rows that are live; purges the ones that have expired. */
  const liveOrPurge = async <R extends InfoRow>(scope: KvScope, rows: R[], now: number): Promise<R[]> => {
    await purge(scope, rows.filter((r) => isExpired(r, now)), now)
    return rows.filter((r) => !isExpired(r, now))
  }

  const writeBatch = async (q: Sql, scope: KvScope, batch: KvWrite[]): Promise<void> => {
    const keys = batch.map((w) => kvKeyBytes(w.key))
    await q.run(sql.upsertEntries, [
      scope.namespaceId,
      keys,
      batch.map((w) => w.expiration ?? null),
      batch.map((w) => w.metadata ?? null),
      batch.map((w) => w.value.byteLength),
    ])
    await q.run(sql.upsertValues, [scope.namespaceId, keys, batch.map((w) => asBuffer(w.value))])
  }

  const conflict = (title: string, e: unknown): never => rethrowConflict(dialect, `KV namespace ${title}`, e)

  return {
    async createNamespace(accountId, title) {
      const id = hexId()
      await db.run(sql.insert, [id, accountId, title]).catch((e: unknown) => conflict(title, e))
      return { id: id as KvNamespaceId, accountId, title }
    },
    async listNamespaces(accountId) {
      return (await db.rows<KvNamespaceRow>(sql.list, [accountId])).map(toKvNamespace)
    },
    async getNamespace(accountId, id) {
      const r = await db.one<KvNamespaceRow>(sql.get, [accountId, id])
      return r && toKvNamespace(r)
    },
    async renameNamespace(accountId, id, title) {
      const changed = await db.run(sql.rename, [accountId, id, title]).catch((e: unknown) => conflict(title, e))
      return changed === 0 ? undefined : { id, accountId, title }
    },
    async deleteNamespace(accountId, id) {
      return (await db.run(sql.delete, [accountId, id])) > 0
    },

    async putEntries(scope, entries) {
      return db.tx(async (q) => {
        if (!(await q.one(sql.shareNamespace, [scope.namespaceId, scope.accountId]))) return false
        for (const batch of batches(lastWriteOfEachKey(entries))) await writeBatch(q, scope, batch)
        return true
      })
    },
    async getEntry(scope, key, now) {
      const rows = await db.rows<EntryRow>(sql.entries, [scope.namespaceId, scope.accountId, [kvKeyBytes(key)]])
      const [row] = await liveOrPurge(scope, rows, now)
      return row && kvEntry(row)
    },
    async getEntryInfo(scope, key, now) {
      const rows = await db.rows<InfoRow>(sql.info, [scope.namespaceId, scope.accountId, kvKeyBytes(key)])
      const [row] = await liveOrPurge(scope, rows, now)
      return row && kvKeyInfo(row)
    },
    async getEntries(scope, keys, now) {
      // Results come back by key bytes; answer under the key strings the caller asked for.
      const asked = new Map([...new Set(keys)].map((key) => [kvKeyBytes(key).toString('hex'), key]))
      const wanted = [...asked.keys()].map((hex) => Buffer.from(hex, 'hex'))
      const rows = await db.rows<EntryRow>(sql.entries, [scope.namespaceId, scope.accountId, wanted])
      const live = await liveOrPurge(scope, rows, now)
      return new Map(live.map((r) => [asked.get(r.key.toString('hex'))!, kvEntry(r)]))
    },
    async deleteEntries(scope, keys) {
      return db.tx(async (q) => {
        if (!(await q.one(sql.shareNamespace, [scope.namespaceId, scope.accountId]))) return false
        await q.run(sql.deleteEntries, [scope.namespaceId, keys.map(kvKeyBytes)])
        return true
      })
    },
    async listKeys(scope, { prefix, after, limit, now }) {
      const from = kvKeyBytes(prefix)
      const upper = prefixUpperBound(from)
      const head = [scope.namespaceId, scope.accountId, nowSeconds(now), kvKeyBytes(after ?? ''), from]
      const rows = upper
        ? await db.rows<InfoRow>(sql.listBounded, [...head, upper, limit + 1])
        : await db.rows<InfoRow>(sql.listUnbounded, [...head, limit + 1])
      const { items, more } = pageOf(rows, limit)
      return { keys: items.map(kvKeyInfo), more }
    },
    async purgeExpired(now, limit) {
      return db.run(sql.purgeExpired, [nowSeconds(now), limit])
    },
  }
}
