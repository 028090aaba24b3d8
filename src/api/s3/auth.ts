import type { AccountId } from '../../domain/ids.js'
import { policiesAllow, requestIpAllowed } from '../../domain/token-policy.js'
import { S3Failure } from '../../r2/s3/errors.js'
import { amzDateMs, parseSignature, signatureMatches } from '../../r2/s3/sigv4.js'
import type { Store } from '../../storage/store.js'
import { tokenState } from '../auth.js'

/** How far a header-signed request's time may be from ours (S3's 15 minutes). */
const MAX_SKEW_MS = 15 * 60 * 1000
/** A presigned URL lives at most 7 days, as S3's. */
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600

/**
 * Checks a request to the S3 endpoint of `accountId` as R2 does: SigV4 in the Authorization header
 * or a presigned query, the access key id an API token's id of that account and the secret access
 * key the SHA-256 hex of the token's value (the digest the store keeps). The token must be active,
 * allowed from this address, and grant R2 read (reads) or write (everything else).
 */
export async function authenticateS3(
  deps: { store: Pick<Store, 'accounts'>; clock: { now(): number } },
  accountId: AccountId,
  request: Request,
  url: URL,
  address: string | undefined,
): Promise<void> {
  const signed = parseSignature(request.method, url, request.headers)
  if ('problem' in signed) {
    if (signed.problem === 'missing') throw new S3Failure(403, 'AccessDenied', 'Access Denied')
    throw new S3Failure(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed.')
  }
  const found = await deps.store.accounts.tokenWithHash(accountId, signed.accessKeyId)
  const now = deps.clock.now()
  if (!found || tokenState(found.token, now) !== 'active')
    throw new S3Failure(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.')
  if (!signatureMatches(request.method, url, request.headers, signed, found.tokenHash))
    throw new S3Failure(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your secret access key and signing method.')
  const signedAt = amzDateMs(signed.amzDate)
  if (signed.presigned) {
    if (signed.expires! < 1 || signed.expires! > MAX_PRESIGNED_SECONDS)
      throw new S3Failure(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be between 1 and 604800 seconds.')
    if (now > signedAt + signed.expires! * 1000) throw new S3Failure(403, 'AccessDenied', 'Request has expired')
  } else if (Math.abs(now - signedAt) > MAX_SKEW_MS) {
    throw new S3Failure(403, 'RequestTimeTooSkewed', 'The difference between the request time and the server\'s time is too large.')
  }
  const token = found.token
  if (!requestIpAllowed(token.condition, address)) throw new S3Failure(403, 'AccessDenied', 'Access Denied')
  const reading = request.method === 'GET' || request.method === 'HEAD'
  if (token.policies !== null) {
    const needs = reading ? (['r2.read', 'r2.write'] as const) : (['r2.write'] as const)
    if (!needs.some((p) => policiesAllow(token.policies!, p, { accountId }))) throw new S3Failure(403, 'AccessDenied', 'Access Denied')
  }
}
