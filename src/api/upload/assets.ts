import { assetConfigOf } from '../../assets/config.js'
import { hashSizes } from '../../assets/manifest.js'
import { readAssetToken } from '../../assets/tokens.js'
import type { AccountId, NamespaceId } from '../../domain/ids.js'
import { assetScope, type ScriptVersion, type Store, type VersionAssets } from '../../storage/store.js'
import { scriptValidation } from '../../domain/errors.js'
import type { UploadMetadata } from './metadata.js'

/**
 * The static assets a new version serves: those of the completion token in `metadata.assets` (its
 * session must belong to this script and every file of its manifest must have been uploaded), the
 * previous version's with `keep_assets`, or none.
 */
export async function resolveAssets(input: {
  metadata: Pick<UploadMetadata, 'assets' | 'keep_assets'>
  previous: ScriptVersion | undefined
  scope: { accountId: AccountId; namespaceId: NamespaceId | null; script: string }
  store: Pick<Store, 'assets'>
  now: number
}): Promise<VersionAssets | null> {
  const { metadata, scope, store } = input
  if (!metadata.assets) return metadata.keep_assets ? (input.previous?.assets ?? null) : null
  const claims = readAssetToken(metadata.assets.jwt)
  const session = claims && (await store.assets.session(claims.sid))
  if (!session || session.expiresAt <= input.now)
    throw scriptValidation('metadata.assets.jwt is not a valid assets upload token (expired or unknown): start a new assets-upload-session')
  if (session.accountId !== scope.accountId || session.namespaceId !== scope.namespaceId || session.script !== scope.script)
    throw scriptValidation(`metadata.assets.jwt belongs to an upload session of another script than '${scope.script}'`)
  const hashes = [...hashSizes(session.manifest).keys()]
  const missing = await store.assets.missing(scope.accountId, assetScope(scope.namespaceId, scope.script), hashes)
  if (missing.size > 0)
    throw scriptValidation(`${missing.size} asset file(s) of the upload session were never uploaded (e.g. ${[...missing][0]})`)
  const config = assetConfigOf(metadata.assets.config ?? {})
  if ('problem' in config) throw scriptValidation(`metadata.assets.config: ${config.problem}`)
  return { manifest: session.manifest, config: { ...config } }
}
