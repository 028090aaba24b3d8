import type { Permission } from '../domain/permission-groups.js'
import type { RequestTarget } from '../domain/token-policy.js'

/**
 * What a route needs from a scoped token: one of `anyOf` (Cloudflare lets several groups open
 * some endpoints), `any` (some access to the account: GET /accounts), or `none` (token verify).
 */
export type Requirement = { anyOf: Permission[] } | 'any' | 'none'

/** Where the permission must hold: the account, the user, one namespace, one zone or all zones. */
type TargetKind = 'account' | 'user' | 'namespace' | 'zone' | 'all-zones'

interface Rule {
  /** Matched against the hono route path (after /client/v4). */
  path: RegExp
  read: Requirement
  write: Requirement
  target: TargetKind
}

const rw = (read: Permission, write: Permission, target: TargetKind, path: RegExp): Rule => ({
  path,
  read: { anyOf: [read, write] },
  write: { anyOf: [write] },
  target,
})

const tail = (target: TargetKind, path: RegExp): Rule => {
  const tailOrScripts: Requirement = { anyOf: ['tail.read', 'scripts.write'] }
  return { path, read: tailOrScripts, write: tailOrScripts, target }
}

/**
 * The route → permission table, first match wins. A unit test checks that every registered route
 * matches a rule; a route no rule matches is refused to scoped tokens (fail closed).
 */
