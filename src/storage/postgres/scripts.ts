import type { ScriptId, VersionId } from '../../domain/ids.js'
import type { TagFilter } from '../../domain/tags.js'
import { isoTime, type Clock } from '../../util/clock.js'
import { uuid } from '../../util/ids.js'
import { asBytes } from '../shared/bytes.js'
import { insertSql, valuesOf } from '../shared/dialect.js'
import { decodeCursor, encodeCursor, pageOf } from '../shared/paging.js'
import {
  addTagOutcome,
  currentScript,
  DEPLOYMENT_COLUMNS,
  mergeSettings,
  nsKey,
  planDeployment,
  planPublish,
  SCRIPT_COLUMNS,
  toDeployment,
  toScript,
  toVersion,
  VERSION_COLUMNS,
  type DeploymentRow,
  type ScriptRow,
  type VersionRow,
  servedVersionIds,
  versionsToPrune,
} from '../shared/scripts.js'
import { assetScope, type ScriptScope, type ScriptStore } from '../store.js'
import { dialect, LOCK_CLASS, toJson, type Db, type Sql } from './database.js'

/** PostgreSQL reads a script's tags in the same statement. */
type TaggedRow = ScriptRow & { tags: string[] }

/** A script's tags, sorted; used both to return them and to filter on them. */
const TAGS = 'ARRAY(SELECT t.tag FROM script_tags t WHERE t.script_id = s.id ORDER BY t.tag)'
/** A script row with its tags, gathered in the same statement. */
const SCRIPT = `SELECT s.*, ${TAGS} AS tags FROM scripts s`
/** Tag filter: every tag of `$yes` present and none of `$no` (empty arrays filter nothing). */
const matches = (yes: number, no: number): string =>
  `${TAGS} @> $${yes}::text[] AND NOT ${TAGS} && $${no}::text[]`

const sql = {
  get: `${SCRIPT} WHERE s.account_id = $1 AND s.namespace_id = $2 AND s.name = $3`,
  lock: 'SELECT id FROM scripts WHERE account_id = $1 AND namespace_id = $2 AND name = $3 FOR UPDATE',
  byId: `${SCRIPT} WHERE s.id = $1`,
  // Publishes of one script name queue on this lock, so two first uploads cannot both create it
  // and two re-uploads cannot both take the next version number.
  publishLock: `SELECT pg_advisory_xact_lock(${LOCK_CLASS.publish}, hashtext($1))`,
  // A publish into a namespace holds it against a concurrent delete of that namespace.
  shareNamespace: 'SELECT 1 FROM dispatch_namespaces WHERE id = $1 FOR SHARE',
  insertScript: insertSql(dialect, 'scripts', SCRIPT_COLUMNS),
  setCurrent: 'UPDATE scripts SET current_version_id = $1, modified_on = $2 WHERE id = $3',
  setSettings: 'UPDATE scripts SET settings = $1, modified_on = $2 WHERE id = $3',
  setSubdomain: 'UPDATE scripts SET subdomain_enabled = $1, previews_enabled = $2 WHERE id = $3',
  lastNumber: 'SELECT COALESCE(MAX(number), 0) AS n FROM script_versions WHERE script_id = $1',
  insertVersion: insertSql(dialect, 'script_versions', VERSION_COLUMNS),
  version: 'SELECT * FROM script_versions WHERE id = $1',
  allBindings: 'SELECT id, bindings FROM script_versions FOR UPDATE',
  setBindings: 'UPDATE script_versions SET bindings = $1 WHERE id = $2',
  versions: 'SELECT * FROM script_versions WHERE script_id = $1 ORDER BY number DESC',
  insertBlob: 'INSERT INTO blobs (hash, content) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING',
  blob: 'SELECT content FROM blobs WHERE hash = $1',
  clearTags: 'DELETE FROM script_tags WHERE script_id = $1',
  insertTags: `INSERT INTO script_tags (script_id, tag) SELECT $1, unnest($2::text[])
               ON CONFLICT (script_id, tag) DO NOTHING`,
  deleteTag: 'DELETE FROM script_tags WHERE script_id = $1 AND tag = $2',
  deleteScript: 'DELETE FROM scripts WHERE account_id = $1 AND namespace_id = $2 AND name = $3',
  deleteScripts: 'DELETE FROM scripts WHERE id = ANY($1::text[])',
  // A script's asset files go with it: a script re-created under its name starts with none.
  deleteAssetFiles: 'DELETE FROM asset_files WHERE account_id = $1 AND scope = ANY($2::text[])',
  // …and so do its upload sessions: an old token must not fill the files of a new script.
  deleteAssetSessions: "DELETE FROM asset_sessions WHERE account_id = $1 AND COALESCE(namespace_id, '') = $2 AND script = ANY($3::text[])",
  insertDeployment: insertSql(dialect, 'deployments', DEPLOYMENT_COLUMNS),
  deployments: 'SELECT * FROM deployments WHERE script_id = $1 ORDER BY created_on DESC, seq DESC',
  lockById: 'SELECT current_version_id FROM scripts WHERE id = $1 FOR UPDATE',
  versionIds: 'SELECT id FROM script_versions WHERE script_id = $1 ORDER BY number DESC',
  deleteVersions: 'DELETE FROM script_versions WHERE script_id = $1 AND id = ANY($2)',
  activeDeployment: 'SELECT * FROM deployments WHERE script_id = $1 ORDER BY created_on DESC, seq DESC LIMIT 1',
  list: `${SCRIPT} WHERE s.account_id = $1 AND s.namespace_id = $2 AND s.name > $3 AND ${matches(4, 5)}
         ORDER BY s.name LIMIT $6`,
  count: 'SELECT COUNT(*)::int AS n FROM (SELECT 1 FROM scripts WHERE account_id = $1 AND namespace_id = $2 LIMIT $3) AS s',
  lockMatching: `SELECT s.id, s.name FROM scripts s
                 WHERE s.account_id = $1 AND s.namespace_id = $2 AND ${matches(3, 4)}
                 ORDER BY s.name LIMIT $5 FOR UPDATE`,
} as const

