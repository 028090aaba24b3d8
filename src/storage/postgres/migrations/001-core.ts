/**
 * Accounts, tokens, dispatch namespaces, scripts with their versions, tags and deployments, zones.
 *
 * The same tables as the SQLite driver's 001. Names that the Store lists in order are COLLATE "C",
 * so PostgreSQL orders and compares them by bytes, as SQLite does, whatever the database's locale.
 * JSON columns are `json`, not `jsonb`: they keep the text as written (key order included), which
 * is what the SQLite driver hands back.
 */
export const core = `
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  global_key_hash TEXT NOT NULL,
  subdomain TEXT NOT NULL UNIQUE,
  created_on TIMESTAMPTZ NOT NULL
);
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'active',
  created_on TIMESTAMPTZ NOT NULL
);
CREATE INDEX api_tokens_by_account ON api_tokens (account_id, created_on);
CREATE TABLE dispatch_namespaces (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT COLLATE "C" NOT NULL,
  trusted_workers BOOLEAN NOT NULL DEFAULT false,
  created_on TIMESTAMPTZ NOT NULL,
  modified_on TIMESTAMPTZ NOT NULL,
  UNIQUE (account_id, name)
);
-- namespace_id is '' for account-level scripts, so the uniqueness rule covers both kinds; the
-- unique index also serves lookups and name-ordered listing within a scope.
CREATE TABLE scripts (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  namespace_id TEXT NOT NULL,
  name TEXT COLLATE "C" NOT NULL,
  current_version_id TEXT NOT NULL,
  created_on TIMESTAMPTZ NOT NULL,
  modified_on TIMESTAMPTZ NOT NULL,
  settings JSON NOT NULL,
  subdomain_enabled BOOLEAN NOT NULL DEFAULT true,
  previews_enabled BOOLEAN NOT NULL DEFAULT false,
  UNIQUE (account_id, namespace_id, name)
);
CREATE INDEX scripts_by_namespace ON scripts (namespace_id);
CREATE TABLE script_versions (
  id TEXT PRIMARY KEY,
  script_id TEXT NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  created_on TIMESTAMPTZ NOT NULL,
  format TEXT NOT NULL,
  main_module TEXT NOT NULL,
  modules JSON NOT NULL,
  compatibility_date TEXT NOT NULL,
  compatibility_flags JSON NOT NULL,
  bindings JSON NOT NULL,
  etag TEXT NOT NULL,
  annotations JSON NOT NULL,
  source TEXT NOT NULL,
  UNIQUE (script_id, number)
);
CREATE TABLE script_tags (
  script_id TEXT NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
  tag TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (script_id, tag)
);
CREATE INDEX script_tags_by_tag ON script_tags (tag, script_id);
-- seq breaks ties between deployments made within the same millisecond (SQLite uses its rowid).
CREATE TABLE deployments (
  id TEXT PRIMARY KEY,
  seq BIGINT GENERATED ALWAYS AS IDENTITY,
  script_id TEXT NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
  created_on TIMESTAMPTZ NOT NULL,
  source TEXT NOT NULL,
  versions JSON NOT NULL,
  annotations JSON NOT NULL
);
CREATE INDEX deployments_by_script ON deployments (script_id, created_on, seq);
-- Module code, stored once per distinct content (sha256).
CREATE TABLE blobs (
  hash TEXT PRIMARY KEY,
  content BYTEA NOT NULL
);
CREATE TABLE zones (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT COLLATE "C" NOT NULL UNIQUE,
  created_on TIMESTAMPTZ NOT NULL
);
CREATE TABLE routes (
  id TEXT PRIMARY KEY,
  zone_id TEXT NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  pattern TEXT COLLATE "C" NOT NULL,
  script TEXT,
  UNIQUE (zone_id, pattern)
);
CREATE INDEX routes_by_script ON routes (script);
`
