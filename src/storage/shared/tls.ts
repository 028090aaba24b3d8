import type { EdgeCertificate } from '../store.js'

export interface EdgeCertificateRow {
  hostname: string
  source: string
  certificate_pem: string
  sealed_key: string
  issuer: string
  not_before_ms: number | string
  not_after_ms: number | string
  renew_at_ms: number | string
  updated_at: string
}

// BIGINT comes back from PostgreSQL as text: numbers are read with Number().
export const toEdgeCertificate = (r: EdgeCertificateRow): EdgeCertificate => ({
  hostname: r.hostname,
  source: r.source as EdgeCertificate['source'],
  certificatePem: r.certificate_pem,
  sealedKey: r.sealed_key,
  issuer: r.issuer,
  notBefore: Number(r.not_before_ms),
  notAfter: Number(r.not_after_ms),
  renewAt: Number(r.renew_at_ms),
  updatedAt: r.updated_at,
})

/** Column values in the order of CERTIFICATE_COLUMNS. */
export const certificateValues = (c: Omit<EdgeCertificate, 'updatedAt'>, updatedAt: string) => [
  c.hostname.toLowerCase(),
  c.source,
  c.certificatePem,
  c.sealedKey,
  c.issuer,
  c.notBefore,
  c.notAfter,
  c.renewAt,
  updatedAt,
]

export const CERTIFICATE_COLUMNS =
  'hostname, source, certificate_pem, sealed_key, issuer, not_before_ms, not_after_ms, renew_at_ms, updated_at'

export const CERTIFICATE_UPDATE =
  'source = excluded.source, certificate_pem = excluded.certificate_pem, sealed_key = excluded.sealed_key, issuer = excluded.issuer, ' +
  'not_before_ms = excluded.not_before_ms, not_after_ms = excluded.not_after_ms, renew_at_ms = excluded.renew_at_ms, updated_at = excluded.updated_at'
