import type { AccountId, NamespaceId, ScriptId, VersionId } from '../../domain/ids.js'
import type { TagFilter } from '../../domain/tags.js'
import { isoTime, type Clock } from '../../util/clock.js'
import { sha256Hex, uuid } from '../../util/ids.js'
import { decodeCursor, defaultSettings, encodeCursor, versionEtag } from '../shared.js'
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
  type StoredBinding,
  type VersionAssets,
} from '../store.js'
import { iso, LOCK_CLASS, toJson, type Db, type Sql } from './database.js'

interface ScriptRow {
  id: string
  account_id: string
  namespace_id: string
  name: string
  current_version_id: string
  created_on: Date
  modified_on: Date
  settings: Partial<ScriptSettings>
  subdomain_enabled: boolean
  previews_enabled: boolean
  tags: string[]
}
interface VersionRow {
  id: string
  script_id: string
  number: number
  created_on: Date
  format: string
  main_module: string
  modules: ModuleRef[]
  compatibility_date: string
  compatibility_flags: string[]
  bindings: StoredBinding[]
  etag: string
  annotations: Record<string, string>
  source: string
  handlers: string[]
  assets: VersionAssets | null
}
interface DeploymentRow {
  id: string
  script_id: string
  created_on: Date
  source: string
  versions: Array<{ versionId: VersionId; percentage: number }>
  annotations: Record<string, string>
}

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
  insertScript: `INSERT INTO scripts
                   (id, account_id, namespace_id, name, current_version_id, created_on, modified_on, settings)
                 VALUES ($1, $2, $3, $4, $5, $6, $6, $7)`,
  setCurrent: 'UPDATE scripts SET current_version_id = $1, modified_on = $2 WHERE id = $3',
  setSettings: 'UPDATE scripts SET settings = $1, modified_on = $2 WHERE id = $3',
  setSubdomain: 'UPDATE scripts SET subdomain_enabled = $1, previews_enabled = $2 WHERE id = $3',
  nextNumber: 'SELECT COALESCE(MAX(number), 0) + 1 AS n FROM script_versions WHERE script_id = $1',
  insertVersion: `INSERT INTO script_versions (id, script_id, number, created_on, format, main_module, modules,
                    compatibility_date, compatibility_flags, bindings, etag, annotations, source, handlers, assets)
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
  version: 'SELECT * FROM script_versions WHERE id = $1',
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
  insertDeployment: `INSERT INTO deployments (id, script_id, created_on, source, versions, annotations)
                     VALUES ($1, $2, $3, $4, $5, $6)`,
  deployments: 'SELECT * FROM deployments WHERE script_id = $1 ORDER BY created_on DESC, seq DESC',
  activeDeployment: 'SELECT * FROM deployments WHERE script_id = $1 ORDER BY created_on DESC, seq DESC LIMIT 1',
  list: `${SCRIPT} WHERE s.account_id = $1 AND s.namespace_id = $2 AND s.name > $3 AND ${matches(4, 5)}
         ORDER BY s.name LIMIT $6`,
  lockMatching: `SELECT s.id, s.name FROM scripts s
                 WHERE s.account_id = $1 AND s.namespace_id = $2 AND ${matches(3, 4)}
                 ORDER BY s.name LIMIT $5 FOR UPDATE`,
} as const

const nsKey = (scope: ScriptScope): string => scope.namespaceId ?? ''

const toScript = (r: ScriptRow): Script => ({
  id: r.id as ScriptId,
  accountId: r.account_id as AccountId,
  namespaceId: r.namespace_id === '' ? null : (r.namespace_id as NamespaceId),
  name: r.name,
  currentVersionId: r.current_version_id as VersionId,
  createdOn: iso(r.created_on),
  modifiedOn: iso(r.modified_on),
  tags: r.tags,
  settings: { ...defaultSettings(), ...r.settings },
  subdomainEnabled: r.subdomain_enabled,
  previewsEnabled: r.previews_enabled,
})

const toVersion = (r: VersionRow): ScriptVersion => ({
  id: r.id as VersionId,
  scriptId: r.script_id as ScriptId,
  number: r.number,
  createdOn: iso(r.created_on),
  format: r.format === 'service-worker' ? 'service-worker' : 'modules',
  mainModule: r.main_module,
  modules: r.modules,
  compatibilityDate: r.compatibility_date,
  compatibilityFlags: r.compatibility_flags,
  bindings: r.bindings,
  etag: r.etag,
  annotations: r.annotations,
  source: r.source,
  handlers: r.handlers,
  assets: r.assets ?? null,
})

const toDeployment = (r: DeploymentRow): Deployment => ({
  id: r.id,
  scriptId: r.script_id as ScriptId,
  createdOn: iso(r.created_on),
  source: r.source,
  strategy: 'percentage',
  versions: r.versions,
  annotations: r.annotations,
})

const isContent = (m: ModuleContent | ModuleRef): m is ModuleContent => 'content' in m
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
const filterParams = (filter: TagFilter | undefined): [string[], string[]] => [
  filter?.yes ?? [],
  filter?.no ?? [],
]

export function postgresScripts(db: Db, clock: Clock): ScriptStore {
  const mustGetById = async (q: Sql, id: string): Promise<Script> =>
    toScript((await q.one<ScriptRow>(sql.byId, [id]))!)

  /**
   * Locks the script's row until commit and reads it whole. Two statements on purpose: a statement
   * that waited for the lock still sees the tags as they were when it started, so the tags a
   * concurrent addTag just committed are only visible to the next statement.
   */
  const lockScript = async (q: Sql, scope: ScriptScope, name: string): Promise<ScriptRow | undefined> => {
    const locked = await q.one<{ id: string }>(sql.lock, [scope.accountId, nsKey(scope), name])
    return locked && q.one<ScriptRow>(sql.byId, [locked.id])
  }

  const recordDeployment = async (
    q: Sql,
    scriptId: string,
    versions: Array<{ versionId: VersionId; percentage: number }>,
    meta: { source: string; annotations: Record<string, string> },
  ): Promise<Deployment> => {
    const d: Deployment = {
      id: uuid(),
      scriptId: scriptId as ScriptId,
      createdOn: isoTime(clock.now()),
      source: meta.source,
      strategy: 'percentage',
      versions,
      annotations: meta.annotations,
    }
    const params = [d.id, scriptId, d.createdOn, d.source, toJson(versions), toJson(d.annotations)]
    await q.run(sql.insertDeployment, params)
    return d
  }

  const replaceTags = async (q: Sql, scriptId: string, tags: readonly string[]): Promise<void> => {
    await q.run(sql.clearTags, [scriptId])
    await q.run(sql.insertTags, [scriptId, [...tags]])
  }

  /** Stores each module's content once (by hash) and returns the references the version keeps. */
  const storeModules = async (
    q: Sql,
    modules: ReadonlyArray<ModuleContent | ModuleRef>,
  ): Promise<ModuleRef[]> => {
    const refs: ModuleRef[] = []
    for (const m of modules) {
      if (!isContent(m)) {
        refs.push(m)
        continue
      }
      const hash = sha256Hex(m.content)
      await q.run(sql.insertBlob, [hash, asBuffer(m.content)])
      refs.push({ name: m.name, type: m.type, hash, size: m.content.byteLength })
    }
    return refs
  }

  return {
    async publish({ scope, name, version, tags, settings, deploy, ifCurrent }) {
      const now = isoTime(clock.now())
      return db.tx(async (q) => {
        await q.run(sql.publishLock, [`${scope.accountId}/${nsKey(scope)}/${name}`])
        if (scope.namespaceId !== null && !(await q.one(sql.shareNamespace, [scope.namespaceId]))) {
          throw new Error(`dispatch namespace ${scope.namespaceId} was deleted while ${name} was published`)
        }
        const existing = await lockScript(q, scope, name)
        if (ifCurrent !== undefined && (existing?.current_version_id ?? null) !== ifCurrent) {
          throw new StaleScriptVersion(name)
        }
        const scriptId = existing?.id ?? uuid()
        const refs = await storeModules(q, version.modules)
        const versionId = uuid() as VersionId
        const number = existing ? (await q.one<{ n: number }>(sql.nextNumber, [scriptId]))!.n : 1
        const etag = versionEtag({ ...version, modules: refs })
        if (!existing) {
          await q.run(sql.insertScript, [
            scriptId, scope.accountId, nsKey(scope), name, versionId, now,
            toJson({ ...defaultSettings(), ...settings }),
          ])
        }
        await q.run(sql.insertVersion, [
          versionId, scriptId, number, now, version.format, version.mainModule, toJson(refs),
          version.compatibilityDate, toJson(version.compatibilityFlags), toJson(version.bindings), etag,
          toJson(version.annotations ?? {}), version.source ?? 'api', toJson(version.handlers ?? ['fetch']),
          version.assets ? toJson(version.assets) : null,
        ])
        if (existing && deploy !== false) await q.run(sql.setCurrent, [versionId, now, scriptId])
        if (!existing || deploy !== false) {
          await recordDeployment(q, scriptId, [{ versionId, percentage: 100 }], {
            source: version.source ?? 'api',
            annotations: {},
          })
        }
        if (existing && settings) {
          const merged = { ...defaultSettings(), ...existing.settings, ...settings }
          await q.run(sql.setSettings, [toJson(merged), now, scriptId])
        }
        if (tags) await replaceTags(q, scriptId, tags)
        const script = await mustGetById(q, scriptId)
        const stored = toVersion((await q.one<VersionRow>(sql.version, [versionId]))!)
        return { script, version: stored, created: !existing }
      })
    },
    async get(scope, name) {
      const r = await db.one<ScriptRow>(sql.get, [scope.accountId, nsKey(scope), name])
      return r && toScript(r)
    },
    async getById(id) {
      const r = await db.one<ScriptRow>(sql.byId, [id])
      return r && toScript(r)
    },
    async version(id) {
      const r = await db.one<VersionRow>(sql.version, [id])
      return r && toVersion(r)
    },
    async versions(scriptId) {
      return (await db.rows<VersionRow>(sql.versions, [scriptId])).map(toVersion)
    },
    async moduleContent(hash) {
      const r = await db.one<{ content: Buffer }>(sql.blob, [hash])
      return r && new Uint8Array(r.content.buffer, r.content.byteOffset, r.content.byteLength)
    },
    async list(scope, { filter, cursor, limit }) {
      const after = cursor ? decodeCursor(cursor) : ''
      const rows = await db.rows<ScriptRow>(sql.list, [
        scope.accountId, nsKey(scope), after, ...filterParams(filter), limit + 1,
      ])
      const page = rows.slice(0, limit)
      const next = rows.length > limit ? encodeCursor(page[page.length - 1]!.name) : ''
      return { scripts: page.map(toScript), cursor: next }
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
        const victims = rows.slice(0, limit)
        await q.run(sql.deleteScripts, [victims.map((v) => v.id)])
        await q.run(sql.deleteAssetFiles, [scope.accountId, victims.map((v) => assetScope(scope.namespaceId, v.name))])
        await q.run(sql.deleteAssetSessions, [scope.accountId, nsKey(scope), victims.map((v) => v.name)])
        return {
          deleted: victims.map((v) => ({ id: v.id as ScriptId, name: v.name })),
          hasMore: rows.length > limit,
        }
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
        const outcome: AddTagOutcome =
          r.tags.includes(tag) ? 'present' : r.tags.length >= maxTags ? 'full' : 'added'
        if (outcome !== 'added') return { script: toScript(r), outcome }
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
        const merged = { ...defaultSettings(), ...r.settings, ...settings }
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
      return db.tx(async (q) => {
        const main = [...versions].sort((a, b) => b.percentage - a.percentage)[0]
        if (main) await q.run(sql.setCurrent, [main.versionId, isoTime(clock.now()), scriptId])
        return recordDeployment(q, scriptId, versions, meta)
      })
    },
    async deployments(scriptId) {
      return (await db.rows<DeploymentRow>(sql.deployments, [scriptId])).map(toDeployment)
    },
    async activeDeployment(scriptId) {
      const [r] = await db.rows<DeploymentRow>(sql.activeDeployment, [scriptId])
      return r && toDeployment(r)
    },
  }
}
