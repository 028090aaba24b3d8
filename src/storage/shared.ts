import { sha256Hex } from '../util/ids.js'
import type { KvEntry, KvKeyInfo } from './kv-store.js'
import type { InvocationCount, ModuleRef, NewVersion, ScriptRef, ScriptSettings } from './store.js'

/** Rules both drivers share, so they cannot drift apart. */
export const defaultSettings = (): ScriptSettings => ({
  logpush: false,
  usageModel: 'standard',
  limits: {},
  observability: null,
  tailConsumers: null,
  placement: {},
})

/** Hash of everything that makes a version behave differently; a new etag means new code to load. */
export function versionEtag(v: Omit<NewVersion, 'modules'> & { modules: ModuleRef[] }): string {
  return sha256Hex(
    JSON.stringify([
      v.format,
      v.mainModule,
      v.modules.map((m) => [m.name, m.type, m.hash]),
      v.compatibilityDate,
      v.compatibilityFlags,
      v.bindings,
      v.assets ?? null,
    ]),
  )
}

export const encodeCursor = (lastName: string): string => Buffer.from(lastName, 'utf8').toString('base64url')
export const decodeCursor = (cursor: string): string => Buffer.from(cursor, 'base64url').toString('utf8')

/**
 * The smallest byte string greater than every string that starts with `prefix`; null when there is
 * no such bound (the prefix is empty or all 0xff). KV lists a prefix as the range [prefix, bound).
 */
export function prefixUpperBound(prefix: Buffer): Buffer | null {
  let end = prefix.length
  while (end > 0 && prefix[end - 1] === 0xff) end--
  if (end === 0) return null
  const bound = Buffer.from(prefix.subarray(0, end))
  bound[end - 1] = bound[end - 1]! + 1
  return bound
}

/** A KV entry row as both drivers read it (PostgreSQL hands a BIGINT expiration over as a string). */
export interface KvRow {
  key: Buffer
  expiration: number | string | null
  metadata: string | null
}

export const kvKeyInfo = (r: KvRow): KvKeyInfo => ({
  name: r.key.toString('utf8'),
  ...(r.expiration !== null ? { expiration: Number(r.expiration) } : {}),
  ...(r.metadata !== null ? { metadata: r.metadata } : {}),
})

// Both drivers hand out Buffers over plain ArrayBuffers, never shared ones.
export const kvEntry = (r: KvRow & { value: Buffer }): KvEntry => ({
  ...kvKeyInfo(r),
  value: new Uint8Array(r.value.buffer as ArrayBuffer, r.value.byteOffset, r.value.byteLength),
})

export const kvKeyBytes = (key: string): Buffer => Buffer.from(key, 'utf8')

/** Views the same memory instead of copying a value of up to 25 MiB. */
export const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** Expiration is kept in whole seconds, as Cloudflare reports it; an entry is gone from that second on. */
export const nowSeconds = (now: number): number => Math.floor(now / 1000)

/** One counter per script and outcome: a batch may count the same pair twice (two processes). */
export function mergeCounts(counts: InvocationCount[]): InvocationCount[] {
  const merged = new Map<string, InvocationCount>()
  for (const c of counts) {
    const key = JSON.stringify([c.accountId, c.namespaceId, c.script, c.outcome])
    const seen = merged.get(key)
    if (seen) merged.set(key, { ...seen, count: seen.count + c.count, lastSeen: Math.max(seen.lastSeen, c.lastSeen) })
    else merged.set(key, { ...c })
  }
  return [...merged.values()]
}

/** The distinct scripts of a batch of events, each once: the ones whose history is pruned. */
export function scriptsOf(events: ScriptRef[]): ScriptRef[] {
  const seen = new Map<string, ScriptRef>()
  for (const e of events) {
    const key = JSON.stringify([e.accountId, e.namespaceId, e.script])
    if (!seen.has(key)) seen.set(key, { accountId: e.accountId, namespaceId: e.namespaceId, script: e.script })
  }
  return [...seen.values()]
}
