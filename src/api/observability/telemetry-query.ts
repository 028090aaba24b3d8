import { malformedBody } from '../../domain/errors.js'

/**
 * The subset of Cloudflare's Workers Observability query (`POST .../workers/observability/telemetry/query`)
 * Workerhive answers: the `events` view over a timeframe, filtered by script (and dispatch
 * namespace) with `eq` filters and by a text needle. Anything else is refused by name rather than
 * silently ignored, so a client never reads a wider answer as a narrower one.
 */
export interface TelemetryQuery {
  queryId: string
  from: number
  to: number
  limit: number
  script?: string
  dispatchNamespace?: string
  needle?: string
}

/** Cloudflare's default page of events, and the most one query returns here. */
const DEFAULT_LIMIT = 50
const MAX_LIMIT = 2000

const SCRIPT_KEYS = new Set(['$workers.scriptName', '$metadata.service', 'scriptName', 'service'])
const NAMESPACE_KEYS = new Set(['$workers.dispatchNamespace', 'dispatchNamespace'])

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export function parseTelemetryQuery(body: Record<string, unknown>): TelemetryQuery {
  const view = body['view'] ?? 'events'
  if (view !== 'events') throw malformedBody(`view '${String(view)}' is not supported; only 'events' is`)
  const timeframe = body['timeframe']
  if (!isObject(timeframe) || typeof timeframe['from'] !== 'number' || typeof timeframe['to'] !== 'number') {
    throw malformedBody('timeframe.from and timeframe.to (Unix milliseconds) are required')
  }
  const limitRaw = body['limit'] ?? DEFAULT_LIMIT
  if (typeof limitRaw !== 'number' || !Number.isInteger(limitRaw) || limitRaw < 1) throw malformedBody('limit must be a positive integer')
  const query: TelemetryQuery = {
    queryId: typeof body['queryId'] === 'string' ? body['queryId'] : 'workerhive-adhoc',
    from: timeframe['from'],
    to: timeframe['to'],
    limit: Math.min(limitRaw, MAX_LIMIT),
  }
  const parameters = body['parameters'] ?? {}
  if (!isObject(parameters)) throw malformedBody('parameters must be an object')
  const filters = parameters['filters'] ?? []
  if (!Array.isArray(filters)) throw malformedBody('parameters.filters must be an array')
  for (const f of filters) {
    if (!isObject(f) || typeof f['key'] !== 'string' || typeof f['value'] !== 'string') throw malformedBody('each filter needs a string key and value')
    const operation = String(f['operation'] ?? 'eq').toLowerCase()
    if (operation !== 'eq' && operation !== '=') throw malformedBody(`filter operation '${operation}' is not supported; only 'eq' is`)
    if (SCRIPT_KEYS.has(f['key'])) query.script = f['value']
    else if (NAMESPACE_KEYS.has(f['key'])) query.dispatchNamespace = f['value']
    else throw malformedBody(`filter key '${f['key']}' is not supported; use $workers.scriptName or $workers.dispatchNamespace`)
  }
  const needle = parameters['needle']
  if (needle !== undefined) {
    if (!isObject(needle) || typeof needle['value'] !== 'string') throw malformedBody('parameters.needle.value must be a string')
    if (needle['isRegex'] === true) throw malformedBody('regular expression needles are not supported')
    if (needle['value'] !== '') query.needle = needle['value']
  }
  return query
}
