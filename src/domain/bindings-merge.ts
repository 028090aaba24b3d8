/**
 * How a new version's bindings come from an upload and the version it replaces. Pure, so uploads,
 * settings changes and account-level scripts share one rule set.
 */
export interface NamedBinding {
  type: string
  name: string
}

/** `{type:'inherit'}`: take a binding of an earlier version instead of defining one. */
export interface InheritRequest extends NamedBinding {
  type: 'inherit'
  old_name?: string
  version_id?: string
}

/**
 * Write-only bindings survive a re-upload that does not redefine them: wrangler's plain `deploy`
 * sends no `keep_bindings`, yet users expect `wrangler secret put` values to stay
 * (cloudflare/workers-docs#695).
 */
export const SURVIVING_BINDING_TYPES: readonly string[] = ['secret_text', 'secret_key']

export interface MergeInput<B extends NamedBinding, P extends NamedBinding> {
  /** The bindings the upload defines, `inherit` requests included, in upload order. */
  uploaded: readonly (B | InheritRequest)[]
  /** The bindings of the version being replaced; empty for a new script. */
  previous: readonly P[]
  /** Bindings of other versions of the same script, for `inherit` with a `version_id`. */
  versions?: ReadonlyMap<string, readonly P[]>
  /** Binding types to keep from `previous` when not redefined (metadata `keep_bindings`). */
  keepTypes?: readonly string[]
}

export interface MergeResult<B, P> {
  /** Upload order first (inherits resolved in place), then what was kept from `previous`. */
  bindings: Array<B | P>
  /** Names of `inherit` bindings with nothing to inherit (dropped from `bindings`). */
  unresolved: string[]
}

const isInherit = (b: NamedBinding): b is InheritRequest => b.type === 'inherit'

export function mergeBindings<B extends NamedBinding, P extends NamedBinding>(
  input: MergeInput<B, P>,
): MergeResult<B, P> {
  const bindings: Array<B | P> = []
  const unresolved: string[] = []
  for (const b of input.uploaded) {
    if (!isInherit(b)) {
      bindings.push(b)
      continue
    }
    const source = b.version_id === undefined ? input.previous : input.versions?.get(b.version_id)
    const found = source?.find((p) => p.name === (b.old_name ?? b.name))
    if (found) bindings.push({ ...found, name: b.name })
    else unresolved.push(b.name)
  }
  const defined = new Set(input.uploaded.map((b) => b.name))
  const keep = new Set([...SURVIVING_BINDING_TYPES, ...(input.keepTypes ?? [])])
  for (const p of input.previous) {
    if (keep.has(p.type) && !defined.has(p.name)) bindings.push(p)
  }
  return { bindings, unresolved }
}
