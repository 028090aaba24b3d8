import {
  execute,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  VariablesInAllowedPositionRule,
  visit,
  type DocumentNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql'
import type { StoredUsage } from '../../storage/store.js'
import { aggregate, DIMENSIONS, order, QueryError, timeRange, type Dimension, type Filter } from './invocations.js'
import { analyticsSchema } from './schema.js'
import { aggregateOperations, dimensionsOfDataset, OPERATIONS_DATASETS, type OperationsDataset } from './operations.js'
import type { OperationRecord, StorageProduct, StorageSample, UsageProduct } from '../../shared/usage.js'
import { aggregateStorage, dimensionsOfStorage, STORAGE_DATASETS, type StorageDataset } from './storage.js'

/** Widest time range one dataset query may read (Cloudflare: a month of data per query). */
export const MAX_RANGE_MS = 31 * 86_400_000
/** Without a time filter, the last day is read. */
export const DEFAULT_RANGE_MS = 86_400_000
/** Most groups a query may ask for, and most stored records one query may read. */
export const MAX_LIMIT = 10_000
export const MAX_RECORDS = 200_000
/** Datasets one request may query (aliases included). */
const MAX_DATASETS = 10
const DATASETS = new Set(['workersInvocationsAdaptive', 'durableObjectsInvocationsAdaptiveGroups', 'durableObjectsPeriodicGroups', ...OPERATIONS_DATASETS.map((d) => d.name), ...STORAGE_DATASETS.map((d) => d.name)])

const schema = analyticsSchema()
// Cloudflare's own examples declare `$datetimeStart: string` and pass it where a Time goes: its
// server accepts that, so this one does not check variable types against their positions.
const rules = specifiedRules.filter((r) => r !== VariablesInAllowedPositionRule)

export interface AnalyticsDeps {
  /** The caller's account: the only accountTag it may ask about. */
  accountId: string
  now: number
  /** The account's stored usage records of a range of minutes (at most `limit`). */
  read(range: { from: number; to: number }, limit: number): Promise<StoredUsage[]>
  /** The account's operations on one product's resources in a range of minutes (at most `limit`). */
  readOperations(product: UsageProduct, range: { from: number; to: number }, limit: number): Promise<OperationRecord[]>
  /** The account's storage samples of one product in a range of minutes (at most `limit`). */
  readStorage(product: StorageProduct, range: { from: number; to: number }, limit: number): Promise<StorageSample[]>
  /** Errors that are not the query's fault (the store failed). */
  onInternalError(err: unknown): void
}

export interface GraphQLAnswer {
  data: unknown
  errors: Array<{ message: string; path?: ReadonlyArray<string | number>; locations?: unknown; extensions: { code: string; timestamp: string } }> | null
}

/**
 * Runs one GraphQL Analytics request. Every failure (syntax, unknown fields, another account's
 * tag, a range too wide) answers as Cloudflare does: `data: null` and the errors, never a throw.
 */
export async function runAnalyticsQuery(body: unknown, deps: AnalyticsDeps): Promise<GraphQLAnswer> {
  const now = new Date(deps.now).toISOString()
  const failed = (errors: ReadonlyArray<GraphQLError>, code: string): GraphQLAnswer => ({
    data: null,
    errors: errors.map((e) => ({
      message: e.message,
      ...(e.path ? { path: e.path } : {}),
      ...(e.locations ? { locations: e.locations } : {}),
      extensions: { code: typeof e.extensions['code'] === 'string' ? e.extensions['code'] : code, timestamp: now },
    })),
  })
  const request = body as { query?: unknown; variables?: unknown; operationName?: unknown } | null
  if (typeof request !== 'object' || request === null || typeof request.query !== 'string') {
    return failed([new GraphQLError('the body must be a JSON object with a "query" string')], 'bad_request')
  }
  const variables = request.variables ?? undefined
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return failed([new GraphQLError('"variables" must be an object')], 'bad_request')
  }
  let document: DocumentNode
  try {
    document = parse(request.query, { maxTokens: 10_000 })
  } catch (err) {
    return failed([err instanceof GraphQLError ? err : new GraphQLError(String(err))], 'parse')
  }
  const invalid = validate(schema, document, rules)
  if (invalid.length > 0) return failed(invalid, 'validation')
  if (datasetCount(document) > MAX_DATASETS) return failed([new GraphQLError(`a request may query at most ${MAX_DATASETS} datasets`)], 'validation')

  const result = await execute({
    schema,
    document,
    rootValue: { viewer: () => viewer(deps) },
    variableValues: (variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: typeof request.operationName === 'string' ? request.operationName : undefined,
  })
  if (!result.errors || result.errors.length === 0) return { data: result.data ?? null, errors: null }
  for (const e of result.errors) if (e.originalError && !(e.originalError instanceof QueryError) && !(e.originalError instanceof GraphQLError)) deps.onInternalError(e.originalError)
  return failed(
    result.errors.map((e) =>
      e.originalError && !(e.originalError instanceof QueryError) && !(e.originalError instanceof GraphQLError)
        ? new GraphQLError('internal error while reading analytics; try again', { path: e.path, extensions: { code: 'internal' } })
        : e,
    ),
    'bad_request',
  )
}

function viewer(deps: AnalyticsDeps) {
  return {
    accounts(args: { filter: { accountTag?: string | null; accountTag_in?: string[] | null } }) {
      const tags = args.filter.accountTag_in ?? (args.filter.accountTag ? [args.filter.accountTag] : [])
      if (tags.length === 0) throw new QueryError('accounts: filter must name an accountTag')
      for (const tag of tags) {
        if (tag !== deps.accountId) throw new GraphQLError(`not authorized for account ${tag}`, { extensions: { code: 'authz' } })
      }
      return [
        {
          workersInvocationsAdaptive: (a: DatasetArgs, _ctx: unknown, info: GraphQLResolveInfo) => invocationsAdaptive(deps, a, info),
          durableObjectsInvocationsAdaptiveGroups: (a: DatasetArgs, _ctx: unknown, info: GraphQLResolveInfo) => durableObjectsAdaptive(deps, a, info),
          durableObjectsPeriodicGroups: (a: DatasetArgs, _ctx: unknown, info: GraphQLResolveInfo) => durableObjectsPeriodic(deps, a, info),
          ...Object.fromEntries(OPERATIONS_DATASETS.map((d) => [d.name, (a: DatasetArgs, _ctx: unknown, info: GraphQLResolveInfo) => operationsAdaptive(deps, d, a, info)])),
          ...Object.fromEntries(STORAGE_DATASETS.map((d) => [d.name, (a: DatasetArgs, _ctx: unknown, info: GraphQLResolveInfo) => storageAdaptive(deps, d, a, info)])),
        },
      ]
    },
  }
}

interface DatasetArgs {
  limit: number
  filter?: Filter | null
  orderBy?: string[] | null
}

async function invocationsAdaptive(deps: AnalyticsDeps, args: DatasetArgs, info: GraphQLResolveInfo) {
  const records = await recordsFor(args, deps.now, deps.read)
  return order(aggregate(records, args.filter, selectedDimensions(info, DIMENSIONS) as Dimension[]), args.orderBy).slice(0, args.limit)
}

/**
 * Requests to Durable Objects and their wall time (µs), per script that exports the classes: the
 * `do_*` counters of the same records (docs/usage.md).
 */
async function durableObjectsAdaptive(deps: AnalyticsDeps, args: DatasetArgs, info: GraphQLResolveInfo) {
  const records = (await recordsFor(args, deps.now, deps.read)).filter((r) => r.doRequests > 0)
  const groups = aggregate(records, args.filter, selectedDimensions(info, DIMENSIONS) as Dimension[]).map((g) => ({
    dimensions: g.dimensions,
    sum: { requests: g.sum['doRequests'] ?? 0, wallTime: g.sum['doWallTimeUs'] ?? 0 },
    quantiles: {},
    avg: {},
  }))
  return order(groups, args.orderBy).slice(0, args.limit)
}

/**
 * Rows Durable Objects' storage read and wrote, and their active (wall) time in µs, per script that
 * exports the classes: the `do_rows_*` and `do_wall_time_us` counters (docs/usage.md).
 */
async function durableObjectsPeriodic(deps: AnalyticsDeps, args: DatasetArgs, info: GraphQLResolveInfo) {
  const records = (await recordsFor(args, deps.now, deps.read)).filter((r) => r.doRequests > 0 || r.doRowsRead > 0 || r.doRowsWritten > 0)
  const groups = aggregate(records, args.filter, selectedDimensions(info, DIMENSIONS) as Dimension[]).map((g) => ({
    dimensions: g.dimensions,
    sum: { rowsRead: g.sum['doRowsRead'] ?? 0, rowsWritten: g.sum['doRowsWritten'] ?? 0, activeTime: g.sum['doWallTimeUs'] ?? 0 },
    quantiles: {},
    avg: {},
  }))
  return order(groups, args.orderBy).slice(0, args.limit)
}

/** A per-resource dataset (D1 databases, R2 buckets, queues) from the operations records. */
async function operationsAdaptive(deps: AnalyticsDeps, d: OperationsDataset, args: DatasetArgs, info: GraphQLResolveInfo) {
  const records = await recordsFor(args, deps.now, (range, limit) => deps.readOperations(d.product, range, limit))
  return order(aggregateOperations(d, records, args.filter, selectedDimensions(info, dimensionsOfDataset(d))), args.orderBy).slice(0, args.limit)
}

/** A storage dataset (D1 databases, R2 buckets) from the sampled gauges. */
async function storageAdaptive(deps: AnalyticsDeps, d: StorageDataset, args: DatasetArgs, info: GraphQLResolveInfo) {
  const samples = await recordsFor(args, deps.now, (range, limit) => deps.readStorage(d.product, range, limit))
  return order(aggregateStorage(d, samples, args.filter, selectedDimensions(info, dimensionsOfStorage(d))), args.orderBy).slice(0, args.limit)
}

/** The account's records in the range a dataset's arguments ask for, within the query limits. */
async function recordsFor<T>(args: DatasetArgs, now: number, read: (range: { from: number; to: number }, limit: number) => Promise<T[]>): Promise<T[]> {
  if (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > MAX_LIMIT) throw new QueryError(`limit must be between 1 and ${MAX_LIMIT}`)
  const range = timeRange(args.filter, now, DEFAULT_RANGE_MS)
  if (range.to < range.from) return []
  if (range.to - range.from > MAX_RANGE_MS) {
    throw new QueryError(`the time range is too wide: at most ${MAX_RANGE_MS / 86_400_000} days per query (asked for ${Math.ceil((range.to - range.from) / 86_400_000)})`)
  }
  const records = await read(range, MAX_RECORDS + 1)
  if (records.length > MAX_RECORDS) throw new QueryError('too many usage records in this range: narrow the time range or the filter')
  return records
}

/** The dimensions (of `known`) the query selects under `dimensions` (fragments included). */
function selectedDimensions(info: GraphQLResolveInfo, known: readonly string[]): string[] {
  const out = new Set<string>()
  const fieldsOf = (set: SelectionSetNode | undefined, into: (name: string, sub: SelectionSetNode | undefined) => void): void => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) into(s.name.value, s.selectionSet)
      else if (s.kind === Kind.INLINE_FRAGMENT) fieldsOf(s.selectionSet, into)
      else if (s.kind === Kind.FRAGMENT_SPREAD) fieldsOf(info.fragments[s.name.value]?.selectionSet, into)
    }
  }
  for (const node of info.fieldNodes) {
    fieldsOf(node.selectionSet, (name, sub) => {
      if (name !== 'dimensions') return
      fieldsOf(sub, (dim) => {
        if (known.includes(dim)) out.add(dim)
      })
    })
  }
  return [...out]
}

function datasetCount(document: DocumentNode): number {
  let n = 0
  visit(document, {
    Field(node) {
      if (DATASETS.has(node.name.value)) n++
    },
  })
  return n
}
