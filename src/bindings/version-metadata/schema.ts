import { z } from 'zod'
import { defineBindingKind } from '../kind.js'
import { versionToHost } from './host.js'

/** `env.NAME` is `{ id, tag, timestamp }` of the running version. */
export const VersionMetadataBinding = z.object({
  type: z.literal('version_metadata'),
  name: z.string(),
})

export const versionMetadata = defineBindingKind({ schema: VersionMetadataBinding, toHost: versionToHost })