const asScript = (r: TaggedRow) => toScript(dialect, r, r.tags)
const filterParams = (filter: TagFilter | undefined): [string[], string[]] => [
  filter?.yes ?? [],
  filter?.no ?? [],
]


export function postgresScripts(db: Db, clock: Clock): ScriptStore {
  const mustGetById = async (q: Sql, id: string) => asScript((await q.one<TaggedRow>(sql.byId, [id]))!)
  const mint = () => ({ now: isoTime(clock.now()), newId: uuid })

  /**
   * Locks the script's row until commit and reads it whole. Two statements on purpose: a statement
   * that waited for the lock still sees the tags as they were when it started, so the tags a
   * concurrent addTag just committed are only visible to the next statement.
   */
  const lockScript = async (q: Sql, scope: ScriptScope, name: string): Promise<TaggedRow | undefined> => {
    const locked = await q.one<{ id: string }>(sql.lock, [scope.accountId, nsKey(scope), name])
    return locked && q.one<TaggedRow>(sql.byId, [locked.id])
  }

  const replaceTags = async (q: Sql, scriptId: string, tags: readonly string[]): Promise<void> => {
    await q.run(sql.clearTags, [scriptId])
    await q.run(sql.insertTags, [scriptId, [...tags]])
  }

  return {
    async publish(input) {
      const { scope, name } = input
      const m = mint()
      return db.tx(async (q) => {
        await q.run(sql.publishLock, [`${scope.accountId}/${nsKey(scope)}/${name}`])
        if (scope.namespaceId !== null && !(await q.one(sql.shareNamespace, [scope.namespaceId]))) {
          throw new Error(`dispatch namespace ${scope.namespaceId} was deleted while ${name} was published`)
        }
        const row = await lockScript(q, scope, name)
        const lastNumber = row ? (await q.one<{ n: number }>(sql.lastNumber, [row.id]))!.n : 0
        const plan = planPublish(input, row && currentScript(dialect, row), lastNumber, m)
        for (const b of plan.blobs) await q.run(sql.insertBlob, [b.hash, b.content])
        if (plan.insertScript) await q.run(sql.insertScript, valuesOf(plan.insertScript, SCRIPT_COLUMNS))
        await q.run(sql.insertVersion, valuesOf(plan.version, VERSION_COLUMNS))
        if (plan.setCurrent) await q.run(sql.setCurrent, [plan.setCurrent, m.now, plan.scriptId])
        if (plan.deployment) await q.run(sql.insertDeployment, valuesOf(plan.deployment.row, DEPLOYMENT_COLUMNS))
        if (plan.settings) await q.run(sql.setSettings, [plan.settings, m.now, plan.scriptId])
        if (plan.tags) await replaceTags(q, plan.scriptId, plan.tags)
        const script = await mustGetById(q, plan.scriptId)
        const version = toVersion(dialect, (await q.one<VersionRow>(sql.version, [plan.versionId]))!)
        return { script, version, created: plan.created }
      })
    },
    async rewriteBindings(edit) {
      return db.tx(async (q) => {
        let changed = 0
        for (const row of await q.rows<{ id: string; bindings: unknown }>(sql.allBindings)) {
          const next = edit(dialect.json(row.bindings))
          if (next === undefined) continue
          await q.run(sql.setBindings, [toJson(next), row.id])
          changed++
        }
        return changed
      })
    },
    async get(scope, name) {
      const r = await db.one<TaggedRow>(sql.get, [scope.accountId, nsKey(scope), name])
      return r && asScript(r)
    },
    async getById(id) {
      const r = await db.one<TaggedRow>(sql.byId, [id])
      return r && asScript(r)
    },
    async version(id) {
      const r = await db.one<VersionRow>(sql.version, [id])
      return r && toVersion(dialect, r)
    },
    async versions(scriptId) {
      return (await db.rows<VersionRow>(sql.versions, [scriptId])).map((r) => toVersion(dialect, r))
    },
    async moduleContent(hash) {
      const r = await db.one<{ content: Buffer }>(sql.blob, [hash])
      return r && asBytes(r.content)
    },
    async list(scope, { filter, cursor, limit }) {
      const after = cursor ? decodeCursor(cursor) : ''
      const rows = await db.rows<TaggedRow>(sql.list, [
        scope.accountId, nsKey(scope), after, ...filterParams(filter), limit + 1,
      ])
      const { items, more } = pageOf(rows, limit)
      return { scripts: items.map(asScript), cursor: more ? encodeCursor(items[items.length - 1]!.name) : '' }
    },
    async count(scope, upTo) {
      const [row] = await db.rows<{ n: number }>(sql.count, [scope.accountId, nsKey(scope), upTo])
      return row?.n ?? 0
    },
    async delete(scope, name) {
      return db.tx(async (q) => {
        const deleted = (await q.run(sql.deleteScript, [scope.accountId, nsKey(scope), name])) > 0
        if (deleted) {
          await q.run(sql.deleteAssetFiles, [scope.accountId, [assetScope(scope.namespaceId, name)]])
          await q.run(sql.deleteAssetSessions, [scope.accountId, nsKey(scope), [name]])
        }
        return deleted
      })
    },
    async deleteByTags(scope, filter, limit) {
      return db.tx(async (q) => {
        const rows = await q.rows<{ id: string; name: string }>(sql.lockMatching, [
          scope.accountId, nsKey(scope), ...filterParams(filter), limit + 1,
        ])
        const { items: victims, more } = pageOf(rows, limit)
        await q.run(sql.deleteScripts, [victims.map((v) => v.id)])
        await q.run(sql.deleteAssetFiles, [scope.accountId, victims.map((v) => assetScope(scope.namespaceId, v.name))])
        await q.run(sql.deleteAssetSessions, [scope.accountId, nsKey(scope), victims.map((v) => v.name)])
        return { deleted: victims.map((v) => ({ id: v.id as ScriptId, name: v.name })), hasMore: more }
      })
    },
    async setTags(scope, name, tags) {
      return db.tx(async (q) => {
        const r = await lockScript(q, scope, name)
        if (!r) return undefined
        await replaceTags(q, r.id, tags)
        return mustGetById(q, r.id)
      })
    },
    async addTag(scope, name, tag, maxTags) {
      // The row lock makes the count and the insert one step: concurrent adds cannot pass maxTags.
      return db.tx(async (q) => {
        const r = await lockScript(q, scope, name)
        if (!r) return undefined
        const outcome = addTagOutcome(r.tags, tag, maxTags)
        if (outcome !== 'added') return { script: asScript(r), outcome }
        await q.run(sql.insertTags, [r.id, [tag]])
        return { script: await mustGetById(q, r.id), outcome }
      })
    },
    async removeTag(scope, name, tag) {
      return db.tx(async (q) => {
        const r = await lockScript(q, scope, name)
        if (!r) return undefined
        await q.run(sql.deleteTag, [r.id, tag])
        return mustGetById(q, r.id)
      })
    },
    async updateSettings(scope, name, settings) {
      return db.tx(async (q) => {
        const r = await lockScript(q, scope, name)
        if (!r) return undefined
        const merged = mergeSettings(currentScript(dialect, r).settings, settings)
        await q.run(sql.setSettings, [toJson(merged), isoTime(clock.now()), r.id])
        return mustGetById(q, r.id)
      })
    },
    async setSubdomain(scope, name, { enabled, previewsEnabled }) {
      return db.tx(async (q) => {
        const r = await lockScript(q, scope, name)
        if (!r) return undefined
        await q.run(sql.setSubdomain, [enabled, previewsEnabled, r.id])
        return mustGetById(q, r.id)
      })
    },
    async deploy(scriptId, versions, meta) {
      const m = mint()
      return db.tx(async (q) => {
        const planned = planDeployment(scriptId, versions, meta, m)
        if (planned.current) await q.run(sql.setCurrent, [planned.current, m.now, scriptId])
        await q.run(sql.insertDeployment, valuesOf(planned.row, DEPLOYMENT_COLUMNS))
        return planned.deployment
      })
    },
    async deployments(scriptId) {
      return (await db.rows<DeploymentRow>(sql.deployments, [scriptId])).map((r) => toDeployment(dialect, r))
    },
    async activeDeployment(scriptId) {
      const [r] = await db.rows<DeploymentRow>(sql.activeDeployment, [scriptId])
      return r && toDeployment(dialect, r)
    },
    async pruneVersions(scriptId, keep) {
      // The script row's lock orders this after (or before) a deploy, which updates that row.
      return db.tx(async (q) => {
        const script = await q.one<{ current_version_id: string | null }>(sql.lockById, [scriptId])
        if (!script) return []
        const [deployment] = await q.rows<DeploymentRow>(sql.activeDeployment, [scriptId])
        const served = servedVersionIds(script.current_version_id, deployment && toDeployment(dialect, deployment))
        const ids = (await q.rows<{ id: string }>(sql.versionIds, [scriptId])).map((r) => r.id)
        const doomed = versionsToPrune(ids, served, keep)
        if (doomed.length) await q.run(sql.deleteVersions, [scriptId, doomed])
        return doomed as VersionId[]
      })
    },
  }
}
