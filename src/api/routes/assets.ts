import { Hono } from 'hono'
import { randomBytes } from 'node:crypto'
import { AssetManifestSchema, bucketsOf, hashSizes } from '../../assets/manifest.js'
import { issueAssetToken } from '../../assets/tokens.js'
import { assetScope, type AssetFile, type AssetSession } from '../../storage/store.js'
import type { ApiContext, ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { ApiError, authenticationError, bodyTooLarge, invalidInput, malformedBody } from '../../domain/errors.js'
import { namespaceScriptLocator, scriptParam, type ScriptLocator } from '../scripts/locator.js'
import { describeZodError } from '../upload/metadata.js'
import { readMultipart } from '../upload/multipart.js'
import { readBodyLimited } from '../upload/read-body.js'
import { accountScriptLocator } from './account-scripts.js'

/** Upload tokens live an hour, as Cloudflare's do. */
const SESSION_MS = 3600_000
/** Room for base64 (4/3) and multipart framing on top of a bucket's bytes. */
const UPLOAD_BODY_LIMIT = 80 * 1024 * 1024
/** 100,000 files with long paths. */
const MANIFEST_BODY_LIMIT = 32 * 1024 * 1024
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/

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
    const scope = assetScope(session.namespaceId, session.script)
    const base64 = c.req.query('base64') === 'true'
    const form = await readMultipart(c.req.raw, UPLOAD_BODY_LIMIT, UPLOAD_BODY_LIMIT, bodyTooLarge)
    const sizes = hashSizes(session.manifest)
    const files: AssetFile[] = []
    for (const [hash, value] of form.entries()) {
      const size = sizes.get(hash)
      if (size === undefined) throw invalidInput(`'${hash}' is not a file of this upload session's manifest`)
      const raw = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer()).toString('latin1')
      if (base64 && !BASE64.test(raw)) throw invalidInput(`'${hash}' is not valid base64`)
      const content = base64 ? Buffer.from(raw, 'base64') : Buffer.from(raw, typeof value === 'string' ? 'utf8' : 'latin1')
      // The manifest announced the size: a file that differs is not the file the hash names.
      if (content.byteLength !== size) throw invalidInput(`'${hash}' has ${content.byteLength} bytes, but the manifest says ${size}`)
      const type = typeof value === 'string' ? '' : value.type
      files.push({ hash, contentType: type === '' || type === 'application/null' ? null : type, content })
    }
    await deps.store.assets.put(session.accountId, scope, files)
    const missing = await deps.store.assets.missing(session.accountId, scope, [...sizes.keys()])
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
    const bytes = await readBodyLimited(c.req.raw, MANIFEST_BODY_LIMIT, MANIFEST_BODY_LIMIT, bodyTooLarge)
    body = JSON.parse(new TextDecoder().decode(bytes))
  } catch (e) {
    if (e instanceof ApiError) throw e
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
  const missing = await deps.store.assets.missing(where.accountId, assetScope(where.namespaceId, name), [...sizes.keys()])
  const buckets = bucketsOf(new Map([...sizes].filter(([hash]) => missing.has(hash))))
  // Nothing to upload: the token is already the completion token.
  const jwt =
    buckets.length === 0 ? completionToken(session) : issueAssetToken({ sid: session.id, kind: 'upload', exp: seconds(session.expiresAt) })
  return c.json(ok({ jwt, buckets }))
}

const seconds = (ms: number): number => Math.floor(ms / 1000)

const completionToken = (session: AssetSession): string =>
  issueAssetToken({ sid: session.id, kind: 'completion', exp: seconds(session.expiresAt) })
