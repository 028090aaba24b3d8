import { z } from 'zod'
import { defineBindingKind } from '../kind.js'
import { durableObjectToHost } from './host.js'
import { durableObjectInternal } from './internal.js'

/**
 * A Durable Object class of this script, or of another script of the same scope (`script_name`:
 * the same dispatch namespace, or the account's scripts). Which namespace it names is resolved
 * with the upload's migrations (src/api/upload/durable-objects.ts) and stored as `namespace_id`.
 */
export const DurableObjectNamespaceBinding = z.object({
  type: z.literal('durable_object_namespace'),
  name: z.string(),
  class_name: z.string().min(1),
  script_name: z.string().min(1).optional(),
  environment: z.string().optional(),
  namespace_id: z.string().optional(),
})

export const durableObjectNamespace = defineBindingKind({
  schema: DurableObjectNamespaceBinding,
  toHost: durableObjectToHost,
  internal: durableObjectInternal,
})
