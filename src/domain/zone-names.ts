import { isIP } from 'node:net'
import { parse } from 'tldts'

/**
 * Why a syntactically valid name can never be a zone: an IP literal, or a public suffix (ICANN's
 * `co.uk` or a private registry's `github.io`, from the Public Suffix List that `tldts` ships). A
 * zone there would take every customer's hostnames under it. Undefined for a registrable name.
 */
export function unregistrableZoneName(name: string): 'ip-literal' | 'public-suffix' | undefined {
  const bare = name.replace(/^\[|\]$/g, '')
  if (isIP(bare) !== 0) return 'ip-literal'
  const parsed = parse(name, { allowPrivateDomains: true })
  if (parsed.isIp) return 'ip-literal'
  if (parsed.publicSuffix === name) return 'public-suffix'
  return undefined
}
