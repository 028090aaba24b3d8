import { z } from 'zod'
import { defineBindingKind } from '../kind.js'

/**
 * Not a binding of its own: "keep the binding `old_name` (default: `name`) of the previous version,
 * or of `version_id`, under this name". Resolved when the version is built, never stored.
 */
export const InheritBinding = z.object({
  type: z.literal('inherit'),
  name: z.string(),
  old_name: z.string().min(1).optional(),
  version_id: z.string().min(1).optional(),
})

export const inherit = defineBindingKind({ schema: InheritBinding })
