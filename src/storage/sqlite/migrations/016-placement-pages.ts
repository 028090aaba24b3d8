/**
 * Replicated page images (src/runtime/placement/pages.ts): the pages of a resource's SQLite file (a
 * D1 database, a Durable Object) as its owner last acknowledged them, so another node rebuilds the
 * file when it takes the resource over. `placement_images.version` goes up by one per replicated
 * write and fences a stale owner out (its write expects the version it last saw).
 */
export const placementPages = `
CREATE TABLE placement_images (
  resource TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  page_size INTEGER NOT NULL,
  page_count INTEGER NOT NULL
);
CREATE TABLE placement_pages (
  resource TEXT NOT NULL,
  page_no INTEGER NOT NULL,
  version INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (resource, page_no)
);
`
