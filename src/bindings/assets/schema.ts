import { z } from 'zod'
import { defineBindingKind } from '../kind.js'
import { assetsToHost } from './host.js'

/** `env.NAME.fetch(request)` serves the version's static assets (wrangler's `[assets] binding`). */
export const AssetsBinding = z.object({
  type: z.literal('assets'),
  name: z.string(),
})

export const assets = defineBindingKind({ schema: AssetsBinding, toHost: assetsToHost })
