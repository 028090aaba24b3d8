import { z } from 'zod'
import type { TailMessage } from './message.js'

/**
 * The filters of a tail session, in the wire shape `wrangler tail` sends (`--status`, `--method`,
 * `--header`, `--ip`, `--search`, `--sampling-rate`, `--version-id`). Cloudflare applies them on
 * its side; so does Workerhive, so a filtered tail costs nothing for the events it leaves out.
 */
const TailFilter = z.union([
  z.strictObject({ sampling_rate: z.number().gt(0).lte(1) }),
  z.strictObject({ outcome: z.array(z.string()) }),
  z.strictObject({ method: z.array(z.string()) }),
  z.strictObject({ header: z.strictObject({ key: z.string().min(1), query: z.string().optional() }) }),
  z.strictObject({ client_ip: z.array(z.string()) }),
  z.strictObject({ query: z.string() }),
  z.strictObject({ scriptVersion: z.string() }),
])
export type TailFilter = z.infer<typeof TailFilter>

export const TailFiltersBody = z.looseObject({ filters: z.array(TailFilter).default([]) })

export type TailPredicate = (message: TailMessage) => boolean

export interface FilterContext {
  /** The address the session was created from: what `--ip self` means. */
  creatorIp: string | undefined
  /** For `sampling_rate`; tests pass their own. @default Math.random */
  random?: () => number
}

/** Every filter must pass (Cloudflare combines them with AND). */
export function compileFilters(filters: TailFilter[], context: FilterContext): TailPredicate {
  const tests = filters.map((f) => compileOne(f, context))
  return (message) => tests.every((test) => test(message))
}

function compileOne(filter: TailFilter, context: FilterContext): TailPredicate {
  if ('sampling_rate' in filter) {
    const random = context.random ?? Math.random
    return () => random() < filter.sampling_rate
  }
  if ('outcome' in filter) return (m) => filter.outcome.includes(m.outcome)
  if ('method' in filter) {
    const methods = filter.method.map((x) => x.toUpperCase())
    return (m) => methods.includes((request(m)?.method ?? '').toUpperCase())
  }
  // `--header "key:query"`: the header is present and, when a query is given, its value contains it.
  if ('header' in filter) {
    const key = filter.header.key.toLowerCase()
    const query = filter.header.query
    return (m) => {
      const value = headerValue(m, key)
      return value !== undefined && (query === undefined || value.includes(query))
    }
  }
  if ('client_ip' in filter) {
    const ips = filter.client_ip
      .map((ip) => (ip === 'self' ? context.creatorIp : ip))
      .filter((ip) => ip !== undefined)
      .map(plainIp)
    return (m) => {
      const ip = clientIp(m)
      return ip !== undefined && ips.includes(ip)
    }
  }
  if ('query' in filter) return (m) => mentions(m, filter.query)
  // Loaded Workers' trace events do not say which version ran; only events that do are filtered.
  return (m) => m.scriptVersion?.id === undefined || m.scriptVersion.id === filter.scriptVersion
}

type RequestInfo = { method?: string; headers?: Record<string, string>; cf?: Record<string, unknown> }

const request = (m: TailMessage): RequestInfo | undefined =>
  (m.event as { request?: RequestInfo } | null)?.request

function headerValue(m: TailMessage, lowerKey: string): string | undefined {
  const headers = request(m)?.headers ?? {}
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lowerKey) return v
  return undefined
}

/**
 * The client address of a request event: the edge's own `cf.clientIp` (without its port), which a
 * client cannot forge, else a `cf-connecting-ip` header from a proxy in front of the edge.
 */
function clientIp(m: TailMessage): string | undefined {
  const raw = request(m)?.cf?.clientIp
  if (typeof raw !== 'string') {
    const header = headerValue(m, 'cf-connecting-ip')
    return header === undefined ? undefined : plainIp(header)
  }
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(raw)
  if (bracketed) return plainIp(bracketed[1]!)
  return plainIp(/^[\d.]+:\d+$/.test(raw) ? raw.slice(0, raw.lastIndexOf(':')) : raw)
}

/** A dual-stack socket reports IPv4 peers as `::ffff:a.b.c.d`; compare them as plain IPv4. */
const plainIp = (ip: string): string => ip.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')

/** `--search`: a text match in what the Worker logged or threw. */
function mentions(m: TailMessage, text: string): boolean {
  const asText = (part: unknown): string => (typeof part === 'string' ? part : (JSON.stringify(part) ?? ''))
  const logged = m.logs.some((l) => l.message.some((part) => asText(part).includes(text)))
  return logged || m.exceptions.some((e) => (e.message ?? '').includes(text))
}