const RULES: readonly Rule[] = [
  { path: /^\/(user|accounts\/:accountId)\/tokens\/verify$/, read: 'none', write: 'none', target: 'account' },
  rw('user-tokens.read', 'user-tokens.write', 'user', /^\/user\/tokens(\/.*)?$/),
  rw('account-tokens.read', 'account-tokens.write', 'account', /^\/accounts\/:accountId\/tokens(\/.*)?$/),
  { path: /^\/user$/, read: { anyOf: ['user.read'] }, write: { anyOf: ['user.read'] }, target: 'user' },
  { path: /^\/memberships$/, read: { anyOf: ['memberships.read'] }, write: { anyOf: ['memberships.read'] }, target: 'user' },
  { path: /^\/accounts(\/:accountId)?$/, read: 'any', write: { anyOf: ['account.write'] }, target: 'account' },
  rw('kv.read', 'kv.write', 'account', /^\/accounts\/:accountId\/storage\/kv\//),
  // D1's query, raw, export and import are POSTs: Cloudflare's D1 Write is needed for all four.
  rw('d1.read', 'd1.write', 'account', /^\/accounts\/:accountId\/d1\/database(\/.*)?$/),
  rw('r2.read', 'r2.write', 'account', /^\/accounts\/:accountId\/r2\/buckets/),
  // Pulling and acking messages are POSTs: Cloudflare's Queues Write.
  rw('queues.read', 'queues.write', 'account', /^\/accounts\/:accountId\/queues(\/.*)?$/),
  rw('routes.read', 'routes.write', 'zone', /^\/zones\/:zoneId\/workers\/routes/),
  rw('routes.read', 'routes.write', 'all-zones', /^\/accounts\/:accountId\/workers\/scripts\/:scriptName\/routes$/),
  rw('zone.read', 'zone.write', 'zone', /^\/zones\/:zoneId$/),
  rw('zone.read', 'zone.write', 'zone', /^\/zones\/:zoneId\/custom_hostnames(\/[^/]+)?$/),
  rw('zone.read', 'zone.write', 'zone', /^\/zones\/:zoneId\/settings\/:settingId$/),
  rw('zone.read', 'zone.write', 'all-zones', /^\/zones$/),
  // Tails (starting one is a POST): Cloudflare's Workers Tail Read, or Workers Scripts Write.
  tail('namespace', /^\/accounts\/:accountId\/workers\/dispatch\/namespaces\/:namespace\/scripts\/:script\/tails/),
  tail('account', /^\/accounts\/:accountId\/workers\/scripts\/:script\/tails/),
  // Cron triggers: Cloudflare's Workers Scripts Read/Write, on the script's namespace or the account.
  rw('scripts.read', 'scripts.write', 'namespace', /^\/accounts\/:accountId\/workers\/dispatch\/namespaces\/:namespace\/scripts\/:script\/schedules$/),
  rw('scripts.read', 'scripts.write', 'account', /^\/accounts\/:accountId\/workers\/scripts\/:script\/schedules$/),
  rw('scripts.read', 'scripts.write', 'namespace', /^\/accounts\/:accountId\/workers\/dispatch\/namespaces\/:namespace\/.+$/),
  // Workers Logs' query is a POST that only reads: Cloudflare's Workers Observability groups, which
  // Workerhive folds into Workers Scripts Read/Write (both read a script's logs there too).
  { path: /^\/accounts\/:accountId\/workers\/observability\/telemetry\/query$/, read: { anyOf: ['scripts.read', 'scripts.write'] }, write: { anyOf: ['scripts.read', 'scripts.write'] }, target: 'account' },
  // Usage: Cloudflare's GraphQL Analytics API takes Account Analytics Read; Workerhive's usage export
  // is read the same way (Workers Scripts Read/Write open both too: they already see the scripts).
  { path: /^\/graphql$/, read: { anyOf: ['analytics.read', 'scripts.read', 'scripts.write'] }, write: { anyOf: ['analytics.read', 'scripts.read', 'scripts.write'] }, target: 'account' },
  { path: /^\/accounts\/:accountId\/workers\/usage$/, read: { anyOf: ['analytics.read', 'scripts.read', 'scripts.write'] }, write: { anyOf: ['scripts.write'] }, target: 'account' },
  // The namespace object itself: a namespace-scoped token may read it, never rename or delete it.
  { path: /^\/accounts\/:accountId\/workers\/dispatch\/namespaces\/:namespace$/, read: { anyOf: ['scripts.read', 'scripts.write'] }, write: { anyOf: ['scripts.write'] }, target: 'account' },
  rw('scripts.read', 'scripts.write', 'account', /^\/accounts\/:accountId\/workers(\/.*)?$/),
  rw('account.read', 'account.write', 'account', /^\/accounts\/:accountId\/workerhive\//),
  rw('account.read', 'account.write', 'account', /^\/workerhive\/status$/),
  // Lifting a ban also needs operator credentials (src/api/operator.ts), which no scoped token is.
  rw('account.read', 'account.write', 'account', /^\/workerhive\/containment$/),
]

const READ_METHODS = new Set(['GET', 'HEAD'])

export interface RouteCheck {
  requirement: Requirement
  /** What the request touches, from the caller's account and the concrete request path. */
  target: (accountId: string, path: string) => RequestTarget
}

/** The check a route needs, or undefined when the table has no rule for it. */
export function routeCheck(method: string, routePath: string): RouteCheck | undefined {
  const rule = RULES.find((r) => r.path.test(routePath))
  if (!rule) return undefined
  const reading = READ_METHODS.has(method)
  let kind = rule.target
  // Reading the namespace object is reading that namespace.
  if (reading && /\/dispatch\/namespaces\/:namespace$/.test(routePath)) kind = 'namespace'
  return { requirement: reading ? rule.read : rule.write, target: (accountId, path) => targetOf(kind, accountId, path) }
}

function targetOf(kind: TargetKind, accountId: string, path: string): RequestTarget {
  switch (kind) {
    case 'user':
      return { accountId, user: true }
    case 'all-zones':
      return { accountId, zoneId: '*' }
    case 'zone':
      return { accountId, zoneId: segmentAfter(path, 'zones') ?? '' }
    case 'namespace':
      return { accountId, namespace: segmentAfter(path, 'namespaces') ?? '' }
    default:
      return { accountId }
  }
}

/** The decoded path segment after `name` (`/zones/<id>` → id). */
function segmentAfter(path: string, name: string): string | undefined {
  const parts = path.split('/')
  const i = parts.indexOf(name)
  const raw = i >= 0 ? parts[i + 1] : undefined
  if (raw === undefined) return undefined
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}
