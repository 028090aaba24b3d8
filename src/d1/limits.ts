/** D1's limits (Cloudflare's Workers Paid figures; docs/limits.md lists them). */
export const D1_LIMITS = {
  /** Largest database: 10 GB. */
  maxDatabaseBytes: 10 * 1000 * 1000 * 1000,
  /** Bound parameters per statement. */
  maxBoundParameters: 100,
  /** Longest SQL statement, in bytes. */
  maxStatementBytes: 100_000,
  /** A query (one call: a statement, a batch) that runs longer is interrupted. */
  queryTimeoutMs: 30_000,
  /** Databases per account. */
  maxDatabases: 50_000,
  /** Longest database name. */
  maxNameLength: 64,
  /** Largest import file (Cloudflare's is 5 GB; Workerhive holds an upload in memory, so 100 MiB). */
  maxImportBytes: 100 * 1024 * 1024,
} as const
