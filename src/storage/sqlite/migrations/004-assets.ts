/**
 * Static assets: contents by hash per script (`scope` = namespace id + '/' + script name, so no
 * tenant can plant a file under a hash another tenant's upload will reuse), upload sessions, and
 * each version's manifest.
 */
export const assets = `
CREATE TABLE asset_files (
  account_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  hash TEXT NOT NULL,
  content_type TEXT,
  content BLOB NOT NULL,
  PRIMARY KEY (account_id, scope, hash)
);
CREATE TABLE asset_sessions (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  namespace_id TEXT,
  script TEXT NOT NULL,
  manifest TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
ALTER TABLE script_versions ADD COLUMN assets TEXT;
`
