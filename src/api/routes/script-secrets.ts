import { Hono } from 'hono'
import { bindingsProblem, envVarProblem, parseBindings, publicBinding } from '../../bindings/index.js'
import { SURVIVING_BINDING_TYPES } from '../../domain/bindings-merge.js'
import type { StoredBinding } from '../../storage/store.js'
import { readJsonObject } from '../body.js'
import type { ApiContext, ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { scriptValidation, secretNotFound } from '../../domain/errors.js'
import { notifyEdge, requireLatestFullyDeployed, withFreshScript } from '../scripts/change.js'
import { pruneVersions } from '../quotas.js'
import {
  loadScript,
  namespaceScriptLocator,
  scriptParam,
  type LocatedScope,
  type ScriptLocator,
} from '../scripts/locator.js'
import { nextVersion } from '../scripts/next-version.js'

const isSecret = (b: StoredBinding): boolean => SURVIVING_BINDING_TYPES.includes(b.type)

/** A secret binding from a request body: `{name, text, type: 'secret_text'}` or a `secret_key`. */
function secretFrom(raw: unknown): StoredBinding {
  const parsed = parseBindings([raw])
  if ('problem' in parsed) throw scriptValidation(parsed.problem)
  const secret = parsed.bindings[0]!
  if (!isSecret(secret))
    throw scriptValidation(
      `Secret '${secret.name}' must be of type secret_text or secret_key, not ${secret.type}`,
    )
  return secret
}

/** `url_encoded=true`: the client encoded the name itself (names with `/`), so it is decoded once more. */
function secretName(c: ApiContext): string {
  const raw = c.req.param('name') ?? ''
  if (c.req.query('url_encoded') !== 'true') return raw
  try {
    return decodeURIComponent(raw)
  } catch {
    throw scriptValidation(`Secret name '${raw}' is not valid URL encoding`)
  }
}

/**
 * `.../scripts/:script/secrets[/:name]` and `.../secrets-bulk`. Every change is a new version with
 * the same code; values are stored in that version's bindings and never leave it through the API.
 */
export function scriptSecretRoutes(deps: ApiDeps, locator: ScriptLocator): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const secrets = `${locator.collection}/:script/secrets`

  /** Publishes the current version with its bindings changed by `edit`; the edge learns of it first. */
  const changeBindings = async (
    where: LocatedScope,
    name: string,
    edit: (bindings: StoredBinding[]) => StoredBinding[],
  ): Promise<StoredBinding[]> => {
    const { script: owner, version } = await withFreshScript(name, async () => {
      const { script, version: current } = await loadScript(deps.store, locator, where, name)
      await requireLatestFullyDeployed(deps.store, script)
      const bindings = edit(current.bindings)
      const problem = envVarProblem(bindings, current.bindings)
      if (problem) throw scriptValidation(problem)
      // A new secret_key must import, as at upload: the Worker's isolate imports it when it starts.
      const added = bindings.filter((b) => !current.bindings.includes(b))
      const kindProblem = await bindingsProblem(added, { accountId: where.accountId, store: deps.store, parts: new Set() })
      if (kindProblem) throw scriptValidation(kindProblem)
      return deps.store.scripts.publish({
        scope: where,
        name,
        // As on Cloudflare, so `wrangler versions list` shows the version as a "Secret Change".
        version: nextVersion(current, {
          bindings,
          annotations: { 'workers/triggered_by': 'secret' },
        }),
        ifCurrent: current.id,
      })
    })
    await pruneVersions(deps, owner.id)
    await notifyEdge(deps, where, name)
    return version.bindings
  }

  app.put(secrets, async (c) => {
    const where = await locator.scope(c)
    const secret = secretFrom(await readJsonObject(c))
    await changeBindings(where, scriptParam(c), (bindings) => upsert(bindings, secret))
    return c.json(ok(publicBinding(secret)))
  })

  app.get(secrets, async (c) => {
    const where = await locator.scope(c)
    const { version } = await loadScript(deps.store, locator, where, scriptParam(c))
    return c.json(ok(version.bindings.filter(isSecret).map(publicBinding)))
  })

  app.get(`${secrets}/:name`, async (c) => {
    const where = await locator.scope(c)
    const { version } = await loadScript(deps.store, locator, where, scriptParam(c))
    const name = secretName(c)
    const secret = version.bindings.find((b) => isSecret(b) && b.name === name)
    if (!secret) throw secretNotFound(name)
    return c.json(ok(publicBinding(secret)))
  })

  app.delete(`${secrets}/:name`, async (c) => {
    const where = await locator.scope(c)
    const script = scriptParam(c)
    const name = secretName(c)
    await changeBindings(where, script, (bindings) => {
      if (!bindings.some((b) => isSecret(b) && b.name === name)) throw secretNotFound(name)
      return bindings.filter((b) => b.name !== name)
    })
    return c.json(ok(null))
  })

  // JSON Merge Patch over the secrets: an object sets that secret, null removes it, absent keeps it.
  app.patch(`${locator.collection}/:script/secrets-bulk`, async (c) => {
    const where = await locator.scope(c)
    const body = await readJsonObject(c)
    const patch = body.secrets
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
      throw scriptValidation("secrets-bulk needs 'secrets': an object of name → secret, or null to delete")
    const upserts: StoredBinding[] = []
    const removals: string[] = []
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) {
        removals.push(key)
        continue
      }
      if (typeof value !== 'object' || Array.isArray(value))
        throw scriptValidation(`secret '${key}' must be an object or null`)
      const secret = secretFrom({ type: 'secret_text', name: key, ...value })
      if (secret.name !== key)
        throw scriptValidation(`secret '${key}' has a different name inside: '${secret.name}'`)
      upserts.push(secret)
    }
    const bindings = await changeBindings(where, scriptParam(c), (current) =>
      upserts.reduce(upsert, current.filter((b) => !(isSecret(b) && removals.includes(b.name)))),
    )
    return c.json(ok(Object.fromEntries(bindings.filter(isSecret).map((b) => [b.name, publicBinding(b)]))))
  })

  return app
}

/** Replaces the binding of the same name in place, or appends it. */
function upsert(bindings: StoredBinding[], binding: StoredBinding): StoredBinding[] {
  const at = bindings.findIndex((b) => b.name === binding.name)
  return at === -1 ? [...bindings, binding] : bindings.map((b, i) => (i === at ? binding : b))
}

export const namespaceScriptSecretRoutes = (deps: ApiDeps): Hono<ApiEnv> =>
  scriptSecretRoutes(deps, namespaceScriptLocator(deps))
