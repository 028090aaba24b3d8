/**
 * Durable Object namespaces: one row per class a script implements (created by a `new_classes`
 * migration), whose id stays the same through renames and transfers (the objects' storage is keyed
 * by it). A script's last applied migration tag is `scripts.migration_tag`.
 */
export const durableObjects = `
CREATE TABLE durable_object_namespaces (
  id TEXT PRIMARY KEY,
  script_id TEXT NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
  class_name TEXT NOT NULL,
  use_sqlite INTEGER NOT NULL,
  created_on TEXT NOT NULL,
  UNIQUE (script_id, class_name)
);
ALTER TABLE scripts ADD COLUMN migration_tag TEXT;
`
