import { hostnameInZone, hostnameProblem } from '../../shared/route-patterns.js'
import { invalidCustomHostname, prohibitedCustomHostname, reservedCustomHostname } from '../../domain/errors.js'

const RESERVED_TLDS = new Set(['test', 'example', 'invalid', 'localhost'])
const PROHIBITED = ['example.com', 'example.net', 'example.org']
const IPV4 = /^\d+(\.\d+){3}$/

/**
 * A custom hostname as Cloudflare accepts one, lowercased: a hostname of two labels or more (a
 * leading `*.` makes it a wildcard custom hostname, no other `*`), not an IP address, not under a
 * reserved TLD or the example domains, and not under the edge domain (the platform's default
 * hostnames, which no customer's hostname may take).
 */
export function requireCustomHostname(value: unknown, edgeDomain: string): string {
  if (typeof value !== 'string') throw invalidCustomHostname("field 'hostname' must be a string")
  const name = value.trim().toLowerCase().replace(/\.$/, '')
  const literal = name.startsWith('*.') ? name.slice(2) : name
  const problem =
    (/[^\x21-\x7e]/.test(name) ? 'it has characters outside ASCII' : undefined) ??
    (literal.includes('*') ? 'a wildcard may only be the whole first label' : undefined) ??
    (name.length > 255 ? 'it is longer than 255 characters' : undefined) ??
    (IPV4.test(literal) || literal.includes(':') ? 'it is an IP address' : undefined) ??
    hostnameProblem(literal) ??
    (literal.includes('.') ? undefined : 'it has a single label')
  if (problem) throw invalidCustomHostname(problem)
  if (RESERVED_TLDS.has(literal.slice(literal.lastIndexOf('.') + 1))) throw reservedCustomHostname()
  if (PROHIBITED.some((d) => hostnameInZone(literal, d))) throw prohibitedCustomHostname()
  if (hostnameInZone(literal, edgeDomain.toLowerCase()))
    throw invalidCustomHostname(`names under ${edgeDomain} are the platform's default hostnames`)
  return name
}
