import { z } from 'zod'
import { AssetConfigSchema } from '../../assets/config.js'

/** Cloudflare's default when an upload names no compatibility date: the oldest date there is. */
export const DEFAULT_COMPATIBILITY_DATE = '2021-11-02'

export const CompatibilityDate = z.iso.date({ message: 'compatibility_date must be a date as YYYY-MM-DD' })

export const UsageModel = z.enum(['standard', 'bundled', 'unbound'])

export const Limits = z.object({
  cpu_ms: z.number().int().positive().optional(),
  subrequests: z.number().int().positive().optional(),
})

export const TailConsumer = z.looseObject({
  service: z.string().min(1),
  environment: z.string().optional(),
  namespace: z.string().optional(),
})

/** Fields a script's settings share between upload metadata and the settings API. */
export const ScriptSettingsFields = {
  compatibility_flags: z.array(z.string()).optional(),
  tags: z.array(z.string()).nullable().optional(),
  keep_bindings: z.array(z.string()).optional(),
  usage_model: UsageModel.optional(),
  logpush: z.boolean().optional(),
  limits: Limits.optional(),
  observability: z.record(z.string(), z.unknown()).nullable().optional(),
  tail_consumers: z.array(TailConsumer).nullable().optional(),
  placement: z.record(z.string(), z.unknown()).optional(),
  migrations: z.unknown().optional(),
}

/**
 * The `metadata` part of an upload, with Cloudflare's field names. Bindings are checked one by one
 * by the binding registry (for messages that name the binding); unknown keys are ignored, as
 * wrangler's `[unsafe.metadata]` and newer clients send fields we do not know.
 */
export const UploadMetadataSchema = z.looseObject({
  main_module: z.string().min(1).optional(),
  body_part: z.string().min(1).optional(),
  bindings: z.array(z.unknown()).default([]),
  compatibility_date: CompatibilityDate.default(DEFAULT_COMPATIBILITY_DATE),
  annotations: z.record(z.string(), z.string()).optional(),
  /** Static assets: the completion JWT of an assets-upload-session and how to serve them. */
  assets: z.object({ jwt: z.string().min(1), config: AssetConfigSchema.optional() }).optional(),
  /** Keep the previous version's assets (and their config) instead of uploading new ones. */
  keep_assets: z.boolean().optional(),
  ...ScriptSettingsFields,
})

export type UploadMetadata = z.output<typeof UploadMetadataSchema>

/** `metadata: compatibility_date: …`: the first problem, with the field it is about. */
export function describeZodError(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0]
  if (!issue) return `${prefix}: invalid`
  const path = issue.path.map(String).join('.')
  return path ? `${prefix}.${path}: ${issue.message}` : `${prefix}: ${issue.message}`
}
