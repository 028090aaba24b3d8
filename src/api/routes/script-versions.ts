import { Hono } from 'hono'
import { publicBinding } from '../../bindings/index.js'
import type { VersionId } from '../../domain/ids.js'
import type { Account, Deployment, Script, ScriptVersion } from '../../storage/store.js'
import { intParam, readJsonObject } from '../body.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { deploymentNotFound, invalidInput, malformedBody, versionNotFound } from '../../domain/errors.js'
import { notifyEdge, withFreshScript } from '../scripts/change.js'
import { pruneVersions } from '../quotas.js'
import { loadScript, namespaceScriptLocator, scriptParam, type ScriptLocator } from '../scripts/locator.js'
import { parseScriptUpload } from '../upload/parse.js'
import { prepareUpload } from '../upload/prepare.js'
import { accountScriptLocator, changeSource } from './account-scripts.js'

/** Cloudflare keeps at most two versions in one deployment (a gradual rollout). */
const MAX_DEPLOYMENT_VERSIONS = 2

/** A version as `wrangler versions list`, `deployments list` and the versions upload read it. */
export function versionView(version: ScriptVersion, script: Script, account: Account) {
  return {
    id: version.id,
    number: version.number,
    metadata: {
      created_on: version.createdOn,
      modified_on: version.createdOn,
      source: version.source,
      author_id: account.id,
      author_email: account.email,
      hasPreview: false,
    },
    annotations: version.annotations,
    resources: {
      bindings: version.bindings.map(publicBinding),
      script: {
        etag: version.etag,
        handlers: version.handlers,
        last_deployed_from: version.source,
      },
      script_runtime: {
        compatibility_date: version.compatibilityDate,
        compatibility_flags: version.compatibilityFlags,
        usage_model: script.settings.usageModel,
        limits: script.settings.limits,
      },
    },
  }
}

export const deploymentView = (d: Deployment, account: Account) => ({
  id: d.id,
  created_on: d.createdOn,
  source: d.source,
  strategy: d.strategy,
  author_email: account.email,
  annotations: d.annotations,
  versions: d.versions.map((v) => ({ version_id: v.versionId, percentage: v.percentage })),
})

/**
 * Versions and deployments of a script: how `wrangler deploy` redeploys (upload a version, then
 * deploy it at 100 %), what `wrangler versions list` / `deployments list` read, and a gradual
 * deployment between two versions (`wrangler versions deploy`), which the edge splits by share.
 */
export function scriptVersionRoutes(deps: ApiDeps, locator: ScriptLocator): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const script = `${locator.collection}/:script`

  const ownVersion = async (owner: Script, id: string): Promise<ScriptVersion> => {
    const version = await deps.store.scripts.version(id as VersionId)
    if (!version || version.scriptId !== owner.id) throw versionNotFound(id)
    return version
  }

  // Stores a version without deploying it. `inherit` bindings resolve against the deployed version.
  app.post(`${script}/versions`, async (c) => {
    const scope = await locator.scope(c)
    const name = scriptParam(c)
    await loadScript(deps.store, locator, scope, name)
    const upload = await parseScriptUpload(c.req.raw, { maxBytes: deps.config.maxScriptBytes })
    const strictInherit = c.req.query('bindings_inherit') === 'strict'
    const source = changeSource(c)
    const { script: owner, version } = await withFreshScript(name, async () => {
      const { version: previous } = await loadScript(deps.store, locator, scope, name)
      const prepared = await prepareUpload({
        upload,
        accountId: scope.accountId,
        previous,
        strictInherit,
        scope: { namespaceId: scope.namespaceId, script: name },
        store: deps.store,
        now: deps.clock.now(),
        startup: deps.startup,
        refuseMigrations: true,
      })
      return deps.store.scripts.publish({
        scope,
        name,
        version: {
          ...prepared.version,
          source,
          annotations: { ...prepared.version.annotations, 'workers/triggered_by': 'version_upload' },
        },
        deploy: false,
        ifCurrent: previous.id,
      })
    })
    await pruneVersions(deps, owner.id)
    return c.json(ok({ ...versionView(version, owner, c.get('account')), startup_time_ms: upload.startupTimeMs }))
  })

  // Newest first, page-style inside `result.items` (the SDK pages until an empty `items`). Every
  // stored version can be deployed, so `deployable=true` filters nothing out.
  app.get(`${script}/versions`, async (c) => {
    const { script: owner } = await loadScript(deps.store, locator, await locator.scope(c), scriptParam(c))
    const all = await deps.store.scripts.versions(owner.id)
    const page = intParam(c.req.query('page'), 1, 1, 1e9)
    const perPage = intParam(c.req.query('per_page'), 50, 1, 100)
    const items = all.slice((page - 1) * perPage, page * perPage)
    const account = c.get('account')
    return c.json(
      ok(
        { items: items.map((v) => versionView(v, owner, account)) },
        {
          page,
          per_page: perPage,
          count: items.length,
          total_count: all.length,
          total_pages: Math.max(1, Math.ceil(all.length / perPage)),
        },
      ),
    )
  })

  app.get(`${script}/versions/:version`, async (c) => {
    const { script: owner } = await loadScript(deps.store, locator, await locator.scope(c), scriptParam(c))
    const version = await ownVersion(owner, c.req.param('version'))
    return c.json(ok(versionView(version, owner, c.get('account'))))
  })

  // Newest first. A missing script is 10007, which wrangler's first deploy expects.
  app.get(`${script}/deployments`, async (c) => {
    const { script: owner } = await loadScript(deps.store, locator, await locator.scope(c), scriptParam(c))
    const account = c.get('account')
    const deployments = await deps.store.scripts.deployments(owner.id)
    return c.json(ok({ deployments: deployments.map((d) => deploymentView(d, account)) }))
  })

  app.get(`${script}/deployments/:deployment`, async (c) => {
    const { script: owner } = await loadScript(deps.store, locator, await locator.scope(c), scriptParam(c))
    const found = (await deps.store.scripts.deployments(owner.id)).find((d) => d.id === c.req.param('deployment'))
    if (!found) throw deploymentNotFound(c.req.param('deployment'))
    return c.json(ok(deploymentView(found, c.get('account'))))
  })

  // Moves the Worker to the given versions: one at 100 %, or a gradual deployment of two that the
  // edge splits by their shares. A rollback is a deployment of an earlier version.
  app.post(`${script}/deployments`, async (c) => {
    const scope = await locator.scope(c)
    const name = scriptParam(c)
    const body = await readJsonObject(c)
    const { script: owner } = await loadScript(deps.store, locator, scope, name)
    const versions = await requestedVersions(body, (id) => ownVersion(owner, id))
    const deployment = await deps.store.scripts.deploy(owner.id, versions, {
      source: changeSource(c),
      annotations: { ...deploymentAnnotations(body.annotations), 'workers/triggered_by': 'deployment' },
    })
    await notifyEdge(deps, scope, name)
    return c.json(ok(deploymentView(deployment, c.get('account'))))
  })

  return app
}

