import { z } from 'zod'

/**
 * A bucket's CORS rules as Cloudflare's API takes them (`PUT …/r2/buckets/:bucket/cors`); the S3
 * endpoint applies them to its answers and preflights (cors.ts).
 */
export const CorsRule = z.object({
  id: z.string().optional(),
  allowed: z.object({
    origins: z.array(z.string()).min(1),
    methods: z.array(z.enum(['GET', 'PUT', 'POST', 'DELETE', 'HEAD'])).min(1),
    headers: z.array(z.string()).optional(),
  }),
  exposeHeaders: z.array(z.string()).optional(),
  maxAgeSeconds: z.number().int().nonnegative().optional(),
})
export const CorsRules = z.object({ rules: z.array(CorsRule).max(100) })
export type CorsRules = z.output<typeof CorsRules>

const Transition = z.object({
  condition: z.union([
    z.object({ type: z.literal('Age'), maxAge: z.number().int().positive() }),
    z.object({ type: z.literal('Date'), date: z.string().refine((d) => !Number.isNaN(Date.parse(d)), 'not a date') }),
  ]),
})

/**
 * A bucket's object lifecycle rules (`PUT …/lifecycle`). Workerhive applies `deleteObjectsTransition`
 * (by age or date) and `abortMultipartUploadsTransition` (by age); storage class transitions are
 * stored and shown, and change nothing (one storage tier here).
 */
export const LifecycleRule = z.object({
  id: z.string().min(1),
  enabled: z.boolean(),
  conditions: z.object({ prefix: z.string().default('') }),
  deleteObjectsTransition: Transition.optional(),
  abortMultipartUploadsTransition: z
    .object({ condition: z.object({ type: z.literal('Age'), maxAge: z.number().int().positive() }) })
    .optional(),
  storageClassTransitions: z
    .array(z.object({ condition: Transition.shape.condition, storageClass: z.literal('InfrequentAccess') }))
    .optional(),
})
export const LifecycleRules = z.object({ rules: z.array(LifecycleRule).max(1000) })
export type LifecycleRules = z.output<typeof LifecycleRules>
