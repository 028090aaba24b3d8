/** Replicated page images, as in the SQLite driver's 016. */
export const placementPages = `
CREATE TABLE placement_images (
  resource TEXT PRIMARY KEY,
  version BIGINT NOT NULL,
  page_size INTEGER NOT NULL,
  page_count BIGINT NOT NULL
);
CREATE TABLE placement_pages (
  resource TEXT NOT NULL,
  page_no BIGINT NOT NULL,
  version BIGINT NOT NULL,
  data BYTEA NOT NULL,
  PRIMARY KEY (resource, page_no)
);
`
