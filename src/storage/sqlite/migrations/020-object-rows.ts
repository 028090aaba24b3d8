/** Rows a Durable Object's storage read and wrote, per script that exports the class (docs/usage.md). */
export const objectRows = `
ALTER TABLE usage_minutes ADD COLUMN do_rows_read INTEGER NOT NULL DEFAULT 0;
ALTER TABLE usage_minutes ADD COLUMN do_rows_written INTEGER NOT NULL DEFAULT 0;
`
