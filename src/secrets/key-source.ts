import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../config/config.js'
import { newSecretsKey, parseSecretsKey, type Keyring, type SecretsKey } from './sealer.js'

/**
 * Where the key sealing secrets comes from: the operator (WORKERHIVE_SECRETS_KEY, or a file named by
 * --secrets-key-file / WORKERHIVE_SECRETS_KEY_FILE), else, for SQLite only, `secrets.key` in the
 * data dir, made on first start. PostgreSQL nodes share one store, so they must share one key, and a
 * key kept in the store beside the values it seals would protect nothing: the operator supplies it.
 */

export type KeyConfig = Pick<Config, 'dataDir' | 'storage' | 'secretsKey' | 'secretsKeyFile'>

/** A key problem, said as what happened and how to fix it. */
export class SecretsKeyError extends Error {}

export const dataDirKeyFile = (dataDir: string): string => join(dataDir, 'secrets.key')
/** The next key while `secrets rotate-key` runs; a start that finds it finishes the rotation. */
export const pendingKeyFile = (dataDir: string): string => join(dataDir, 'secrets.key.next')

export interface KeySource {
  keyring: Keyring
  /** Set while a rotation of the data dir's key is unfinished: the key to finish it with. */
  pending?: SecretsKey
  /** Whether the data dir holds the key (rotation may replace it) or the operator supplies it. */
  heldByDataDir: boolean
}

export function loadKeySource(config: KeyConfig): KeySource {
  const operatorKey = operatorSuppliedKey(config)
  if (operatorKey) return { keyring: { current: operatorKey, previous: [] }, heldByDataDir: false }
  if (config.storage === 'postgres')
    throw new SecretsKeyError(
      'with --storage postgres every node must seal secrets with the same key: set WORKERHIVE_SECRETS_KEY ' +
        '(64 hex characters; `openssl rand -hex 32` makes one) or pass --secrets-key-file on every node',
    )
  const file = dataDirKeyFile(config.dataDir)
  const current = existsSync(file) ? readKeyFile(file) : writeKeyFile(file, newSecretsKey())
  const next = pendingKeyFile(config.dataDir)
  if (!existsSync(next)) return { keyring: { current, previous: [] }, heldByDataDir: true }
  const pending = readKeyFile(next)
  return { keyring: { current, previous: [pending] }, pending, heldByDataDir: true }
}

function operatorSuppliedKey(config: KeyConfig): SecretsKey | undefined {
  if (config.secretsKey !== undefined) {
    const key = parseSecretsKey(config.secretsKey)
    if (!key) throw new SecretsKeyError('WORKERHIVE_SECRETS_KEY must be 64 hex characters or the base64 of 32 bytes')
    return key
  }
  if (config.secretsKeyFile !== undefined) return readKeyFile(config.secretsKeyFile)
  return undefined
}

export function readKeyFile(file: string): SecretsKey {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new SecretsKeyError(`cannot read the secrets key ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  const key = parseSecretsKey(text)
  if (!key) throw new SecretsKeyError(`${file} does not hold a secrets key (64 hex characters or the base64 of 32 bytes)`)
  return key
}

/** Writes a key file (0600) durably: to a scratch file, fsynced, renamed into place. */
export function writeKeyFile(file: string, key: SecretsKey): SecretsKey {
  const scratch = `${file}.tmp`
  const fd = openSync(scratch, 'w', 0o600)
  try {
    writeSync(fd, key.bytes.toString('hex') + '\n')
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(scratch, file)
  return key
}
