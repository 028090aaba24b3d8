import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

/**
 * AES-256-GCM sealing of secret values at rest. A sealed value names the key it was sealed with
 * (a short hash of the key, never the key), so a rotation interrupted half-way and a store opened
 * with the wrong key are both told apart from corruption.
 */

const PREFIX = 'wh1'
const IV_BYTES = 12
const TAG_BYTES = 16
// Binds every ciphertext to its purpose, so a value sealed by another program with the same key
// does not open here.
const AAD = Buffer.from('workerhive secret binding v1')

export interface SecretsKey {
  /** 8 hex characters of sha256(key): safe to print and to store next to the ciphertext. */
  readonly id: string
  readonly bytes: Buffer
}

/** The key new values are sealed with, and older keys that may still open stored ones. */
export interface Keyring {
  readonly current: SecretsKey
  readonly previous: readonly SecretsKey[]
}

export class UnknownSecretsKeyError extends Error {
  constructor(readonly keyId: string) {
    super(`a secret was sealed with key ${keyId}, which is not the configured key`)
  }
}

export const KEY_BYTES = 32

export function secretsKey(bytes: Buffer): SecretsKey {
  if (bytes.length !== KEY_BYTES) throw new Error(`a secrets key is ${KEY_BYTES} bytes, not ${bytes.length}`)
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 8), bytes }
}

export const newSecretsKey = (): SecretsKey => secretsKey(randomBytes(KEY_BYTES))

/** A key as an operator writes it: 64 hex characters or the base64 of 32 bytes. */
export function parseSecretsKey(text: string): SecretsKey | undefined {
  const t = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(t)) return secretsKey(Buffer.from(t, 'hex'))
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) return undefined
  const bytes = Buffer.from(t, 'base64')
  return bytes.length === KEY_BYTES ? secretsKey(bytes) : undefined
}

export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(`${PREFIX}:`)

export function seal(key: SecretsKey, plaintext: string): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key.bytes, iv)
  cipher.setAAD(AAD)
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return `${PREFIX}:${key.id}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')}`
}

/** The id of the key a sealed value needs. */
export const sealedKeyId = (sealed: string): string => sealed.split(':')[1] ?? ''

export function open(keyring: Keyring, sealed: string): string {
  const [prefix, keyId = '', payload = ''] = sealed.split(':')
  if (prefix !== PREFIX) throw new Error('not a sealed secret')
  const key = [keyring.current, ...keyring.previous].find((k) => k.id === keyId)
  if (!key) throw new UnknownSecretsKeyError(keyId)
  const raw = Buffer.from(payload, 'base64')
  const decipher = createDecipheriv('aes-256-gcm', key.bytes, raw.subarray(0, IV_BYTES))
  decipher.setAAD(AAD)
  decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES))
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8')
}
