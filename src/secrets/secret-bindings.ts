import type { StoredBinding } from '../storage/store.js'
import { isSealed, open, seal, sealedKeyId, type Keyring } from './sealer.js'

/**
 * Which fields of which binding kinds are secret, and how a binding is sealed for the store and
 * opened for the runtime. A sealed binding keeps its name, type and public fields in clear (the API
 * lists them) and holds its secret fields, as JSON, in `sealed`.
 */

const SECRET_FIELDS: Readonly<Record<string, readonly string[]>> = {
  secret_text: ['text'],
  secret_key: ['key_base64', 'key_jwk'],
}

const secretFieldsOf = (b: StoredBinding): readonly string[] | undefined => SECRET_FIELDS[b.type]

/** The binding as the store should keep it: secret fields sealed with the keyring's current key. */
export function sealBinding(keyring: Keyring, b: StoredBinding): StoredBinding {
  const fields = secretFieldsOf(b)
  if (!fields || isSealed(b.sealed)) return b
  const secret: Record<string, unknown> = {}
  const rest: StoredBinding = { type: b.type, name: b.name }
  for (const [k, v] of Object.entries(b)) {
    if (fields.includes(k)) secret[k] = v
    else rest[k] = v
  }
  return { ...rest, sealed: seal(keyring.current, JSON.stringify(secret)) }
}

/** The binding with its secret fields back in clear; plaintext bindings (not yet migrated) pass. */
export function openBinding(keyring: Keyring, b: StoredBinding): StoredBinding {
  if (!secretFieldsOf(b) || !isSealed(b.sealed)) return b
  const { sealed, ...rest } = b
  return { ...rest, ...(JSON.parse(open(keyring, sealed)) as Record<string, unknown>) } as StoredBinding
}

/**
 * The bindings sealed with the current key (plaintext ones sealed, ones under an older key
 * re-sealed), or undefined when they already are. Throws UnknownSecretsKeyError for a value no key
 * of the keyring opens.
 */
export function resealBindings(keyring: Keyring, bindings: readonly StoredBinding[]): StoredBinding[] | undefined {
  let changed = false
  const out = bindings.map((b) => {
    if (!secretFieldsOf(b)) return b
    if (isSealed(b.sealed) && sealedKeyId(b.sealed) === keyring.current.id) {
      open(keyring, b.sealed) // proves the value opens (a wrong key or a damaged value stops here)
      return b
    }
    changed = true
    return sealBinding(keyring, openBinding(keyring, b))
  })
  return changed ? out : undefined
}
