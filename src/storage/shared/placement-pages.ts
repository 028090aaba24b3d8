import type { PageImage, StoredPage } from '../placement-store.js'

export interface ImageRow {
  resource: string
  /** BIGINT in PostgreSQL: pg hands them over as strings. */
  version: number | string
  page_size: number
  page_count: number | string
}

export interface PageRow {
  page_no: number | string
  data: Uint8Array
}

export const toImage = (r: ImageRow): PageImage => ({ resource: r.resource, version: Number(r.version), pageSize: r.page_size, pageCount: Number(r.page_count) })

export const toPage = (r: PageRow): StoredPage => ({ no: Number(r.page_no), data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength) })

/** The SQL of page images, the same in both dialects but for placeholders (numbered in order of appearance, as SQLite's `?` binds). */
export const pageSql = (p: (n: number) => string) => ({
  getImage: `SELECT * FROM placement_images WHERE resource = ${p(1)}`,
  /** The first write of an image: refused (0 rows) when one exists already. */
  insertImage: `INSERT INTO placement_images (resource, version, page_size, page_count) VALUES (${p(1)}, 1, ${p(2)}, ${p(3)}) ON CONFLICT (resource) DO NOTHING`,
  /** A later write: refused (0 rows) when another owner moved the version on. */
  bumpImage: `UPDATE placement_images SET version = version + 1, page_size = ${p(1)}, page_count = ${p(2)} WHERE resource = ${p(3)} AND version = ${p(4)}`,
  upsertPage: `INSERT INTO placement_pages (resource, page_no, version, data) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)})
    ON CONFLICT (resource, page_no) DO UPDATE SET version = excluded.version, data = excluded.data`,
  dropPagesFrom: `DELETE FROM placement_pages WHERE resource = ${p(1)} AND page_no >= ${p(2)}`,
  readPages: `SELECT page_no, data FROM placement_pages WHERE resource = ${p(1)} AND page_no >= ${p(2)} ORDER BY page_no LIMIT ${p(3)}`,
  deletePages: `DELETE FROM placement_pages WHERE resource = ${p(1)}`,
  deleteImage: `DELETE FROM placement_images WHERE resource = ${p(1)}`,
  /** Page 0 of the resources in [from, to): a prefix as a range, with no LIKE wildcards to escape. */
  firstPages: `SELECT resource, data FROM placement_pages WHERE resource >= ${p(1)} AND resource < ${p(2)} AND page_no = 0 ORDER BY resource`,
})

/** The range [from, to) of the strings that start with `prefix` (its last character moved on by one). */
export const prefixRange = (prefix: string): [string, string] => [prefix, prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)]

export const toFirstPage = (r: { resource: string; data: Uint8Array }): { resource: string; data: Uint8Array } => ({
  resource: r.resource,
  data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength),
})
