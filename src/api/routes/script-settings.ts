import { Hono } from 'hono'
import { futureCompatibilityDate } from '../../domain/compatibility-date.js'
import { z } from 'zod'
import { parseBindings, publicBinding } from '../../bindings/index.js'
import { readJson } from '../body.js'
import type { ApiContext, ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { malformedBody, scriptValidation } from '../../domain/errors.js'
import { notifyEdge, withFreshScript } from '../scripts/change.js'
import { pruneVersions } from '../quotas.js'
import { loadScript, namespaceScriptLocator, scriptParam, type ScriptLocator } from '../scripts/locator.js'
import { nextVersion } from '../scripts/next-version.js'
import { settingsView } from '../scripts/views.js'
import { resolveBindings } from '../upload/bindings.js'
import { CompatibilityDate, describeZodError, ScriptSettingsFields } from '../upload/metadata.js'
import { mediaType } from '../upload/module-types.js'
import { metadataTags, settingsFromMetadata } from '../upload/prepare.js'
import { partText, readMultipart } from '../upload/multipart.js'

/** A settings change: any subset of the settings fields; unknown fields are ignored like in uploads. */
const SettingsPatchSchema = z.looseObject({
  bindings: z.array(z.unknown()).optional(),
  compatibility_date: CompatibilityDate.optional(),
  ...ScriptSettingsFields,
})

/** `.../scripts/:script/settings` and `.../scripts/:script/bindings`. */
export function scriptSettingsRoutes(deps: ApiDeps, locator: ScriptLocator): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const script = `${locator.collection}/:script`

  app.get(`${script}/settings`, async (c) => {
    const where = await locator.scope(c)
    const current = await loadScript(deps.store, locator, where, scriptParam(c))
    return c.json(ok(settingsView(current.script, current.version)))
  })

  app.get(`${script}/bindings`, async (c) => {
    const where = await locator.scope(c)
    const { version } = await loadScript(deps.store, locator, where, scriptParam(c))
    return c.json(ok(version.bindings.map(publicBinding)))
  })

  // Bindings and compatibility changes make a new version of the same code; the other fields are
  // script settings. Everything is checked before anything is written.
  app.patch(`${script}/settings`, async (c) => {
    const where = await locator.scope(c)
    const name = scriptParam(c)
    const parsed = SettingsPatchSchema.safeParse(await readSettings(c, deps.config.maxScriptBytes))
    if (!parsed.success) throw scriptValidation(describeZodError(parsed.error, 'settings'))
    const patch = parsed.data
    const tags = metadataTags(patch)
    const settings = settingsFromMetadata(patch)
    const bindings = patch.bindings === undefined ? undefined : parseBindings(patch.bindings)
    if (bindings && 'problem' in bindings) throw scriptValidation(bindings.problem)
    const future = patch.compatibility_date && futureCompatibilityDate(patch.compatibility_date, deps.clock.now())
    if (future) throw scriptValidation(future)
    const newVersion =
      bindings !== undefined ||
      patch.compatibility_date !== undefined ||
      patch.compatibility_flags !== undefined

    const result = await withFreshScript(name, async () => {
      const current = await loadScript(deps.store, locator, where, name)
      if (!newVersion) {
        if (Object.keys(settings).length > 0) await deps.store.scripts.updateSettings(where, name, settings)
        if (tags) await deps.store.scripts.setTags(where, name, tags)
        return loadScript(deps.store, locator, where, name)
      }
      const merged = bindings
        ? await resolveBindings({
            uploaded: bindings.bindings,
            previous: current.version,
            keepTypes: patch.keep_bindings,
            strictInherit: c.req.query('bindings_inherit') === 'strict',
            ctx: {
              accountId: where.accountId,
              store: deps.store,
              parts: new Set(current.version.modules.map((m) => m.name)),
            },
            store: deps.store.scripts,
          })
        : current.version.bindings
      return deps.store.scripts.publish({
        scope: where,
        name,
        version: nextVersion(current.version, {
          bindings: merged,
          compatibilityDate: patch.compatibility_date ?? current.version.compatibilityDate,
          compatibilityFlags: patch.compatibility_flags ?? current.version.compatibilityFlags,
        }),
        tags,
        settings,
        ifCurrent: current.version.id,
      })
    })
    await pruneVersions(deps, result.script.id)
    await notifyEdge(deps, where, name)
    return c.json(ok(settingsView(result.script, result.version)))
  })

  return app
}

/**
 * Cloudflare takes settings as multipart with one part named `settings` holding JSON (what the SDK
 * sends); a plain JSON body is accepted too.
 */
async function readSettings(c: ApiContext, maxBytes: number): Promise<unknown> {
  const contentType = c.req.header('content-type') ?? ''
  if (mediaType(contentType) !== 'multipart/form-data') return readJson(c)
  const part = (await readMultipart(c.req.raw, maxBytes, maxBytes)).get('settings')
  if (part === null) throw malformedBody("the multipart body has no 'settings' part")
  try {
    return JSON.parse(await partText(part))
  } catch (e) {
    throw malformedBody(`the settings part is not valid JSON (${(e as Error).message})`)
  }
}

export const namespaceScriptSettingsRoutes = (deps: ApiDeps): Hono<ApiEnv> =>
  scriptSettingsRoutes(deps, namespaceScriptLocator(deps))
