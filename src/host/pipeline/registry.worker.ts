import { WIRE, wireUrl } from '../../shared/wire.js'
import { type CodeBundle, type RoutingTable, type ScriptDescriptor, type ScriptLookup } from '../../shared/protocol.js'
import { internalJson } from '../internal-api.worker.js'
import type { HostEnv } from '../env.worker.js'

/**
 * Per-process cache of script descriptors and the routing table. Node pushes invalidations to the
 * control socket before an API change is acknowledged, so a cached entry is never older than the
 * last acknowledged change. A generation counter keeps a lookup that raced an invalidation from
 * caching what it fetched.
 */
const scripts = new Map<string, ScriptDescriptor | null>()
const MAX_NEGATIVE = 10_000
let negatives = 0
let generation = 0
let routing: Promise<RoutingTable> | undefined

const keyOf = (accountId: string, namespaceId: string, name: string): string => `${accountId}/${namespaceId}/${name}`

export async function lookupScript(
  env: HostEnv,
  accountId: string,
  namespaceId: string,
  name: string,
): Promise<ScriptDescriptor | null> {
  const key = keyOf(accountId, namespaceId, name)
  const cached = scripts.get(key)
  if (cached !== undefined) return cached
  const startedAt = generation
  const found = await internalJson<ScriptLookup>(env, wireUrl(WIRE.script, {}, { account: accountId, namespace: namespaceId, name }))
  const value = found.found ? found.script : null
  if (found.found && found.code) rememberCode(found.script.versionId, found.code)
  if (startedAt === generation) {
    if (value === null) {
      // Names come from end users' requests: bound what misses can cost.
      if (++negatives > MAX_NEGATIVE) dropNegatives()
    }
    scripts.set(key, value)
  }
  return value
}

function dropNegatives(): void {
  for (const [k, v] of scripts) if (v === null) scripts.delete(k)
  negatives = 0
}

/**
 * Code that came with a descriptor, kept until the loader asks for it (once, on the cold load that
 * usually follows at once). Bounded: if the loader never asks (the isolate was warm), it is dropped.
 */
const pendingCode = new Map<string, CodeBundle>()
const MAX_PENDING_CODE = 64

function rememberCode(versionId: string, code: CodeBundle): void {
  if (pendingCode.size >= MAX_PENDING_CODE) pendingCode.delete(pendingCode.keys().next().value!)
  pendingCode.set(versionId, code)
}

/** The code that came with the descriptor, if any; taken only once. */
export function takeCode(versionId: string): CodeBundle | undefined {
  const code = pendingCode.get(versionId)
  pendingCode.delete(versionId)
  return code
}

export function routingTable(env: HostEnv): Promise<RoutingTable> {
  if (!routing) {
    const pending = internalJson<RoutingTable>(env, wireUrl(WIRE.routes, {}))
    routing = pending
    pending.catch(() => {
      if (routing === pending) routing = undefined
    })
  }
  return routing
}

export interface Invalidation {
  scripts?: Array<{ accountId: string; namespaceId: string; name: string }>
  routes?: boolean
  all?: boolean
  /** KV keys written through the API or a binding (no `keys`: the whole namespace); see kvReads. */
  kv?: Array<{ accountId: string; namespaceId: string; keys?: string[] }>
}

export function invalidate(what: Invalidation): void {
  generation++
  if (what.all) {
    scripts.clear()
    negatives = 0
    routing = undefined
    return
  }
  if (what.routes) routing = undefined
  for (const s of what.scripts ?? []) {
    if (s.name === '*') {
      const prefix = `${s.accountId}/${s.namespaceId}/`
      for (const k of scripts.keys()) if (k.startsWith(prefix)) scripts.delete(k)
    } else {
      scripts.delete(keyOf(s.accountId, s.namespaceId, s.name))
    }
  }
}
