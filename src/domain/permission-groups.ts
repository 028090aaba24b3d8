/**
 * The Cloudflare permission groups Workerhive serves, with Cloudflare's ids and names, so a policy
 * written for Cloudflare works here unchanged. Each grants what its routes check (`Permission`);
 * a Write group also grants its Read.
 */
export type Permission =
  | 'scripts.read'
  | 'analytics.read'
  | 'scripts.write'
  | 'tail.read'
  | 'kv.read'
  | 'kv.write'
  | 'd1.read'
  | 'd1.write'
  | 'r2.read'
  | 'r2.write'
  | 'queues.read'
  | 'queues.write'
  | 'account.read'
  | 'account.write'
  | 'routes.read'
  | 'routes.write'
  | 'zone.read'
  | 'zone.write'
  | 'user.read'
  | 'memberships.read'
  | 'user-tokens.read'
  | 'user-tokens.write'
  | 'account-tokens.read'
  | 'account-tokens.write'

/** Where a group applies: Cloudflare's scope names. */
export type PermissionScope = 'com.cloudflare.api.account' | 'com.cloudflare.api.account.zone' | 'com.cloudflare.api.user'

export interface PermissionGroup {
  id: string
  name: string
  scopes: PermissionScope[]
  grants: Permission[]
}

const ACCOUNT: PermissionScope[] = ['com.cloudflare.api.account']
const ZONE: PermissionScope[] = ['com.cloudflare.api.account.zone']
const USER: PermissionScope[] = ['com.cloudflare.api.user']

export const PERMISSION_GROUPS: readonly PermissionGroup[] = [
  { id: '1a71c399035b4950a1bd1466bbe4f420', name: 'Workers Scripts Read', scopes: ACCOUNT, grants: ['scripts.read'] },
  { id: 'e086da7e2179491d91ee5f35b3ca210a', name: 'Workers Scripts Write', scopes: ACCOUNT, grants: ['scripts.read', 'scripts.write'] },
  { id: '9c88f9c5bce24ce7af9a958ba9c504db', name: 'Account Analytics Read', scopes: ACCOUNT, grants: ['analytics.read'] },
  { id: '05880cd1bdc24d8bae0be2136972816b', name: 'Workers Tail Read', scopes: ACCOUNT, grants: ['tail.read'] },
  { id: '8b47d2786a534c08a1f94ee8f9f599ef', name: 'Workers KV Storage Read', scopes: ACCOUNT, grants: ['kv.read'] },
  { id: 'f7f0eda5697f475c90846e879bab8666', name: 'Workers KV Storage Write', scopes: ACCOUNT, grants: ['kv.read', 'kv.write'] },
  { id: '192192df92ee43ac90f2aeeffce67e35', name: 'D1 Read', scopes: ACCOUNT, grants: ['d1.read'] },
  { id: '09b2857d1c31407795e75e3fed8617a1', name: 'D1 Write', scopes: ACCOUNT, grants: ['d1.read', 'd1.write'] },
  { id: 'b4992e1108244f5d8bfbd5744320c2e1', name: 'Workers R2 Storage Read', scopes: ACCOUNT, grants: ['r2.read'] },
  { id: 'bf7481a1826f439697cb59a20b22293e', name: 'Workers R2 Storage Write', scopes: ACCOUNT, grants: ['r2.read', 'r2.write'] },
  { id: '84a7755d54c646ca87cd50682a34bf7c', name: 'Queues Read', scopes: ACCOUNT, grants: ['queues.read'] },
  { id: '366f57075ffc42689627bcf8242a1b6d', name: 'Queues Write', scopes: ACCOUNT, grants: ['queues.read', 'queues.write'] },
  { id: 'c1fde68c7bcc44588cbb6ddbc16d6480', name: 'Account Settings Read', scopes: ACCOUNT, grants: ['account.read'] },
  { id: '1af1fa2adc104452b74a9a3364202f20', name: 'Account Settings Write', scopes: ACCOUNT, grants: ['account.read', 'account.write'] },
  { id: '2072033d694d415a936eaeb94e6405b8', name: 'Workers Routes Read', scopes: ZONE, grants: ['routes.read'] },
  { id: '28f4b596e7d643029c524985477ae49a', name: 'Workers Routes Write', scopes: ZONE, grants: ['routes.read', 'routes.write'] },
  { id: 'c8fed203ed3043cba015a93ad1616f1f', name: 'Zone Read', scopes: ZONE, grants: ['zone.read'] },
  { id: 'e6d2666161e84845a636613608cee8d5', name: 'Zone Write', scopes: ZONE, grants: ['zone.read', 'zone.write'] },
  { id: '8acbe5bb0d54464ab867149d7f7cf8ac', name: 'User Details Read', scopes: USER, grants: ['user.read'] },
  { id: '3518d0f75557482e952c6762d3e64903', name: 'Memberships Read', scopes: USER, grants: ['memberships.read'] },
  { id: '0cc3a61731504c89b99ec1be78b77aa0', name: 'API Tokens Read', scopes: USER, grants: ['user-tokens.read'] },
  { id: '686d18d5ac6c441c867cbf6771e58a0a', name: 'API Tokens Write', scopes: USER, grants: ['user-tokens.read', 'user-tokens.write'] },
  { id: 'eb56a6953c034b9d97dd838155666f06', name: 'Account API Tokens Read', scopes: ACCOUNT, grants: ['account-tokens.read'] },
  { id: '5bc3f8b21c554832afc660159ab75fa4', name: 'Account API Tokens Write', scopes: ACCOUNT, grants: ['account-tokens.read', 'account-tokens.write'] },
]

const byId = new Map(PERMISSION_GROUPS.map((g) => [g.id, g]))

export const permissionGroup = (id: string): PermissionGroup | undefined => byId.get(id)

/** The groups an account-owned token may hold (Cloudflare lists no user-scoped groups there). */
export const accountTokenGroups = (): PermissionGroup[] =>
  PERMISSION_GROUPS.filter((g) => !g.scopes.includes('com.cloudflare.api.user'))
