import type { AccountId, NamespaceId, ScriptId, VersionId } from '../../domain/ids.js'
import type { TagFilter } from '../../domain/tags.js'
import { isoTime, type Clock } from '../../util/clock.js'
import { sha256Hex, uuid } from '../../util/ids.js'
import {
  assetScope,
  StaleScriptVersion,
  type AddTagOutcome,
  type Deployment,
  type ModuleContent,
  type ModuleRef,
  type Script,
  type ScriptScope,
  type ScriptSettings,
  type ScriptStore,
  type ScriptVersion,
} from '../store.js'
import { fromJson, toJson, type Db } from './database.js'
import { versionEtag, defaultSettings, decodeCursor, encodeCursor } from '../shared.js'

interface ScriptRow {
  id: string
  account_id: string
  namespace_id: string
  name: string
  current_version_id: string
  created_on: string
  modified_on: string
  settings: string
  subdomain_enabled: number
  previews_enabled: number
}
interface VersionRow {
  id: string
  script_id: string
  number: number
  created_on: string
  format: string
  main_module: string
  modules: string
  compatibility_date: string
  compatibility_flags: string
  bindings: string
  etag: string
  annotations: string
  source: string
  handlers: string
  assets: string | null
}
interface DeploymentRow {
  id: string
  script_id: string
  created_on: string
  source: string
  versions: string
  annotations: string
}

const nsKey = (scope: ScriptScope): string => scope.namespaceId ?? ''

const toVersion = (r: VersionRow): ScriptVersion => ({
  id: r.id as VersionId,
  scriptId: r.script_id as ScriptId,
  number: r.number,
  createdOn: r.created_on,
  format: r.format === 'service-worker' ? 'service-worker' : 'modules',
  mainModule: r.main_module,
  modules: fromJson(r.modules),
  compatibilityDate: r.compatibility_date,
  compatibilityFlags: fromJson(r.compatibility_flags),
  bindings: fromJson(r.bindings),
  etag: r.etag,
  annotations: fromJson(r.annotations),
  source: r.source,
  handlers: fromJson(r.handlers),
  assets: r.assets === null ? null : fromJson(r.assets),
})

const toDeployment = (r: DeploymentRow): Deployment => ({
  id: r.id,
  scriptId: r.script_id as ScriptId,
  createdOn: r.created_on,
  source: r.source,
  strategy: 'percentage',
  versions: fromJson(r.versions),
  annotations: fromJson(r.annotations),
})

const isContent = (m: ModuleContent | ModuleRef): m is ModuleContent => 'content' in m