export const accountScriptVersionRoutes = (deps: ApiDeps): Hono<ApiEnv> =>
  scriptVersionRoutes(deps, accountScriptLocator())

/**
 * Cloudflare's API has no versions or deployments for scripts in a dispatch namespace; these mirror
 * the account-script paths under the namespace's scripts, so a platform can list a customer's
 * versions and roll the customer back (or split traffic) without re-uploading.
 */
export const namespaceScriptVersionRoutes = (deps: ApiDeps): Hono<ApiEnv> =>
  scriptVersionRoutes(deps, namespaceScriptLocator(deps))

async function requestedVersions(
  body: Record<string, unknown>,
  ownVersion: (id: string) => Promise<ScriptVersion>,
): Promise<Array<{ versionId: VersionId; percentage: number }>> {
  if (body.strategy !== undefined && body.strategy !== 'percentage')
    throw invalidInput(`Unsupported deployment strategy '${String(body.strategy)}': only 'percentage' exists`)
  if (!Array.isArray(body.versions) || body.versions.length === 0)
    throw malformedBody("field 'versions' must be a non-empty array of {version_id, percentage}")
  if (body.versions.length > MAX_DEPLOYMENT_VERSIONS)
    throw invalidInput(`A deployment has at most ${MAX_DEPLOYMENT_VERSIONS} versions`)
  const versions: Array<{ versionId: VersionId; percentage: number }> = []
  for (const entry of body.versions as unknown[]) {
    const { version_id: id, percentage } = (entry ?? {}) as { version_id?: unknown; percentage?: unknown }
    if (typeof id !== 'string') throw malformedBody('each deployment version needs a version_id string')
    if (typeof percentage !== 'number' || !(percentage >= 0 && percentage <= 100))
      throw malformedBody(`version ${id}: percentage must be a number from 0 to 100`)
    if (versions.some((v) => v.versionId === id))
      throw invalidInput(`Version ${id} appears twice in the deployment`)
    versions.push({ versionId: (await ownVersion(id)).id, percentage })
  }
  const total = versions.reduce((sum, v) => sum + v.percentage, 0)
  if (Math.abs(total - 100) > 1e-9)
    throw invalidInput(`The percentages of a deployment must add up to 100 (got ${total})`)
  return versions
}

/** Deployment annotations: strings only (`workers/message`); wrangler sends the key with no value. */
function deploymentAnnotations(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {}
  if (typeof raw !== 'object' || Array.isArray(raw)) throw malformedBody("field 'annotations' must be an object")
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined || v === null) continue
    if (typeof v !== 'string') throw malformedBody(`annotation '${k}' must be a string`)
    if (k === 'workers/triggered_by') continue
    out[k] = v
  }
  return out
}
