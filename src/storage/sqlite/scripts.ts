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
import { dialect, toJson, type Db } from './database.js'

export function sqliteScripts(db: Db, clock: Clock): ScriptStore {
  const s = {
    get: db.prepare<[string, string, string], ScriptRow>(
      'SELECT * FROM scripts WHERE account_id = ? AND namespace_id = ? AND name = ?',
    ),
    byId: db.prepare<[string], ScriptRow>('SELECT * FROM scripts WHERE id = ?'),
    tags: db.prepare<[string], { tag: string }>('SELECT tag FROM script_tags WHERE script_id = ? ORDER BY tag'),
    insertScript: db.prepare(insertSql(dialect, 'scripts', SCRIPT_COLUMNS)),
    setCurrent: db.prepare('UPDATE scripts SET current_version_id = ?, modified_on = ? WHERE id = ?'),
    setSettings: db.prepare('UPDATE scripts SET settings = ?, modified_on = ? WHERE id = ?'),
    setSubdomain: db.prepare('UPDATE scripts SET subdomain_enabled = ?, previews_enabled = ? WHERE id = ?'),
    maxNumber: db.prepare<[string], { n: number | null }>(
      'SELECT MAX(number) AS n FROM script_versions WHERE script_id = ?',
    ),
    insertVersion: db.prepare(insertSql(dialect, 'script_versions', VERSION_COLUMNS)),
    version: db.prepare<[string], VersionRow>('SELECT * FROM script_versions WHERE id = ?'),
    allBindings: db.prepare<[], { id: string; bindings: string }>('SELECT id, bindings FROM script_versions'),
    setBindings: db.prepare('UPDATE script_versions SET bindings = ? WHERE id = ?'),
    versions: db.prepare<[string], VersionRow>(
      'SELECT * FROM script_versions WHERE script_id = ? ORDER BY number DESC',
    ),
    insertBlob: db.prepare('INSERT OR IGNORE INTO blobs (hash, content) VALUES (?, ?)'),
    blob: db.prepare<[string], { content: Buffer }>('SELECT content FROM blobs WHERE hash = ?'),
    clearTags: db.prepare('DELETE FROM script_tags WHERE script_id = ?'),
    insertTag: db.prepare('INSERT OR IGNORE INTO script_tags (script_id, tag) VALUES (?, ?)'),
    deleteTag: db.prepare('DELETE FROM script_tags WHERE script_id = ? AND tag = ?'),
    deleteScript: db.prepare('DELETE FROM scripts WHERE id = ?'),
    // A script's asset files go with it: a script re-created under its name starts with none.
    deleteAssetFiles: db.prepare('DELETE FROM asset_files WHERE account_id = ? AND scope = ?'),
    // …and so do its upload sessions: an old token must not fill the files of a new script.
    deleteAssetSessions: db.prepare("DELETE FROM asset_sessions WHERE account_id = ? AND COALESCE(namespace_id, '') = ? AND script = ?"),
    insertDeployment: db.prepare(insertSql(dialect, 'deployments', DEPLOYMENT_COLUMNS)),
    deployments: db.prepare<[string], DeploymentRow>(
      'SELECT * FROM deployments WHERE script_id = ? ORDER BY created_on DESC, rowid DESC',
    ),
    count: db.prepare<[string, string, number], number>(
      'SELECT COUNT(*) FROM (SELECT 1 FROM scripts WHERE account_id = ? AND namespace_id = ? LIMIT ?)',
    ).pluck(),
    versionIds: db.prepare<[string], { id: string }>(
      'SELECT id FROM script_versions WHERE script_id = ? ORDER BY number DESC',
    ),
    deleteVersion: db.prepare('DELETE FROM script_versions WHERE id = ? AND script_id = ?'),
    activeDeployment: db.prepare<[string], DeploymentRow>(
      'SELECT * FROM deployments WHERE script_id = ? ORDER BY created_on DESC, rowid DESC LIMIT 1',
    ),
  }

  const asScript = (r: ScriptRow) => toScript(dialect, r, s.tags.all(r.id).map((t) => t.tag))
  const getRow = (scope: ScriptScope, name: string): ScriptRow | undefined =>
    s.get.get(scope.accountId, nsKey(scope), name)
  const mint = () => ({ now: isoTime(clock.now()), newId: uuid })

  const replaceTags = (scriptId: string, tags: readonly string[]): void => {
    s.clearTags.run(scriptId)
    for (const tag of tags) s.insertTag.run(scriptId, tag)
  }

  const deleteWithLeftovers = (scope: ScriptScope, script: { id: string; name: string }): void => {
    s.deleteScript.run(script.id)
    s.deleteAssetFiles.run(scope.accountId, assetScope(scope.namespaceId, script.name))
    s.deleteAssetSessions.run(scope.accountId, nsKey(scope), script.name)
  }

  /** Builds the tag-filter WHERE fragment and its parameters. */
  const filterSql = (filter: TagFilter | undefined): { sql: string; params: string[] } => {
    if (!filter) return { sql: '', params: [] }
    const parts: string[] = []
    for (const _ of filter.yes) parts.push('EXISTS (SELECT 1 FROM script_tags t WHERE t.script_id = s.id AND t.tag = ?)')
    for (const _ of filter.no) parts.push('NOT EXISTS (SELECT 1 FROM script_tags t WHERE t.script_id = s.id AND t.tag = ?)')
    return { sql: parts.map((p) => ` AND ${p}`).join(''), params: [...filter.yes, ...filter.no] }
  }

  return {
    async publish(input) {
      const m = mint()
      return db.transaction(() => {
        const row = getRow(input.scope, input.name)
        const current = row && currentScript(dialect, row)
        const lastNumber = row ? (s.maxNumber.get(row.id)?.n ?? 0) : 0
        const plan = planPublish(input, current, lastNumber, m)
        for (const b of plan.blobs) s.insertBlob.run(b.hash, b.content)
        if (plan.insertScript) s.insertScript.run(...valuesOf(plan.insertScript, SCRIPT_COLUMNS))
        s.insertVersion.run(...valuesOf(plan.version, VERSION_COLUMNS))
        if (plan.setCurrent) s.setCurrent.run(plan.setCurrent, m.now, plan.scriptId)
        if (plan.deployment) s.insertDeployment.run(...valuesOf(plan.deployment.row, DEPLOYMENT_COLUMNS))
        if (plan.settings) s.setSettings.run(plan.settings, m.now, plan.scriptId)
        if (plan.tags) replaceTags(plan.scriptId, plan.tags)
        const script = asScript(s.byId.get(plan.scriptId)!)
        return { script, version: toVersion(dialect, s.version.get(plan.versionId)!), created: plan.created }
      })()
    },
    async rewriteBindings(edit) {
      return db.transaction(() => {
        let changed = 0
        for (const row of s.allBindings.all()) {
          const next = edit(dialect.json(row.bindings))
          if (next === undefined) continue
          s.setBindings.run(toJson(next), row.id)
          changed++
        }
        return changed
      })()
    },
    async get(scope, name) {
      const r = getRow(scope, name)
      return r && asScript(r)
    },
    async getById(id) {
      const r = s.byId.get(id)
      return r && asScript(r)
    },
    async version(id) {
      const r = s.version.get(id)
      return r && toVersion(dialect, r)
    },
    async versions(scriptId) {
      return s.versions.all(scriptId).map((r) => toVersion(dialect, r))
    },
    async moduleContent(hash) {
      const r = s.blob.get(hash)
      return r && asBytes(r.content)
    },
    async list(scope, { filter, cursor, limit }) {
      const f = filterSql(filter)
      const after = cursor ? decodeCursor(cursor) : ''
      const rows = db
        .prepare<unknown[], ScriptRow>(
          `SELECT s.* FROM scripts s WHERE s.account_id = ? AND s.namespace_id = ? AND s.name > ?${f.sql}
           ORDER BY s.name LIMIT ?`,
        )
        .all(scope.accountId, nsKey(scope), after, ...f.params, limit + 1)
      const { items, more } = pageOf(rows, limit)
      return { scripts: items.map(asScript), cursor: more ? encodeCursor(items[items.length - 1]!.name) : '' }
    },
    async count(scope, upTo) {
      return s.count.get(scope.accountId, nsKey(scope), upTo) ?? 0
    },
    async delete(scope, name) {
      const r = getRow(scope, name)
      if (!r) return false
      db.transaction(() => deleteWithLeftovers(scope, r))()
      return true
    },
    async deleteByTags(scope, filter, limit) {
      const f = filterSql(filter)
      return db.transaction(() => {
        const rows = db
          .prepare<unknown[], { id: string; name: string }>(
            `SELECT s.id, s.name FROM scripts s WHERE s.account_id = ? AND s.namespace_id = ?${f.sql}
             ORDER BY s.name LIMIT ?`,
          )
          .all(scope.accountId, nsKey(scope), ...f.params, limit + 1)
        const { items: victims, more } = pageOf(rows, limit)
        for (const v of victims) deleteWithLeftovers(scope, v)
        return { deleted: victims.map((v) => ({ id: v.id as ScriptId, name: v.name })), hasMore: more }
      })()
    },
    async setTags(scope, name, tags) {
      const r = getRow(scope, name)
      if (!r) return undefined
      db.transaction(() => replaceTags(r.id, tags))()
      return asScript(s.byId.get(r.id)!)
    },
    async addTag(scope, name, tag, maxTags) {
      return db.transaction(() => {
        const r = getRow(scope, name)
        if (!r) return undefined
        const outcome = addTagOutcome(s.tags.all(r.id).map((t) => t.tag), tag, maxTags)
        if (outcome === 'added') s.insertTag.run(r.id, tag)
        return { script: asScript(r), outcome }
      })()
    },
    async removeTag(scope, name, tag) {
      const r = getRow(scope, name)
      if (!r) return undefined
      s.deleteTag.run(r.id, tag)
      return asScript(r)
    },
    async updateSettings(scope, name, settings) {
      const r = getRow(scope, name)
      if (!r) return undefined
      const merged = mergeSettings(currentScript(dialect, r).settings, settings)
      s.setSettings.run(toJson(merged), isoTime(clock.now()), r.id)
      return asScript(s.byId.get(r.id)!)
    },
    async setSubdomain(scope, name, { enabled, previewsEnabled }) {
      const r = getRow(scope, name)
      if (!r) return undefined
      s.setSubdomain.run(enabled ? 1 : 0, previewsEnabled ? 1 : 0, r.id)
      return asScript(s.byId.get(r.id)!)
    },
    async deploy(scriptId, versions, meta) {
      const m = mint()
      return db.transaction(() => {
        const planned = planDeployment(scriptId, versions, meta, m)
        if (planned.current) s.setCurrent.run(planned.current, m.now, scriptId)
        s.insertDeployment.run(...valuesOf(planned.row, DEPLOYMENT_COLUMNS))
        return planned.deployment
      })()
    },
    async deployments(scriptId) {
      return s.deployments.all(scriptId).map((r) => toDeployment(dialect, r))
    },
    async activeDeployment(scriptId) {
      const r = s.activeDeployment.get(scriptId)
      return r && toDeployment(dialect, r)
    },
    async pruneVersions(scriptId, keep) {
      return db.transaction(() => {
        const script = s.byId.get(scriptId)
        if (!script) return []
        const deployment = s.activeDeployment.get(scriptId)
        const served = servedVersionIds(
          script.current_version_id as string | null,
          deployment && toDeployment(dialect, deployment),
        )
        const doomed = versionsToPrune(s.versionIds.all(scriptId).map((r) => r.id), served, keep)
        for (const id of doomed) s.deleteVersion.run(id, scriptId)
        return doomed as VersionId[]
      })()
    },
  }
}
