import { invalidTokenRequest } from '../../domain/errors.js'
import { permissionGroup } from '../../domain/permission-groups.js'
import {
  ACCOUNT_RESOURCE,
  NAMESPACE_RESOURCE,
  USER_RESOURCE,
  ZONE_RESOURCE,
  parseCidr,
  type TokenCondition,
  type TokenPolicy,
} from '../../domain/token-policy.js'
import type { ApiToken, TokenSettings } from '../../storage/store.js'
import { hexId } from '../../util/ids.js'

const MAX_NAME = 120
const MAX_POLICIES = 50
const MAX_CIDRS = 100

/** Who the token belongs to, which decides the groups and resources it may name. */
export interface TokenOwner {
  kind: 'user' | 'account'
  accountId: string
}

/**
 * A create or update body in Cloudflare's shape → the settings to store. On update, fields left
 * out keep their `current` value (name and policies are required, as Cloudflare requires them).
 */
export function parseTokenBody(body: Record<string, unknown>, owner: TokenOwner, current?: ApiToken): TokenSettings {
  const name = body.name
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME)
    throw invalidTokenRequest(`name is required: a non-empty string of at most ${MAX_NAME} characters`)
  return {
    name,
    status: body.status === undefined ? current?.status : parseStatus(body.status),
    policies: parsePolicies(body.policies, owner),
    condition: body.condition === undefined ? current?.condition : parseCondition(body.condition),
    notBefore: body.not_before === undefined ? current?.notBefore : parseTime(body.not_before, 'not_before'),
    expiresOn: body.expires_on === undefined ? current?.expiresOn : parseTime(body.expires_on, 'expires_on'),
  }
}

function parseStatus(value: unknown): 'active' | 'disabled' {
  if (value === 'active' || value === 'disabled') return value
  throw invalidTokenRequest('status must be "active" or "disabled"')
}

function parseTime(value: unknown, field: string): string | null {
  if (value === null) return null
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && Number.isFinite(Date.parse(value)))
    return new Date(Date.parse(value)).toISOString().replace(/\.000Z$/, 'Z')
  throw invalidTokenRequest(`${field} must be an RFC 3339 date-time such as 2030-01-01T00:00:00Z`)
}

function parsePolicies(value: unknown, owner: TokenOwner): TokenPolicy[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_POLICIES)
    throw invalidTokenRequest(`policies must be a list of 1 to ${MAX_POLICIES} policies`)
  return value.map((p, i) => parsePolicy(p, owner, `policies[${i}]`))
}

function parsePolicy(value: unknown, owner: TokenOwner, where: string): TokenPolicy {
  if (!isObject(value)) throw invalidTokenRequest(`${where} must be an object`)
  const { effect, permission_groups: groups, resources } = value
  if (effect !== 'allow' && effect !== 'deny') throw invalidTokenRequest(`${where}.effect must be "allow" or "deny"`)
  if (!Array.isArray(groups) || groups.length === 0)
    throw invalidTokenRequest(`${where}.permission_groups must list at least one permission group`)
  const permissionGroups = groups.map((g, i) => {
    const id = isObject(g) ? g.id : undefined
    const group = typeof id === 'string' ? permissionGroup(id) : undefined
    if (!group || (owner.kind === 'account' && group.scopes.includes('com.cloudflare.api.user')))
      throw invalidTokenRequest(`${where}.permission_groups[${i}]: unknown permission group ${JSON.stringify(id ?? null)}`)
    return { id: group.id, name: group.name }
  })
  if (!isObject(resources) || Object.keys(resources).length === 0)
    throw invalidTokenRequest(`${where}.resources must name at least one resource`)
  for (const [key, inner] of Object.entries(resources)) {
    checkResource(key, owner, where)
    if (inner === '*') continue
    if (!isObject(inner) || Object.keys(inner).length === 0)
      throw invalidTokenRequest(`${where}.resources["${key}"] must be "*" or an object of resources`)
    for (const [nested, v] of Object.entries(inner)) {
      checkResource(nested, owner, where)
      if (v !== '*') throw invalidTokenRequest(`${where}.resources["${key}"]["${nested}"] must be "*"`)
    }
  }
  const id = typeof value.id === 'string' && /^[0-9a-f]{32}$/.test(value.id) ? value.id : hexId()
  return { id, effect, permission_groups: permissionGroups, resources }
}

/** Resource names a policy may use; accounts other than the owner's are refused, not ignored. */
function checkResource(name: string, owner: TokenOwner, where: string): void {
  const own = (id: string) => id === owner.accountId || (id === '*' && owner.kind === 'user')
  const bad = () => invalidTokenRequest(`${where}.resources: ${JSON.stringify(name)} is not a resource of this ${owner.kind}`)
  if (name.startsWith(NAMESPACE_RESOURCE)) {
    const rest = name.slice(NAMESPACE_RESOURCE.length)
    const dot = rest.indexOf('.')
    if (dot <= 0 || dot === rest.length - 1 || rest.slice(0, dot) !== owner.accountId) throw bad()
    return
  }
  if (name.startsWith(ZONE_RESOURCE)) {
    if (!/^([0-9a-f]{32}|\*)$/.test(name.slice(ZONE_RESOURCE.length))) throw bad()
    return
  }
  if (name.startsWith(USER_RESOURCE)) {
    if (owner.kind !== 'user' || !own(name.slice(USER_RESOURCE.length))) throw bad()
    return
  }
  if (name.startsWith(ACCOUNT_RESOURCE) && own(name.slice(ACCOUNT_RESOURCE.length))) return
  throw bad()
}

function parseCondition(value: unknown): TokenCondition {
  if (value === null) return {}
  if (!isObject(value)) throw invalidTokenRequest('condition must be an object')
  const rule = value.request_ip
  if (rule === undefined || rule === null) return {}
  if (!isObject(rule)) throw invalidTokenRequest('condition.request_ip must be an object')
  const list = (field: 'in' | 'not_in'): string[] | undefined => {
    const v = rule[field]
    if (v === undefined || v === null) return undefined
    if (!Array.isArray(v) || v.length > MAX_CIDRS || !v.every((x) => typeof x === 'string' && parseCidr(x)))
      throw invalidTokenRequest(`condition.request_ip.${field} must be a list of CIDRs such as 192.0.2.0/24`)
    return v as string[]
  }
  const inList = list('in')
  const notIn = list('not_in')
  return { request_ip: { ...(inList ? { in: inList } : {}), ...(notIn ? { not_in: notIn } : {}) } }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
