import type { ApiContext, ApiDeps } from './context.js'

/**
 * Whether the caller holds operator credentials: a full-access API token or the global key of the first
 * account, the one `workerhive start` creates and whose credentials it prints (and keeps in
 * `<data dir>/credentials.json`). Whoever runs the platform holds them; a tenant never does, since
 * tenants get accounts of their own (`workerhive account create`). Asset-upload JWTs and scoped
 * tokens (which the operator may hand to a provisioning backend) never count.
 */
export function isOperator(deps: Pick<ApiDeps, 'operatorAccountId'>, c: ApiContext): boolean {
  if (deps.operatorAccountId === undefined) return false
  const auth = c.get('auth')
  const fullAccess = auth.kind === 'global-key' || (auth.kind === 'token' && auth.token.policies === null)
  return fullAccess && c.get('account').id === deps.operatorAccountId
}
