import { createHash } from 'node:crypto'
import { Hono, type Context } from 'hono'
import { d1BadRequest, d1QueryFailed, internalError } from '../../domain/errors.js'
import type { D1Outcome } from '../../d1/service.js'
import { jsonValue, statementOf } from '../../d1/service.js'
import { D1_LIMITS } from '../../d1/limits.js'
import { splitStatements } from '../../d1/sql/statements.js'
import { meterQueries } from '../../d1/metering.js'
import type { StatementResult, SqlStatement } from '../../d1/engine/protocol.js'
import type { D1DatabaseRecord } from '../../storage/d1-store.js'
import { BULK_BODY_LIMIT, intParam, readJson, readJsonObject } from '../body.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { ok, paginate } from '../envelope.js'
import { readBodyLimited } from '../upload/read-body.js'
import { bodyTooLarge } from '../../domain/errors.js'

type D1Deps = NonNullable<ApiDeps['d1']>

/** Where wrangler puts an import file and gets an export (outside /client/v4: the token is the credential). */
export const D1_TRANSFER_PATH = '/d1-transfer'

const d1Of = (deps: ApiDeps): D1Deps => {
  if (!deps.d1) throw internalError()
  return deps.d1
}

/** `/accounts/:accountId/d1/database[/:databaseId[/query|raw|export|import]]`. */
export function d1Routes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const base = '/accounts/:accountId/d1/database'
  const account = (c: Context<ApiEnv>) => c.get('account').id
  const database = (c: Context<ApiEnv>) => d1Of(deps).service.resolve(account(c), c.req.param('databaseId') ?? '')

  app.get(base, async (c) => {
    const page = intParam(c.req.query('page'), 1, 1, Number.MAX_SAFE_INTEGER)
    const perPage = intParam(c.req.query('per_page'), 100, 1, 10_000)
    const name = c.req.query('name')
    const all = await d1Of(deps).service.list(account(c))
    const matching = name ? all.filter((d) => d.name === name) : all
    const { items, info } = paginate(matching.map(listView), page, perPage)
    return c.json(ok(items, info))
  })

  app.post(base, async (c) => {
    const body = await readJsonObject(c)
    const service = d1Of(deps).service
    const db = await service.create(account(c), body.name)
    return c.json(ok(detailView(db, await service.info(db))))
  })

  app.get(`${base}/:databaseId`, async (c) => {
    const db = await database(c)
    return c.json(ok(detailView(db, await d1Of(deps).service.info(db))))
  })

  app.delete(`${base}/:databaseId`, async (c) => {
    await d1Of(deps).service.delete(account(c), c.req.param('databaseId'))
    return c.json(ok(null))
  })

  for (const format of ['query', 'raw'] as const) {
    app.post(`${base}/:databaseId/${format}`, async (c) => {
      const db = await database(c)
      const statements = statementsOfBody(await readJson(c, BULK_BODY_LIMIT))
      const outcome = await d1Of(deps).service.query(db, statements, 'batch')
      if (deps.usageMeter) meterQueries(deps.usageMeter, db, outcome.results)
      if (!outcome.ok) throw d1QueryFailed(outcome.error)
      return c.json(ok(outcome.results.map((r) => restResult(r, format))))
    })
  }

  app.post(`${base}/:databaseId/export`, async (c) => {
    const db = await database(c)
    const body = await readJsonObject(c)
    const options = (body.dump_options ?? {}) as { no_schema?: unknown; no_data?: unknown; tables?: unknown }
    const tables = Array.isArray(options.tables) ? options.tables.filter((t): t is string => typeof t === 'string') : []
    const dump = await d1Of(deps).service.dump(db, { noSchema: options.no_schema === true, noData: options.no_data === true, tables })
    const token = d1Of(deps).transfers.open({ kind: 'export', accountId: db.accountId, databaseId: db.id, body: dump })
    const filename = `${db.name}-${token.slice(0, 8)}.sql`
    return c.json(ok({
      success: true,
      type: 'export',
      status: 'complete',
      at_bookmark: '',
      messages: [],
      error: null,
      result: { filename, signed_url: `${new URL(c.req.url).origin}${D1_TRANSFER_PATH}/${token}` },
    }))
  })

  // wrangler's import: `init` (announcing the file's MD5) gets an upload URL; after the PUT,
  // `ingest` runs the file in one transaction and answers as a finished poll.
  app.post(`${base}/:databaseId/import`, async (c) => {
    const db = await database(c)
    const body = await readJsonObject(c)
    const { transfers, service } = d1Of(deps)
    if (body.action === 'init') {
      if (typeof body.etag !== 'string' || !/^[0-9a-f]{32}$/.test(body.etag)) throw d1BadRequest('init needs the file\'s MD5 as "etag"')
      const token = transfers.open({ kind: 'import', accountId: db.accountId, databaseId: db.id, etag: body.etag })
      return c.json(ok({ filename: token, upload_url: `${new URL(c.req.url).origin}${D1_TRANSFER_PATH}/${token}` }))
    }
    if (body.action === 'ingest') {
      const transfer = typeof body.filename === 'string' ? transfers.importOf(db.accountId, db.id, body.filename) : undefined
      if (!transfer || transfer.body === undefined) return c.json(ok({ success: false, error: 'The import file was not uploaded' }))
      transfers.close(body.filename as string)
      return c.json(ok(importPoll(await service.importSql(db, transfer.body))))
    }
    if (body.action === 'poll') return c.json(ok({ success: false, error: 'No import is in progress' }))
    throw d1BadRequest('action must be one of init, ingest, poll')
  })

  return app
}

