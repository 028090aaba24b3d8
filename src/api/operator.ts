import type { ApiContext, ApiDeps } from './context.js'

/**
 * Whether the caller holds operator credentials: any API token or the global key of the first
 * account, the one `workerhive start` creates and whose credentials it prints (and keeps in
 * `<data dir>/credentials.json`). Whoever runs the platform holds them; a tenant never does, since
 * tenants get accounts of their own (`workerhive account create`). Asset-upload JWTs never count.
 */
export function isOperator(deps: Pick<ApiDeps, 'operatorAccountId'>, c: ApiContext): boolean {
  if (deps.operatorAccountId === undefined) return false
  return c.get('auth').kind !== 'asset-upload' && c.get('account').id === deps.operatorAccountId
}
