/**
 * Scoped API tokens: owner (user or account), Cloudflare-shaped policies and condition as JSON,
 * validity window, modified and last-used times. NULL policies mean full access to the account,
 * which is what every token created before this migration keeps.
 */
export const tokenPolicies = `
ALTER TABLE api_tokens ADD COLUMN owner TEXT NOT NULL DEFAULT 'user';
ALTER TABLE api_tokens ADD COLUMN policies JSON;
ALTER TABLE api_tokens ADD COLUMN request_condition JSON NOT NULL DEFAULT '{}';
ALTER TABLE api_tokens ADD COLUMN not_before TIMESTAMPTZ;
ALTER TABLE api_tokens ADD COLUMN expires_on TIMESTAMPTZ;
ALTER TABLE api_tokens ADD COLUMN modified_on TIMESTAMPTZ;
ALTER TABLE api_tokens ADD COLUMN last_used_on TIMESTAMPTZ;
`
