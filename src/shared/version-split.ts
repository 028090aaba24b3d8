// Which version of a gradual deployment serves a request. Pure, so Node's unit tests run it; the
// host calls it only for scripts whose descriptor carries a split.

/** Pins a version for one request: `<script>="<version id>"`, a Structured Fields Dictionary (RFC 8941). */
export const VERSION_OVERRIDES_HEADER = 'cloudflare-workers-version-overrides'
/** Version affinity: requests with the same key get the same version of a deployment. */
export const VERSION_KEY_HEADER = 'cloudflare-workers-version-key'

export interface Share<T> {
  percentage: number
  script: T
}

export interface SplitInput {
  /** The script's name: the key its override is listed under. */
  name: string
  overrides: string | null
  versionKey: string | null
  /** A uniform number in [0, 1) for requests without a key. */
  random: () => number
}

/**
 * Cloudflare's rules: an override wins when it names a version of this deployment (0 % ones
 * included), and is ignored otherwise or when the header is no valid dictionary; then the
 * version key, hashed, picks deterministically; else the request is a random draw. Shares are laid
 * out in the order given (newest first), so a key that reached the new version stays on it while
 * its share grows, as Cloudflare documents for version affinity.
 */
export function pickShare<T extends { versionId: string }>(shares: ReadonlyArray<Share<T>>, input: SplitInput): T {
  const pinned = input.overrides === null ? undefined : parseOverrides(input.overrides)?.get(input.name)
  if (pinned !== undefined) {
    const hit = shares.find((s) => s.script.versionId === pinned)
    if (hit) return hit.script
  }
  const point = (input.versionKey !== null ? keyFraction(input.versionKey) : input.random()) * 100
  let upTo = 0
  for (const share of shares) {
    upTo += share.percentage
    if (point < upTo) return share.script
  }
  // Rounding (shares like 33.3 + 66.7) may leave the last sliver unclaimed: the last serving version.
  return [...shares].reverse().find((s) => s.percentage > 0)?.script ?? shares[0]!.script
}

// An sf-key, `=`, an sf-string, then optional parameters (`;a=1`), which carry nothing for us.
const MEMBER = /^\s*([a-z*][a-z0-9_.*-]*)\s*=\s*"((?:[^"\\]|\\["\\])*)"\s*(?:;[^,]*)?$/

/** A Structured Fields Dictionary of string values; undefined when the header is not one. */
export function parseOverrides(header: string): Map<string, string> | undefined {
  const out = new Map<string, string>()
  for (const member of splitMembers(header)) {
    const m = MEMBER.exec(member)
    if (!m) return undefined
    out.set(m[1]!, m[2]!.replace(/\\(["\\])/g, '$1'))
  }
  return out
}

/** Splits on the commas that are not inside a quoted string. */
function splitMembers(header: string): string[] {
  const members: string[] = []
  let start = 0
  let quoted = false
  for (let i = 0; i < header.length; i++) {
    const c = header[i]
    if (c === '\\' && quoted) i++
    else if (c === '"') quoted = !quoted
    else if (c === ',' && !quoted) {
      members.push(header.slice(start, i))
      start = i + 1
    }
  }
  members.push(header.slice(start))
  return members
}

/** FNV-1a of the key, as a number in [0, 1): the same key lands on the same point every time. */
function keyFraction(key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  // A final avalanche, so keys that differ in their last character spread over the whole range.
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  return (h >>> 0) / 0x1_0000_0000
}
