/** The event handlers each version's main module registers, found once at upload instead of on every read. */
export const versionHandlers = `
ALTER TABLE script_versions ADD COLUMN handlers JSON NOT NULL DEFAULT '["fetch"]';
`
