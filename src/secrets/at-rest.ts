import { renameSync } from 'node:fs'
import type { Store } from '../storage/store.js'
import { dataDirKeyFile, pendingKeyFile, SecretsKeyError, writeKeyFile, type KeyConfig, type KeySource } from './key-source.js'
import { resealBindings, sealBinding } from './secret-bindings.js'
import { open, seal, UnknownSecretsKeyError, type Keyring, type SecretsKey } from './sealer.js'

/**
 * The store as the API sees it: secret bindings are sealed on their way in, so no entry point (an
 * upload, a secrets route, a settings patch) can store one in clear. Reads return them sealed; only
 * the runtime's descriptors open them (src/runtime/internal/descriptors.ts).
 */
export function withSealedSecrets(store: Store, keyring: Keyring): Store {
  const scripts = store.scripts
  const sealedScripts: Store['scripts'] = Object.create(scripts)
  sealedScripts.publish = (input) =>
    scripts.publish({ ...input, version: { ...input.version, bindings: input.version.bindings.map((b) => sealBinding(keyring, b)) } })
  return Object.assign(Object.create(store) as Store, { scripts: sealedScripts, close: () => store.close() })
}

/**
 * Brings every stored secret under the current key, in one transaction, at start: plaintext ones
 * from before encryption at rest are sealed, and a rotation a crash interrupted is finished. Returns
 * the keyring to run with.
 */
export async function sealStoredSecrets(store: Store, source: KeySource, config: KeyConfig): Promise<Keyring> {
  if (!source.pending) {
    await reseal(store, source.keyring)
    return source.keyring
  }
  const keyring = { current: source.pending, previous: [source.keyring.current] }
  await reseal(store, keyring)
  renameSync(pendingKeyFile(config.dataDir), dataDirKeyFile(config.dataDir))
  return { current: source.pending, previous: [] }
}

/**
 * `workerhive secrets rotate-key`: every stored secret re-sealed with `next` in one transaction. A
 * data dir's own key file is replaced only after the commit (the next key waits beside it, so a crash
 * in between is finished by the next start); an operator's key is theirs to replace afterwards.
 */
export async function rotateSecretsKey(store: Store, source: KeySource, config: KeyConfig, next: SecretsKey): Promise<number> {
  if (source.heldByDataDir) {
    writeKeyFile(pendingKeyFile(config.dataDir), next)
    const changed = await reseal(store, { current: next, previous: [source.keyring.current, ...source.keyring.previous] })
    renameSync(pendingKeyFile(config.dataDir), dataDirKeyFile(config.dataDir))
    return changed
  }
  return reseal(store, { current: next, previous: [source.keyring.current] })
}

async function reseal(store: Store, keyring: Keyring): Promise<number> {
  try {
    const versions = await store.scripts.rewriteBindings((b) => resealBindings(keyring, b))
    // The edge's certificate and ACME account keys are sealed with the same key (src/runtime/https/).
    await store.tls.rewriteSealedKeys((sealed) => resealValue(keyring, sealed))
    return versions
  } catch (err) {
    if (!(err instanceof UnknownSecretsKeyError)) throw err
    throw new SecretsKeyError(
      `the stored secrets are sealed with key ${err.keyId}, not with the configured key ${keyring.current.id}: ` +
        'start with the key they were sealed with (WORKERHIVE_SECRETS_KEY, --secrets-key-file or the data dir\'s secrets.key)',
    )
  }
}

/** One sealed value under the keyring's current key (unchanged when it is already). */
function resealValue(keyring: Keyring, sealed: string): string {
  if (sealed.startsWith(`wh1:${keyring.current.id}:`)) return sealed
  return seal(keyring.current, open(keyring, sealed))
}
