import { z } from 'zod'
import { defineBindingKind } from '../kind.js'
import { serviceToHost } from './host.js'

/** Another Worker of the account (optionally a named entrypoint of it). */
export const ServiceBinding = z.object({
  type: z.literal('service'),
  name: z.string(),
  service: z.string().min(1),
  entrypoint: z.string().optional(),
  environment: z.string().optional(),
  props: z.record(z.string(), z.unknown()).optional(),
})

export const service = defineBindingKind({ schema: ServiceBinding, toHost: serviceToHost })
