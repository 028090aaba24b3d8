import type { ScriptDescriptor } from '../../shared/protocol.js'
import { pickShare, VERSION_KEY_HEADER, VERSION_OVERRIDES_HEADER } from '../../shared/version-split.js'

/**
 * The version of a gradually deployed script that serves this request (see pickShare). `pinned`
 * is a version already chosen for it by another process (an invocation forwarded to probation).
 */
export function versionFor(d: ScriptDescriptor, request: Request, pinned?: string): ScriptDescriptor {
  const split = d.split
  if (split === undefined) return d
  const held = pinned === undefined ? undefined : split.find((s) => s.script.versionId === pinned)
  if (held) return held.script
  return pickShare(split, {
    name: d.name,
    overrides: request.headers.get(VERSION_OVERRIDES_HEADER),
    versionKey: request.headers.get(VERSION_KEY_HEADER),
    random: Math.random,
  })
}
