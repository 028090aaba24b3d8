import { randomBytes } from 'node:crypto'

/**
 * Asset upload tokens. wrangler decodes the payload of what it is given (it reads `exp`), so they
 * are JWT-shaped; their authority is the session they name, looked up in the store, so no node needs
 * a signing key. The session id is 128 random bits.
 */
export type AssetTokenKind = 'upload' | 'completion'

export interface AssetTokenClaims {
  sid: string
  kind: AssetTokenKind
  /** Unix seconds. */
  exp: number
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

export function issueAssetToken(claims: AssetTokenClaims): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.${randomBytes(16).toString('base64url')}`
}

/** The claims of a token we issued, or undefined for anything else. */
export function readAssetToken(token: string): AssetTokenClaims | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  try {
    const claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as Partial<AssetTokenClaims>
    if (typeof claims.sid !== 'string' || typeof claims.exp !== 'number') return undefined
    if (claims.kind !== 'upload' && claims.kind !== 'completion') return undefined
    return { sid: claims.sid, kind: claims.kind, exp: claims.exp }
  } catch {
    return undefined
  }
}