export function sqliteScripts(db: Db, clock: Clock): ScriptStore {
  const s = {
    get: db.prepare<[string, string, string], ScriptRow>(
      'SELECT * FROM scripts WHERE account_id = ? AND namespace_id = ? AND name = ?',
    ),
    byId: db.prepare<[string], ScriptRow>('SELECT * FROM scripts WHERE id = ?'),
    tags: db.prepare<[string], { tag: string }>('SELECT tag FROM script_tags WHERE script_id = ? ORDER BY tag'),
    insertScript: db.prepare(
      `INSERT INTO scripts (id, account_id, namespace_id, name, current_version_id, created_on, modified_on, settings)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    setCurrent: db.prepare('UPDATE scripts SET current_version_id = ?, modified_on = ? WHERE id = ?'),
    setSettings: db.prepare('UPDATE scripts SET settings = ?, modified_on = ? WHERE id = ?'),
    setSubdomain: db.prepare('UPDATE scripts SET subdomain_enabled = ?, previews_enabled = ? WHERE id = ?'),
    maxNumber: db.prepare<[string], { n: number | null }>(
      'SELECT MAX(number) AS n FROM script_versions WHERE script_id = ?',
    ),
    insertVersion: db.prepare(
      `INSERT INTO script_versions (id, script_id, number, created_on, format, main_module, modules,
         compatibility_date, compatibility_flags, bindings, etag, annotations, source, handlers, assets)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    version: db.prepare<[string], VersionRow>('SELECT * FROM script_versions WHERE id = ?'),
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
    insertDeployment: db.prepare(
      'INSERT INTO deployments (id, script_id, created_on, source, versions, annotations) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    deployments: db.prepare<[string], DeploymentRow>(
      'SELECT * FROM deployments WHERE script_id = ? ORDER BY created_on DESC, rowid DESC',
    ),
    activeDeployment: db.prepare<[string], DeploymentRow>(
      'SELECT * FROM deployments WHERE script_id = ? ORDER BY created_on DESC, rowid DESC LIMIT 1',
    ),
  }

  const toScript = (r: ScriptRow): Script => ({
    id: r.id as ScriptId,
    accountId: r.account_id as AccountId,
    namespaceId: r.namespace_id === '' ? null : (r.namespace_id as NamespaceId),
    name: r.name,
    currentVersionId: r.current_version_id as VersionId,
    createdOn: r.created_on,
    modifiedOn: r.modified_on,
    tags: s.tags.all(r.id).map((t) => t.tag),
    settings: { ...defaultSettings(), ...fromJson<Partial<ScriptSettings>>(r.settings) },
    subdomainEnabled: r.subdomain_enabled === 1,
    previewsEnabled: r.previews_enabled === 1,
  })
  const getRow = (scope: ScriptScope, name: string): ScriptRow | undefined =>
    s.get.get(scope.accountId, nsKey(scope), name)

  const replaceTags = (scriptId: string, tags: readonly string[]): void => {
    s.clearTags.run(scriptId)
    for (const tag of tags) s.insertTag.run(scriptId, tag)
  }

  const recordDeployment = (
    scriptId: string,
    versions: Array<{ versionId: VersionId; percentage: number }>,
    meta: { source: string; annotations: Record<string, string> },
  ): Deployment => {
    const d: Deployment = {
      id: uuid(),
      scriptId: scriptId as ScriptId,
      createdOn: isoTime(clock.now()),
      source: meta.source,
      strategy: 'percentage',
      versions,
      annotations: meta.annotations,
    }
    s.insertDeployment.run(d.id, scriptId, d.createdOn, d.source, toJson(versions), toJson(d.annotations))
    return d
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
    async publish({ scope, name, version, tags, settings, deploy, ifCurrent }) {
      const now = isoTime(clock.now())
      return db.transaction(() => {
        const existing = getRow(scope, name)
        if (ifCurrent !== undefined && (existing?.current_version_id ?? null) !== ifCurrent) {
          throw new StaleScriptVersion(name)
        }
        const scriptId = existing?.id ?? uuid()
        const refs: ModuleRef[] = version.modules.map((m) => {
          if (!isContent(m)) return m
          const hash = sha256Hex(m.content)
          s.insertBlob.run(hash, Buffer.from(m.content.buffer, m.content.byteOffset, m.content.byteLength))
          return { name: m.name, type: m.type, hash, size: m.content.byteLength }
        })
        const versionId = uuid() as VersionId
        const number = existing ? (s.maxNumber.get(scriptId)?.n ?? 0) + 1 : 1
        const etag = versionEtag({ ...version, modules: refs })
        if (!existing) {
          s.insertScript.run(
            scriptId, scope.accountId, nsKey(scope), name, versionId, now, now,
            toJson({ ...defaultSettings(), ...settings }),
          )
        }
        s.insertVersion.run(
          versionId, scriptId, number, now, version.format, version.mainModule, toJson(refs),
          version.compatibilityDate, toJson(version.compatibilityFlags), toJson(version.bindings), etag,
          toJson(version.annotations ?? {}), version.source ?? 'api', toJson(version.handlers ?? ['fetch']),
          version.assets ? toJson(version.assets) : null,
        )
        if (existing && deploy !== false) s.setCurrent.run(versionId, now, scriptId)
        if (!existing || deploy !== false) {
          recordDeployment(scriptId, [{ versionId, percentage: 100 }], {
            source: version.source ?? 'api',
            annotations: {},
          })
        }
        if (existing && settings) {
          const merged = { ...defaultSettings(), ...fromJson<ScriptSettings>(existing.settings), ...settings }
          s.setSettings.run(toJson(merged), now, scriptId)
        }
        if (tags) replaceTags(scriptId, tags)
        const script = toScript(s.byId.get(scriptId)!)
        return { script, version: toVersion(s.version.get(versionId)!), created: !existing }
      })()
    },
    async get(scope, name) {
      const r = getRow(scope, name)
      return r && toScript(r)
    },
    async getById(id) {
      const r = s.byId.get(id)
      return r && toScript(r)
    },
    async version(id) {
      const r = s.version.get(id)
      return r && toVersion(r)
    },
    async versions(scriptId) {
      return s.versions.all(scriptId).map(toVersion)
    },
    async moduleContent(hash) {
      const r = s.blob.get(hash)
      return r && new Uint8Array(r.content.buffer, r.content.byteOffset, r.content.byteLength)
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
      const page = rows.slice(0, limit)
      const next = rows.length > limit ? encodeCursor(page[page.length - 1]!.name) : ''
      return { scripts: page.map(toScript), cursor: next }
    },
    async delete(scope, name) {
      const r = getRow(scope, name)
      if (!r) return false
      db.transaction(() => {
        s.deleteScript.run(r.id)
        s.deleteAssetFiles.run(scope.accountId, assetScope(scope.namespaceId, name))
        s.deleteAssetSessions.run(scope.accountId, nsKey(scope), name)
      })()
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
        const victims = rows.slice(0, limit)
        for (const v of victims) {
          s.deleteScript.run(v.id)
          s.deleteAssetFiles.run(scope.accountId, assetScope(scope.namespaceId, v.name))
          s.deleteAssetSessions.run(scope.accountId, nsKey(scope), v.name)
        }
        return {
          deleted: victims.map((v) => ({ id: v.id as ScriptId, name: v.name })),
          hasMore: rows.length > limit,
        }
      })()
    },
    async setTags(scope, name, tags) {
      const r = getRow(scope, name)
      if (!r) return undefined
      db.transaction(() => replaceTags(r.id, tags))()
      return toScript(s.byId.get(r.id)!)
    },
    async addTag(scope, name, tag, maxTags) {
      return db.transaction(() => {
        const r = getRow(scope, name)
        if (!r) return undefined
        const tags = s.tags.all(r.id).map((t) => t.tag)
        const outcome: AddTagOutcome = tags.includes(tag) ? 'present' : tags.length >= maxTags ? 'full' : 'added'
        if (outcome === 'added') s.insertTag.run(r.id, tag)
        return { script: toScript(r), outcome }
      })()
    },
    async removeTag(scope, name, tag) {
      const r = getRow(scope, name)
      if (!r) return undefined
      s.deleteTag.run(r.id, tag)
      return toScript(r)
    },
    async updateSettings(scope, name, settings) {
      const r = getRow(scope, name)
      if (!r) return undefined
      const merged = { ...defaultSettings(), ...fromJson<ScriptSettings>(r.settings), ...settings }
      s.setSettings.run(toJson(merged), isoTime(clock.now()), r.id)
      return toScript(s.byId.get(r.id)!)
    },
    async setSubdomain(scope, name, { enabled, previewsEnabled }) {
      const r = getRow(scope, name)
      if (!r) return undefined
      s.setSubdomain.run(enabled ? 1 : 0, previewsEnabled ? 1 : 0, r.id)
      return toScript(s.byId.get(r.id)!)
    },
    async deploy(scriptId, versions, meta) {
      return db.transaction(() => {
        const main = [...versions].sort((a, b) => b.percentage - a.percentage)[0]
        if (main) s.setCurrent.run(main.versionId, isoTime(clock.now()), scriptId)
        return recordDeployment(scriptId, versions, meta)
      })()
    },
    async deployments(scriptId) {
      return s.deployments.all(scriptId).map(toDeployment)
    },
    async activeDeployment(scriptId) {
      const r = s.activeDeployment.get(scriptId)
      return r && toDeployment(r)
    },
  }
}
