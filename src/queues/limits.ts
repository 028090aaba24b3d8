/**
 * Cloudflare Queues' limits and defaults (developers.cloudflare.com/queues/platform/limits/ and
 * the consumer settings of its API), in one place for the REST API, the binding and the consumer loop.
 */
export const QUEUE_LIMITS = {
  /** Bytes per message body, as encoded. */
  maxMessageBytes: 128 * 1024,
  maxBatchMessages: 100,
  maxBatchBytes: 256 * 1024,
  /** delaySeconds / delivery_delay / retry_delay: 0 to 12 hours. */
  maxDelaySeconds: 43_200,
  /** message_retention_period: 60 s to 14 days; 4 days by default. */
  minRetentionSeconds: 60,
  maxRetentionSeconds: 1_209_600,
  defaultRetentionSeconds: 345_600,
  /** Queues per account (Cloudflare's limit), checked before a create writes. */
  maxQueuesPerAccount: 10_000,
  /** Queue names: letters, digits and dashes, at most 63. */
  maxNameLength: 63,
  /** Consumer settings. */
  maxBatchSize: 100,
  defaultBatchSize: 10,
  maxRetries: 100,
  defaultMaxRetries: 3,
  maxWaitTimeMs: 60_000,
  defaultMaxWaitTimeMs: 5_000,
  maxConcurrency: 250,
  /** HTTP pull: visibility_timeout_ms up to 12 hours, 30 s by default. */
  maxVisibilityTimeoutMs: 43_200_000,
  defaultVisibilityTimeoutMs: 30_000,
  /** How long a Worker consumer's batch stays leased while its handler runs (a crash frees it after this). */
  workerLeaseMs: 5 * 60_000,
} as const

export const QUEUE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$/
