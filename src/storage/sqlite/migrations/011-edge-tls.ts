/**
 * HTTPS at the edge: one certificate per hostname (its key sealed like a secret), the HTTP-01
 * answers of running ACME orders, ACME account keys per directory, and zone settings
 * (always_use_https) the edge reads.
 */
export const edgeTls = `
CREATE TABLE edge_certificates (
  hostname TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  certificate_pem TEXT NOT NULL,
  sealed_key TEXT NOT NULL,
  issuer TEXT NOT NULL,
  not_before_ms BIGINT NOT NULL,
  not_after_ms BIGINT NOT NULL,
  renew_at_ms BIGINT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX edge_certificates_by_renewal ON edge_certificates (renew_at_ms);
CREATE TABLE acme_challenges (
  token TEXT PRIMARY KEY,
  key_authorization TEXT NOT NULL
);
CREATE TABLE acme_accounts (
  directory_url TEXT PRIMARY KEY,
  sealed_key TEXT NOT NULL
);
CREATE TABLE zone_settings (
  zone_id TEXT NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (zone_id, name)
);
`
