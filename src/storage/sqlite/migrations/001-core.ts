/** Accounts, tokens, dispatch namespaces, scripts with their versions, tags and deployments. */
export const core = `
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  global_key_hash TEXT NOT NULL,
  subdomain TEXT NOT NULL UNIQUE,
  created_on TEXT NOT NULL
);
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'active',
  created_on TEXT NOT NULL
);
CREATE TABLE dispatch_namespaces (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  trusted_workers INTEGER NOT NULL DEFAULT 0,
  created_on TEXT NOT NULL,
  modified_on TEXT NOT NULL,
  UNIQUE (account_id, name)
);
-- namespace_id is '' for account-level scripts, so the uniqueness rule covers both kinds.
CREATE TABLE scripts (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  namespace_id TEXT NOT NULL,
  name TEXT NOT NULL,
  current_version_id TEXT NOT NULL,
  created_on TEXT NOT NULL,
  modified_on TEXT NOT NULL,
  settings TEXT NOT NULL,
  subdomain_enabled INTEGER NOT NULL DEFAULT 1,
  previews_enabled INTEGER NOT NULL DEFAULT 0,
  UNIQUE (account_id, namespace_id, name)
);
CREATE INDEX scripts_by_scope_name ON scripts (account_id, namespace_id, name);
CREATE TABLE script_versions (
  id TEXT PRIMARY KEY,
  script_id TEXT NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  created_on TEXT NOT NULL,
  format TEXT NOT NULL,
  main_module TEXT NOT NULL,
  modules TEXT NOT NULL,
  compatibility_date TEXT NOT NULL,
  compatibility_flags TEXT NOT NULL,
  bindings TEXT NOT NULL,
  etag TEXT NOT NULL,
  annotations TEXT NOT NULL,
  source TEXT NOT NULL,
  UNIQUE (script_id, number)
);
CREATE TABLE script_tags (
  script_id TEXT NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (script_id, tag)
);
CREATE INDEX script_tags_by_tag ON script_tags (tag, script_id);
CREATE TABLE deployments (
  id TEXT PRIMARY KEY,
  script_id TEXT NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
  created_on TEXT NOT NULL,
  source TEXT NOT NULL,
  versions TEXT NOT NULL,
  annotations TEXT NOT NULL
);
CREATE INDEX deployments_by_script ON deployments (script_id, created_on);
-- Module code, stored once per distinct content (sha256).
CREATE TABLE blobs (
  hash TEXT PRIMARY KEY,
  content BLOB NOT NULL
);
CREATE TABLE zones (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL UNIQUE,
  created_on TEXT NOT NULL
);
CREATE TABLE routes (
  id TEXT PRIMARY KEY,
  zone_id TEXT NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  pattern TEXT NOT NULL,
  script TEXT,
  UNIQUE (zone_id, pattern)
);
`
