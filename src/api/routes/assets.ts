import { Hono } from 'hono'
import { randomBytes } from 'node:crypto'
import { ASSET_LIMITS, AssetManifestSchema, bucketsOf, hashSizes } from '../../assets/manifest.js'
import { issueAssetToken } from '../../assets/tokens.js'
import type { AssetFile, AssetSession } from '../../storage/store.js'
import type { ApiContext, ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { authenticationError, invalidInput, malformedBody } from '../errors.js'
import { namespaceScriptLocator, scriptParam, type ScriptLocator } from '../scripts/locator.js'
import { describeZodError } from '../upload/metadata.js'
import { readMultipart } from '../upload/multipart.js'
import { accountScriptLocator } from './account-scripts.js'

/** Upload tokens live an hour, as Cloudflare's do. */
const SESSION_MS = 3600_000
/** Room for base64 (4/3) and multipart framing on top of a bucket's bytes. */
const UPLOAD_BODY_LIMIT = 80 * 1024 * 1024

/**
 * Static assets, Cloudflare's three-step flow: an upload session announces a manifest and learns
 * which files are missing (`buckets`), each bucket is uploaded with the session's JWT, and the
 * completion JWT goes into the script upload's `metadata.assets`.
 */
export function assetRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  for (const locator of [namespaceScriptLocator(deps), accountScriptLocator()]) {
    app.post(`${locator.collection}/:script/assets-upload-session`, (c) => createSession(deps, c, locator))
  }

  // Authenticated by the session's upload JWT (see authenticate), which names the session.
  app.post('/accounts/:accountId/workers/assets/upload', async (c) => {
    const auth = c.get('auth')
    if (auth.kind !== 'asset-upload') throw authenticationError()
    const session = auth.session
    const base64 = c.req.query('base64') === 'true'
    const form = await readMultipart(c.req.raw, UPLOAD_BODY_LIMIT, UPLOAD_BODY_LIMIT)
    const sizes = hashSizes(session.manifest)
    const files: AssetFile[] = []
    for (const [hash, value] of form.entries()) {
      if (!sizes.has(hash)) throw invalidInput(`'${hash}' is not a file of this upload session's manifest`)
      const raw = typeof value === 'string' ? Buffer.from(value) : Buffer.from(await value.arrayBuffer())
      const content = base64 ? Buffer.from(raw.toString('latin1'), 'base64') : raw
      if (content.byteLength > ASSET_LIMITS.maxFileBytes)
        throw invalidInput(`'${hash}' is larger than ${ASSET_LIMITS.maxFileBytes} bytes`)
      const type = typeof value === 'string' ? '' : value.type
      files.push({ hash, contentType: type === '' || type === 'application/null' ? null : type, content })
    }
    await deps.store.assets.put(session.accountId, files)
    const missing = await deps.store.assets.missing(session.accountId, [...sizes.keys()])
    if (missing.size > 0) return c.json(ok({}), 202)
    return c.json(ok({ jwt: completionToken(session) }), 201)
  })
  return app
}

async function createSession(deps: ApiDeps, c: ApiContext, locator: ScriptLocator): Promise<Response> {
  const where = await locator.scope(c)
  const name = scriptParam(c)
  const problem = locator.nameProblem(name)
  if (problem) throw invalidInput(problem)
  let body: unknown
  try {
    body = await c.req.json()
  } catch {
    throw malformedBody('expected a JSON body with a manifest')
  }
  const parsed = AssetManifestSchema.safeParse((body as { manifest?: unknown } | null)?.manifest)
  if (!parsed.success) throw invalidInput(describeZodError(parsed.error, 'manifest'))
  const manifest = parsed.data
  const session: AssetSession = {
    id: randomBytes(16).toString('hex'),
    accountId: where.accountId,
    namespaceId: where.namespaceId,
    script: name,
    manifest,
    expiresAt: deps.clock.now() + SESSION_MS,
  }
  await deps.store.assets.createSession(session)
  const sizes = hashSizes(manifest)
  const missing = await deps.store.assets.missing(where.accountId, [...sizes.keys()])
  const buckets = bucketsOf(new Map([...sizes].filter(([hash]) => missing.has(hash))))
  // Nothing to upload: the token is already the completion token.
  const jwt =
    buckets.length === 0 ? completionToken(session) : issueAssetToken({ sid: session.id, kind: 'upload', exp: seconds(session.expiresAt) })
  return c.json(ok({ jwt, buckets }))
}

const seconds = (ms: number): number => Math.floor(ms / 1000)

const completionToken = (session: AssetSession): string =>
  issueAssetToken({ sid: session.id, kind: 'completion', exp: seconds(session.expiresAt) })
