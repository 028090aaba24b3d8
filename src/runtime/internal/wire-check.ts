import { z } from 'zod'
import type { EventBatch, QueryOf, WireRoute } from '../../shared/wire.js'

/**
 * The Node side's check of the wire (src/shared/wire.ts): a route's query holds each of its
 * parameters at most once, and a body has its declared shape. The host compiles against the same
 * types without zod (workerd bundles no npm packages).
 */
export function querySchema<R extends WireRoute<string, string>>(route: R): z.ZodType<QueryOf<R>> {
  const shape = Object.fromEntries(route.query.map((name) => [name, z.string().optional()]))
  return z.object(shape) as unknown as z.ZodType<QueryOf<R>>
}

export const EventBatchSchema = z.object({
  accountId: z.string(),
  namespaceId: z.string(),
  script: z.string(),
  events: z.array(z.unknown()),
}) satisfies z.ZodType<EventBatch>

/** A query as hono hands it (name → every value), checked against the route's schema. */
export function parseQuery<R extends WireRoute<string, string>>(route: R, all: Record<string, string[]>): QueryOf<R> | undefined {
  const single: Record<string, string | string[]> = {}
  for (const [name, values] of Object.entries(all)) single[name] = values.length === 1 ? values[0]! : values
  const parsed = querySchema(route).safeParse(single)
  return parsed.success ? parsed.data : undefined
}
