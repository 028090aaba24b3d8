import { z } from 'zod'
import type { StoredBinding } from '../storage/store.js'
import { isSealed } from '../secrets/sealer.js'
import { assets } from './assets/schema.js'
import { dataBlob } from './data-blob/schema.js'
import { dispatchNamespace } from './dispatch-namespace/schema.js'
import { durableObjectNamespace } from './durable-object-namespace/schema.js'
import { inherit } from './inherit/schema.js'
import { json } from './json/schema.js'
import type { BindingContext, BindingKind, HostBindingContext, InternalHandler, InternalHandlerDeps } from './kind.js'
import type { HostBinding } from '../shared/protocol.js'
import { kvNamespace } from './kv-namespace/schema.js'
import { d1 } from './d1/schema.js'
import { plainText } from './plain-text/schema.js'
import { r2Bucket } from './r2-bucket/schema.js'
import { queue } from './queue/schema.js'
import { secretKey } from './secret-key/schema.js'
import { secretText } from './secret-text/schema.js'
import { service } from './service/schema.js'
import { textBlob } from './text-blob/schema.js'
import { versionMetadata } from './version-metadata/schema.js'
import { wasmModule } from './wasm-module/schema.js'

export type { BindingContext, HostBindingContext, InternalHandler, InternalHandlerDeps } from './kind.js'

/** Every binding kind Workerhive accepts (Node's halves; the workerd halves: registry.worker.ts). */
const kinds = [
  plainText,
  secretText,
  json,
  kvNamespace,
  d1,
  r2Bucket,
  dispatchNamespace,
  service,
  wasmModule,
  textBlob,
  dataBlob,
  versionMetadata,
  inherit,
  secretKey,
  assets,
  durableObjectNamespace,
  queue,
] as const

type Kinds = typeof kinds
type SchemasOf<K extends readonly BindingKind[]> = { -readonly [I in keyof K]: K[I]['schema'] }

export const BindingSchema = z.discriminatedUnion('type', kinds.map((k) => k.schema) as SchemasOf<Kinds>)
export type Binding = z.output<typeof BindingSchema>
export type BindingType = Binding['type']

const byType = new Map<string, BindingKind>(kinds.map((k) => [k.schema.shape.type.value, k]))

export const isBindingType = (type: string): type is BindingType => byType.has(type)

/** Cloudflare's rule for binding names: they become JavaScript identifiers on `env`. */
export const BINDING_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/
export const MAX_BINDING_NAME_LENGTH = 64

export function bindingNameProblem(name: string): string | undefined {
  if (name.length > MAX_BINDING_NAME_LENGTH)
    return `Binding name '${name}' is longer than ${MAX_BINDING_NAME_LENGTH} characters`
  if (!BINDING_NAME.test(name))
    return `Binding name '${name}' is invalid: use letters, digits, '_' and '$', not starting with a digit`
  return undefined
}

/**
 * Checks the wire bindings of an upload or a settings change: each a known kind with a valid name and
 * the fields its kind requires, names unique. Says what is wrong, naming the binding.
 */
export function parseBindings(raw: unknown): { bindings: Binding[] } | { problem: string } {
  if (!Array.isArray(raw)) return { problem: 'bindings must be an array' }
  const bindings: Binding[] = []
  const seen = new Set<string>()
  for (const [i, entry] of raw.entries()) {
    if (typeof entry !== 'object' || entry === null) return { problem: `binding #${i + 1} is not an object` }
    const { name, type } = entry as { name?: unknown; type?: unknown }
    if (typeof name !== 'string' || name === '') return { problem: `binding #${i + 1} has no name` }
    const nameProblem = bindingNameProblem(name)
    if (nameProblem) return { problem: nameProblem }
    if (typeof type !== 'string') return { problem: `binding '${name}' has no type` }
    if (!isBindingType(type)) return { problem: `Unknown binding type '${type}' (binding '${name}')` }
    const parsed = BindingSchema.safeParse(entry)
    if (!parsed.success)
      return { problem: `binding '${name}' of type ${type}: ${describeIssue(parsed.error)}` }
    if (seen.has(name)) return { problem: `Duplicate binding name '${name}': binding names must be unique` }
    seen.add(name)
    bindings.push(parsed.data)
  }
  return { bindings }
}

/** Cloudflare's limits on environment variables (text, JSON and secret bindings) of one Worker. */
export const ENV_VAR_LIMITS = { count: 128, bytes: 5 * 1024 } as const
const ENV_VAR_TYPES = new Set(['plain_text', 'secret_text', 'json'])

/**
 * Why these bindings break the environment-variable limits, or undefined. With `before`, only
 * what the change adds counts: a Worker stored over a limit can still drop variables.
 */
export function envVarProblem(bindings: readonly StoredBinding[], before?: readonly StoredBinding[]): string | undefined {
  const vars = bindings.filter((b) => ENV_VAR_TYPES.has(b.type))
  const varsBefore = before?.filter((b) => ENV_VAR_TYPES.has(b.type))
  if (vars.length > ENV_VAR_LIMITS.count && (!varsBefore || vars.length > varsBefore.length))
    return `A Worker may have at most ${ENV_VAR_LIMITS.count} environment variables and secrets; this version has ${vars.length}`
  const unchanged = new Set((varsBefore ?? []).map((b) => JSON.stringify(b)))
  for (const b of vars) {
    if (unchanged.has(JSON.stringify(b))) continue
    const value = b.type === 'json' ? JSON.stringify(b.json ?? null) : typeof b.text === 'string' ? b.text : ''
    const size = Buffer.byteLength(value)
    if (size > ENV_VAR_LIMITS.bytes)
      return `Binding '${b.name}' is ${size} bytes: environment variables and secrets are at most ${ENV_VAR_LIMITS.bytes} bytes`
  }
  return undefined
}

/** The first reason one of these bindings cannot be used in this account or version. */
export async function bindingsProblem(
  bindings: readonly StoredBinding[],
  ctx: BindingContext,
): Promise<string | undefined> {
  for (const b of bindings) {
    // A sealed secret was checked before it was sealed (src/secrets/), and stays as it was then.
    if (isSealed(b.sealed)) continue
    const kind = byType.get(b.type)
    const problem = kind?.check ? await kind.check(kind.schema.parse(b), ctx) : undefined
    if (problem) return problem
  }
  return undefined
}

/** The binding as the API shows it. A stored type we no longer know shows no value fields at all. */
export function publicBinding(b: StoredBinding): StoredBinding {
  const kind = byType.get(b.type)
  if (!kind) return { name: b.name, type: b.type }
  return kind.publicView ? kind.publicView(b) : b
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'invalid'
  const path = issue.path.filter((p) => p !== 'type').join('.')
  return path ? `${path}: ${issue.message}` : issue.message
}

/** The bindings of a version as the host builds them into env (a kind may contribute nothing). */
export async function hostBindingsOf(bindings: readonly StoredBinding[], ctx: HostBindingContext): Promise<HostBinding[]> {
  const out: HostBinding[] = []
  for (const b of bindings) {
    const hb = await byType.get(b.type)?.toHost?.(b, ctx)
    if (hb) out.push(hb)
  }
  return out
}

/** The internal routes of every kind with a Node half (the internal API mounts them). */
export const bindingInternalHandlers = (deps: InternalHandlerDeps): InternalHandler[] =>
  kinds.flatMap((k: BindingKind) => k.internal?.(deps) ?? [])
