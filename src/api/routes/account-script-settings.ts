import { Hono } from 'hono'
import { z } from 'zod'
import type { Script } from '../../storage/store.js'
import { readJsonObject } from '../body.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { scriptValidation } from '../../domain/errors.js'
import { notifyEdge } from '../scripts/change.js'
import { loadScript, scriptParam } from '../scripts/locator.js'
import { describeZodError, ScriptSettingsFields } from '../upload/metadata.js'
import { metadataTags, settingsFromMetadata } from '../upload/prepare.js'
import { accountScope, accountScriptLocator } from './account-scripts.js'

/**
 * The settings that are not part of a version (Cloudflare's "script-settings"): what wrangler's
 * redeploy PATCHes after deploying a version. Unknown fields (`streaming_tail_consumers`, …) are
 * ignored, as in uploads.
 */
const ScriptSettingsPatch = z.looseObject({
  logpush: ScriptSettingsFields.logpush,
  observability: ScriptSettingsFields.observability,
  tags: ScriptSettingsFields.tags,
  tail_consumers: ScriptSettingsFields.tail_consumers,
})

const view = (s: Script) => ({
  logpush: s.settings.logpush,
  observability: s.settings.observability,
  tags: s.tags,
  tail_consumers: s.settings.tailConsumers,
})

/** `GET|PATCH /accounts/:a/workers/scripts/:script/script-settings` (JSON, unlike `/settings`). */
export function accountScriptNonVersionedSettingsRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const locator = accountScriptLocator()
  const path = `${locator.collection}/:script/script-settings`
  const where = accountScope

  app.get(path, async (c) => {
    const { script } = await loadScript(deps.store, locator, where(c), scriptParam(c))
    return c.json(ok(view(script)))
  })

  // Settings and tags are each one atomic store call; neither makes a new version.
  app.patch(path, async (c) => {
    const scope = where(c)
    const name = scriptParam(c)
    const parsed = ScriptSettingsPatch.safeParse(await readJsonObject(c))
    if (!parsed.success) throw scriptValidation(describeZodError(parsed.error, 'script-settings'))
    const tags = metadataTags(parsed.data)
    const settings = settingsFromMetadata(parsed.data)
    await loadScript(deps.store, locator, scope, name)
    if (Object.keys(settings).length > 0) await deps.store.scripts.updateSettings(scope, name, settings)
    if (tags) await deps.store.scripts.setTags(scope, name, tags)
    const { script } = await loadScript(deps.store, locator, scope, name)
    await notifyEdge(deps, scope, name)
    return c.json(ok(view(script)))
  })

  return app
}
