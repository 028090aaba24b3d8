import type { AccountId } from '../../domain/ids.js'
import { ApiError } from '../../domain/errors.js'
import type { StatementResult, SqlStatement } from '../../d1/engine/protocol.js'
import { jsonValue, statementOf, type D1Service } from '../../d1/service.js'
import { splitStatements } from '../../d1/sql/statements.js'
import { meterQueries } from '../../d1/metering.js'
import type { InternalHandler, InternalHandlerDeps } from '../kind.js'
import type { OperationMeter } from '../../shared/usage.js'
import { D1_BOOKMARK_HEADER, D1_USAGE_HEADER, D1_WIRE } from './wire.js'

type ResultsFormat = 'ARRAY_OF_OBJECTS' | 'ROWS_AND_COLUMNS' | 'NONE'

/**
 * Node's half of the D1 binding. The account and database come from the binding's props, set by
 * the host from a descriptor whose databases were checked to belong to the script's account; the
 * service answers a foreign or deleted database as not found all the same.
 *
 *   POST …/query    one {sql, params} (run whole, every statement of it) or an array (a batch:
 *                   one transaction); answers one result or an array of them
 *   POST …/execute  the same; an array runs statement by statement (exec()), stopping at the first
 *                   failure, whose entry is `{error}`
 */
export function d1Internal(deps: InternalHandlerDeps): InternalHandler[] {
  const handle = (mode: 'query' | 'execute') => async (request: Request, params: Record<string, string>) => {
    // An internal API built without D1 (unit tests of other parts) still serves the wire's routes.
    if (!deps.d1) return failure('D1 is not available on this node', Array.isArray(await request.json().catch(() => null)))
    return d1Call(deps.d1, request, { accountId: params.account ?? '', databaseId: params.db ?? '' }, mode, deps.usage)
  }
  return [
    { route: D1_WIRE.query, handle: handle('query') },
    { route: D1_WIRE.execute, handle: handle('execute') },
  ]
}

async function d1Call(service: D1Service, request: Request, ref: { accountId: string; databaseId: string }, mode: 'query' | 'execute', usage?: OperationMeter): Promise<Response> {
  const format = resultsFormatOf(new URL(request.url).searchParams.get('resultsFormat'))
  let body: unknown
  try {
    body = await request.json()
  } catch {
    return failure('the request body is not JSON', false)
  }
  const many = Array.isArray(body)
  let statements: SqlStatement[]
  try {
    const db = await service.resolve(ref.accountId as AccountId, ref.databaseId)
    // One statement object may hold several statements: they run together, the last one answers.
    statements = many ? (body as unknown[]).map(statementOf) : splitAll(statementOf(body))
    const outcome = await service.query(db, statements, many && mode === 'execute' ? 'sequence' : 'batch')
    if (usage) meterQueries(usage, db, outcome.results)
    const headers = { 'content-type': 'application/json', [D1_BOOKMARK_HEADER]: outcome.bookmark, [D1_USAGE_HEADER]: usageOf(outcome.results) }
    const rendered = outcome.results.map((r) => render(r, format))
    if (!outcome.ok) {
      const answer = many && mode === 'execute' ? [...rendered, { success: false, error: outcome.error }] : errorBody(outcome.error, many)
      return new Response(JSON.stringify(answer), { headers })
    }
    return new Response(JSON.stringify(many ? rendered : rendered.at(-1)), { headers })
  } catch (e) {
    if (e instanceof ApiError) return failure(e.message, many)
    throw e
  }
}

/** The statements that ran and the rows they read and wrote, as the caller's usage records count them. */
function usageOf(results: StatementResult[]): string {
  let read = 0
  let written = 0
  for (const r of results) {
    read += r.meta.rows_read
    written += r.meta.rows_written
  }
  return `${results.length},${read},${written}`
}

function splitAll(s: SqlStatement): SqlStatement[] {
  const parts = splitStatements(s.sql)
  return parts.length <= 1 ? [s] : parts.map((sql, i) => ({ sql, params: i === parts.length - 1 ? s.params : [] }))
}

function render(r: StatementResult, format: ResultsFormat) {
  const meta = { ...r.meta, served_by: 'workerhive', served_by_primary: true, timings: { sql_duration_ms: r.meta.duration } }
  if (format === 'NONE') return { success: true, meta }
  const rows = r.rows.map((row) => row.map(jsonValue))
  if (format === 'ROWS_AND_COLUMNS') return { success: true, meta, results: { columns: r.columns, rows } }
  return { success: true, meta, results: rows.map((row) => Object.fromEntries(row.map((v, i) => [r.columns[i]!, v]))) }
}

const errorBody = (error: string, many: boolean) => (many ? [{ success: false, error }] : { success: false, error })

const failure = (error: string, many: boolean): Response => Response.json(errorBody(error, many))

function resultsFormatOf(raw: string | null): ResultsFormat {
  return raw === 'ROWS_AND_COLUMNS' || raw === 'NONE' ? raw : 'ARRAY_OF_OBJECTS'
}
