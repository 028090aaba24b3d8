// Which responses the Cache API keeps, and for how long: Cloudflare's rules for `cache.put()`.

/** A response as the cache receives it: status and headers in their order, with duplicates. */
export interface ResponseHead {
  status: number
  headers: Array<[string, string]>
}

export type StoreDecision = { store: false; reason: string } | { store: true; ttlSeconds: number; headers: Array<[string, string]> }

/**
 * Edge TTLs Cloudflare applies when a response carries no Cache-Control or Expires. Any other
 * status is not cached without an explicit directive.
 */
const DEFAULT_TTL_SECONDS = new Map<number, number>([
  [200, 7200],
  [206, 7200],
  [301, 7200],
  [302, 1200],
  [303, 1200],
  [404, 180],
  [410, 180],
])

/** Parses `Cache-Control` into lower-cased directives; a directive without a value maps to ''. */
export function cacheControl(value: string | undefined): Map<string, string> {
  const out = new Map<string, string>()
  if (!value) return out
  // Commas inside quoted values (`private="Set-Cookie, X-Id"`) do not separate directives.
  for (const part of value.match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
    const eq = part.indexOf('=')
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase()
    if (!name) continue
    const raw = eq === -1 ? '' : part.slice(eq + 1).trim()
    out.set(name, raw.replace(/^"(.*)"$/, '$1'))
  }
  return out
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  return Number(value)
}

/**
 * Decides whether a response may be stored and for how long:
 * - `no-store`, `no-cache` and `private` (without field names) are never stored;
 * - a `Set-Cookie` response is stored only with `private=Set-Cookie`, and then without the cookie;
 * - the lifetime is `s-maxage`, else `max-age`, else `Expires`, else Cloudflare's default edge TTL
 *   for the status; a lifetime of zero stores nothing.
 */
export function storeDecision(head: ResponseHead, nowMs: number): StoreDecision {
  const get = (name: string): string | undefined => head.headers.find(([k]) => k.toLowerCase() === name)?.[1]
  const cc = cacheControl(head.headers.filter(([k]) => k.toLowerCase() === 'cache-control').map(([, v]) => v).join(','))
  if (cc.has('no-store')) return { store: false, reason: 'Cache-Control: no-store' }
  if (cc.has('no-cache') && cc.get('no-cache') === '') return { store: false, reason: 'Cache-Control: no-cache' }
  const privateFields = cc.get('private')
  if (privateFields === '') return { store: false, reason: 'Cache-Control: private' }
  let headers = head.headers
  if (headers.some(([k]) => k.toLowerCase() === 'set-cookie')) {
    const allowed = (privateFields ?? '').split(',').map((f) => f.trim().toLowerCase())
    if (!allowed.includes('set-cookie')) return { store: false, reason: 'Set-Cookie' }
    headers = headers.filter(([k]) => k.toLowerCase() !== 'set-cookie')
  }
  const ttl = explicitTtl(cc, get('expires'), get('date'), nowMs) ?? DEFAULT_TTL_SECONDS.get(head.status) ?? 0
  if (ttl <= 0) return { store: false, reason: 'expires immediately' }
  return { store: true, ttlSeconds: ttl, headers }
}

function explicitTtl(cc: Map<string, string>, expires: string | undefined, date: string | undefined, nowMs: number): number | undefined {
  const shared = seconds(cc.get('s-maxage'))
  if (shared !== undefined) return shared
  const maxAge = seconds(cc.get('max-age'))
  if (maxAge !== undefined) return maxAge
  if (expires === undefined) return undefined
  const at = Date.parse(expires)
  // An invalid Expires ("0", "-1") means already expired.
  if (Number.isNaN(at)) return 0
  const base = date !== undefined && !Number.isNaN(Date.parse(date)) ? Date.parse(date) : nowMs
  return Math.floor((at - base) / 1000)
}
