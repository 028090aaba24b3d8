/**
 * Queues: one row per queue, its consumers (Cloudflare allows one per queue), and its messages.
 * A message is invisible until `visible_ms` (delivery delay, retry delay, or a consumer's lease);
 * `lease_id` names the lease that may settle it.
 */
export const queues = `
CREATE TABLE queues (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name TEXT COLLATE "C" NOT NULL,
  created_on TEXT NOT NULL,
  modified_on TEXT NOT NULL,
  settings JSONB NOT NULL,
  UNIQUE (account_id, name)
);
CREATE TABLE queue_consumers (
  id TEXT PRIMARY KEY,
  queue_id TEXT NOT NULL UNIQUE REFERENCES queues(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  script_name TEXT,
  dispatch_namespace TEXT,
  dead_letter_queue TEXT,
  created_on TEXT NOT NULL,
  settings JSONB NOT NULL
);
CREATE TABLE queue_messages (
  seq BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  queue_id TEXT NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
  body BYTEA NOT NULL,
  content_type TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  visible_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_id TEXT
);
CREATE INDEX queue_messages_by_visibility ON queue_messages (queue_id, visible_ms);
CREATE INDEX queue_messages_by_lease ON queue_messages (lease_id) WHERE lease_id IS NOT NULL;
CREATE INDEX queue_messages_by_expiry ON queue_messages (expires_ms);
`
