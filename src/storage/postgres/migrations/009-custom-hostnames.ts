/**
 * Cloudflare for SaaS custom hostnames: a customer's hostname served through one zone's routes.
 * The hostname is unique platform-wide (two zones cannot both serve it); ssl and metadata are JSON.
 */
export const customHostnames = `
CREATE TABLE custom_hostnames (
  id TEXT PRIMARY KEY,
  zone_id TEXT NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  hostname TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  ssl TEXT NOT NULL,
  custom_metadata TEXT,
  custom_origin_server TEXT,
  verification_token TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX custom_hostnames_by_zone ON custom_hostnames (zone_id);
CREATE TABLE custom_hostname_fallback_origins (
  zone_id TEXT PRIMARY KEY REFERENCES zones(id) ON DELETE CASCADE,
  origin TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- Workers Custom Domains: a whole hostname of one of the account's zones served by one script.
CREATE TABLE worker_domains (
  id TEXT PRIMARY KEY,
  zone_id TEXT NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  hostname TEXT NOT NULL UNIQUE,
  service TEXT NOT NULL,
  environment TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`
