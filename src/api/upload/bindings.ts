import { bindingsProblem, envVarProblem, type Binding, type BindingContext } from '../../bindings/index.js'
import { mergeBindings } from '../../domain/bindings-merge.js'
import type { ScriptStore, ScriptVersion, StoredBinding } from '../../storage/store.js'
import { ApiError, inheritBindingInvalid, scriptValidation } from '../../domain/errors.js'

export interface ResolveBindingsInput {
  /** The bindings the request defines (upload metadata or a settings change). */
  uploaded: readonly Binding[]
  /** The version being replaced, if the script exists. */
  previous: ScriptVersion | undefined
  /** metadata `keep_bindings`: binding types to carry over when not redefined. */
  keepTypes?: readonly string[]
  /** `?bindings_inherit=strict`: an `inherit` with nothing to inherit is an error, not dropped. */
  strictInherit: boolean
  ctx: BindingContext
  store: Pick<ScriptStore, 'version'>
}

/**
 * The bindings a new version gets: the request's, with `inherit` resolved and secrets (and
 * `keep_bindings` types) carried over from the previous version, then checked against the account.
 */
export async function resolveBindings(input: ResolveBindingsInput): Promise<StoredBinding[]> {
  const versions = new Map<string, StoredBinding[]>()
  for (const b of input.uploaded) {
    if (b.type !== 'inherit' || b.version_id === undefined || versions.has(b.version_id)) continue
    const v = await input.store.version(b.version_id as ScriptVersion['id'])
    // Only versions of this same script can be inherited from.
    if (v && input.previous && v.scriptId === input.previous.scriptId) versions.set(v.id, v.bindings)
  }
  const merged = mergeBindings<Binding, StoredBinding>({
    uploaded: input.uploaded,
    previous: input.previous?.bindings ?? [],
    versions,
    keepTypes: input.keepTypes,
  })
  if (merged.unresolved.length > 0 && input.strictInherit) throw inheritErrors(merged.unresolved)
  const bindings: StoredBinding[] = merged.bindings
  const problem = envVarProblem(bindings) ?? (await bindingsProblem(bindings, input.ctx))
  if (problem) throw scriptValidation(problem)
  return bindings
}

/** One error per binding, as wrangler expects from `bindings_inherit=strict` (code 10057). */
function inheritErrors(names: readonly string[]): ApiError {
  const [first, ...rest] = names.map((n) => inheritBindingInvalid(n))
  return new ApiError(first!.status, first!.code, first!.message, rest.flatMap((e) => e.toCfErrors()))
}
