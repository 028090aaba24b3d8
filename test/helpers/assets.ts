import { createHash } from 'node:crypto'
import { jsonBody, type TestPlatform } from './platform.js'

export interface AssetFileSpec {
  content: string | Uint8Array
  type?: string
}

/** A 32-hex content hash, as wrangler's (BLAKE3-based) ones look; the server treats it as opaque. */
export const assetHash = (content: string | Uint8Array, path: string): string =>
  createHash('sha256').update(content).update(path.split('.').pop() ?? '').digest('hex').slice(0, 32)

/**
 * Cloudflare's asset flow over raw HTTP, as wrangler performs it: an upload session on
 * `sessionPath` (…/scripts/:name/assets-upload-session), one base64 multipart upload per bucket
 * authenticated by the session's JWT; returns the completion JWT and what the session answered.
 */
export async function uploadAssets(
  t: TestPlatform,
  sessionPath: string,
  files: Record<string, AssetFileSpec>,
): Promise<{ jwt: string; buckets: string[][]; uploads: Array<{ status: number; body: any }> }> {
  const manifest: Record<string, { hash: string; size: number }> = {}
  const byHash = new Map<string, AssetFileSpec>()
  for (const [path, file] of Object.entries(files)) {
    const hash = assetHash(file.content, path)
    manifest[path] = { hash, size: Buffer.byteLength(file.content) }
    byHash.set(hash, file)
  }
  const session = await t.json(sessionPath, {
    method: 'POST',
    ...jsonBody({ manifest }),
  })
  if (session.status !== 200) throw new Error(`assets-upload-session: ${JSON.stringify(session.body)}`)
  const { jwt: uploadJwt, buckets } = session.body.result as { jwt: string; buckets: string[][] }
  let jwt = uploadJwt
  const uploads: Array<{ status: number; body: any }> = []
  for (const bucket of buckets) {
    const form = new FormData()
    for (const hash of bucket) {
      const file = byHash.get(hash)!
      form.append(hash, new File([Buffer.from(file.content).toString('base64')], hash, { type: file.type ?? 'application/null' }))
    }
    const res = await t.json(`/accounts/${t.accountId}/workers/assets/upload?base64=true`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${uploadJwt}` },
    })
    uploads.push(res)
    if (res.body?.result?.jwt) jwt = res.body.result.jwt
  }
  return { jwt, buckets, uploads }
}
