import { BlockList, isIP } from 'node:net'
import { permissionGroup, type Permission } from './permission-groups.js'

/** A token policy in Cloudflare's wire shape; stored as given (after validation). */
export interface TokenPolicy {
  id: string
  effect: 'allow' | 'deny'
  permission_groups: Array<{ id: string; name: string }>
  /** Resource name → "*" (or, Cloudflare's nested form, → { resource name: "*" }). */
  resources: Record<string, unknown>
}

export interface TokenCondition {
  request_ip?: { in?: string[]; not_in?: string[] }
}

/**
 * What a request touches: the account, and when the route names one, a dispatch namespace or a
 * zone. `user` is for the /user and /memberships endpoints, whose resource is the user.
 */
export interface RequestTarget {
  accountId: string
  user?: boolean
  namespace?: string
  zoneId?: string
}

export const ACCOUNT_RESOURCE = 'com.cloudflare.api.account.'
export const ZONE_RESOURCE = 'com.cloudflare.api.account.zone.'
export const USER_RESOURCE = 'com.cloudflare.api.user.'
/** Workerhive's one addition: `com.workerhive.dispatch_namespace.<account id>.<namespace name>`. */
export const NAMESPACE_RESOURCE = 'com.workerhive.dispatch_namespace.'

/** Every resource name a policy lists, nested ones included. */
function resourceNames(resources: Record<string, unknown>): string[] {
  const names: string[] = []
  for (const [key, value] of Object.entries(resources)) {
    names.push(key)
    if (value && typeof value === 'object') names.push(...Object.keys(value as Record<string, unknown>))
  }
  return names
}

/** Whether one resource name covers the target. An account covers its zones and namespaces. */
function covers(resource: string, target: RequestTarget): boolean {
  if (resource.startsWith(NAMESPACE_RESOURCE)) {
    const rest = resource.slice(NAMESPACE_RESOURCE.length)
    const dot = rest.indexOf('.')
    return rest.slice(0, dot) === target.accountId && target.namespace !== undefined && rest.slice(dot + 1) === target.namespace
  }
  if (resource.startsWith(ZONE_RESOURCE)) {
    const zone = resource.slice(ZONE_RESOURCE.length)
    return target.zoneId !== undefined && (zone === '*' || zone === target.zoneId)
  }
  if (resource.startsWith(USER_RESOURCE)) {
    const user = resource.slice(USER_RESOURCE.length)
    return target.user === true && (user === '*' || user === target.accountId)
  }
  if (resource.startsWith(ACCOUNT_RESOURCE)) {
    const account = resource.slice(ACCOUNT_RESOURCE.length)
    return target.user !== true && (account === '*' || account === target.accountId)
  }
  return false
}

/** Whether a resource lies anywhere in the target's account (a namespace of it counts). */
function withinAccount(resource: string, target: RequestTarget): boolean {
  if (resource.startsWith(NAMESPACE_RESOURCE)) return resource.startsWith(`${NAMESPACE_RESOURCE}${target.accountId}.`)
  return covers(resource, target)
}

function policyApplies(policy: TokenPolicy, permission: Permission | 'any', target: RequestTarget): boolean {
  const grants = policy.permission_groups.some((g) => {
    const group = permissionGroup(g.id)
    return group !== undefined && (permission === 'any' || group.grants.includes(permission))
  })
  const reaches = permission === 'any' ? withinAccount : covers
  return grants && resourceNames(policy.resources).some((r) => reaches(r, target))
}

/**
 * Cloudflare's rule: allowed when some allow policy grants the permission on the target and no
 * deny policy does. `any` asks whether the token may see the target at all (GET /accounts).
 */
export function policiesAllow(policies: readonly TokenPolicy[], permission: Permission | 'any', target: RequestTarget): boolean {
  const matching = policies.filter((p) => policyApplies(p, permission, target))
  if (permission === 'any') return matching.some((p) => p.effect === 'allow')
  return matching.some((p) => p.effect === 'allow') && !matching.some((p) => p.effect === 'deny')
}

/** Whether the caller's address passes `condition.request_ip` (no condition: every address). */
export function requestIpAllowed(condition: TokenCondition, address: string | undefined): boolean {
  const rule = condition.request_ip
  if (!rule || (!rule.in?.length && !rule.not_in?.length)) return true
  if (!address) return false
  const ip = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4'
  if (rule.not_in?.length && cidrList(rule.not_in).check(ip, family)) return false
  return !rule.in?.length || cidrList(rule.in).check(ip, family)
}

function cidrList(cidrs: readonly string[]): BlockList {
  const list = new BlockList()
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr)
    if (parsed) list.addSubnet(parsed.address, parsed.prefix, parsed.family)
  }
  return list
}

/** `10.0.0.0/8`, `fd00::/8` or a bare address; undefined when malformed. */
export function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', bits, extra] = cidr.split('/')
  if (extra !== undefined) return undefined
  const version = isIP(address)
  if (version === 0) return undefined
  const max = version === 4 ? 32 : 128
  const prefix = bits === undefined ? max : Number(bits)
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d+$/.test(bits))) return undefined
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' }
}