/** The presigned URLs of imports (PUT) and exports (GET). */
export function d1TransferRoutes(deps: ApiDeps): Hono {
  const app = new Hono()
  app.put(`${D1_TRANSFER_PATH}/:token`, async (c) => {
    const transfer = deps.d1?.transfers.get(c.req.param('token'))
    if (!transfer || transfer.kind !== 'import' || transfer.body !== undefined) return c.text('Not Found', 404)
    const bytes = await readBodyLimited(c.req.raw, D1_LIMITS.maxImportBytes, D1_LIMITS.maxImportBytes, bodyTooLarge)
    const md5 = createHash('md5').update(bytes).digest('hex')
    if (md5 !== transfer.etag) return c.text('The upload does not match the announced MD5', 400)
    transfer.body = new TextDecoder().decode(bytes)
    return c.body(null, 200, { etag: `"${md5}"` })
  })
  app.get(`${D1_TRANSFER_PATH}/:token`, (c) => {
    const transfer = deps.d1?.transfers.get(c.req.param('token'))
    if (!transfer || transfer.kind !== 'export' || transfer.body === undefined) return c.text('Not Found', 404)
    return c.body(transfer.body, 200, { 'content-type': 'application/sql' })
  })
  return app
}

/** `{sql, params?}` (several statements allowed when there are no params) or `{batch: [{sql, params?}]}`. */
function statementsOfBody(body: unknown): SqlStatement[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw d1BadRequest('expected a JSON object with "sql" or "batch"')
  const b = body as { sql?: unknown; params?: unknown; batch?: unknown }
  if (b.batch !== undefined) {
    if (!Array.isArray(b.batch) || b.batch.length === 0) throw d1BadRequest('"batch" must be a non-empty array of queries')
    return b.batch.map(statementOf)
  }
  const single = statementOf(b)
  const parts = splitStatements(single.sql)
  if (parts.length <= 1) return [single]
  if (single.params.length > 0) throw d1BadRequest('params can only be bound to a single statement')
  return parts.map((sql) => ({ sql, params: [] }))
}

function restResult(r: StatementResult, format: 'query' | 'raw') {
  const rows = r.rows.map((row) => row.map(jsonValue))
  return {
    results: format === 'raw' ? { columns: r.columns, rows } : rows.map((row) => Object.fromEntries(row.map((v, i) => [r.columns[i]!, v]))),
    success: true,
    meta: metaView(r.meta),
  }
}

export function metaView(meta: StatementResult['meta']) {
  return {
    served_by: 'workerhive',
    served_by_region: 'local',
    served_by_primary: true,
    timings: { sql_duration_ms: meta.duration },
    ...meta,
  }
}

function importPoll(outcome: D1Outcome) {
  if (!outcome.ok)
    return { success: true, type: 'import', status: 'error', at_bookmark: outcome.bookmark, messages: [], errors: [outcome.error] }
  const sum = (f: 'rows_read' | 'rows_written' | 'changes' | 'duration') => outcome.results.reduce((n, r) => n + r.meta[f], 0)
  const last = outcome.results.at(-1)?.meta
  return {
    success: true,
    type: 'import',
    status: 'complete',
    at_bookmark: outcome.bookmark,
    messages: [],
    errors: [],
    result: {
      final_bookmark: outcome.bookmark,
      num_queries: outcome.results.length,
      meta: {
        served_by: 'workerhive',
        duration: sum('duration'),
        changes: sum('changes'),
        last_row_id: last?.last_row_id ?? 0,
        changed_db: outcome.results.some((r) => r.meta.changed_db),
        size_after: last?.size_after ?? 0,
        rows_read: sum('rows_read'),
        rows_written: sum('rows_written'),
      },
    },
  }
}

const listView = (db: D1DatabaseRecord) => ({ uuid: db.id, name: db.name, version: 'production', created_at: db.createdOn })

const detailView = (db: D1DatabaseRecord, info: { size: number; tables: number }) => ({
  ...listView(db),
  num_tables: info.tables,
  file_size: info.size,
  running_in_region: 'local',
  read_replication: { mode: 'disabled' },
})
