import type { ContainmentRecord } from '../store.js'

/** A containment row; PostgreSQL hands the BIGINT `until_ms` over as a string. */
export interface ContainmentRow {
  account_id: string
  namespace_id: string
  script: string
  status: ContainmentRecord['status']
  reason: string
  strikes: number
  until_ms: number | string
}

export const toContainment = (r: ContainmentRow): ContainmentRecord => ({
  accountId: r.account_id,
  namespaceId: r.namespace_id,
  script: r.script,
  status: r.status,
  reason: r.reason,
  strikes: r.strikes,
  until: Number(r.until_ms),
})
