import { buildSchema, GraphQLScalarType, Kind, type GraphQLSchema, type ValueNode } from 'graphql'
import { DIMENSIONS } from './invocations.js'
import { dimensionsOfDataset, OPERATIONS_DATASETS, type OperationsDataset } from './operations.js'
import { dimensionsOfStorage, STORAGE_DATASETS, type StorageDataset } from './storage.js'

const SUMS = ['requests', 'errors', 'subrequests', 'wallTime', 'cpuTime', 'cpuTimeUs', 'duration', 'responseBodySize', 'clientDisconnects']
const QUANTILES = ['P25', 'P50', 'P75', 'P90', 'P99', 'P999'].flatMap((p) => [`cpuTime${p}`, `wallTime${p}`])
const AVGS = ['sampleInterval', 'cpuTime', 'wallTime']

/**
 * The Durable Object datasets answered from the per-script records (per script that exports the
 * classes, minute granularity): requests and wall time, and the periodic figures (rows).
 */
const DO_DATASETS = [
  { name: 'durableObjectsInvocationsAdaptiveGroups', typeName: 'AccountDurableObjectsInvocationsAdaptiveGroups', sums: ['requests', 'wallTime'] },
  { name: 'durableObjectsPeriodicGroups', typeName: 'AccountDurableObjectsPeriodicGroups', sums: ['rowsRead', 'rowsWritten', 'activeTime'] },
]
const DO_DIMENSIONS = ['scriptName', 'datetime', 'datetimeMinute', 'datetimeFiveMinutes', 'datetimeFifteenMinutes', 'datetimeHour', 'date']

/** One Durable Object dataset's types (filter, orderBy, group, dimensions, sum). */
function objectsDatasetSdl(d: (typeof DO_DATASETS)[number]): string {
  const t = d.typeName
  const orderFields = [...DO_DIMENSIONS, ...d.sums.map((s) => `sum_${s}`)]
  return `
input ${t}Filter_InputObject {
  AND: [${t}Filter_InputObject!]
  OR: [${t}Filter_InputObject!]
  ${[
    ...filterFields('scriptName', 'string'),
    ...['datetime', 'datetimeMinute', 'datetimeFiveMinutes', 'datetimeFifteenMinutes', 'datetimeHour'].flatMap((dim) => filterFields(dim, 'Time')),
    ...filterFields('date', 'Date'),
  ].join('\n  ')}
}

enum ${t}OrderBy {
  ${orderFields.flatMap((f) => [`${f}_ASC`, `${f}_DESC`]).join('\n  ')}
}

type ${t} {
  dimensions: ${t}Dimensions
  sum: ${t}Sum
}

type ${t}Dimensions {
  ${DO_DIMENSIONS.map((dim) => `${dim}: ${dim === 'date' ? 'Date' : dim === 'scriptName' ? 'string' : 'Time'}!`).join('\n  ')}
}

type ${t}Sum {
  ${d.sums.map((s) => `${s}: uint64!`).join('\n  ')}
}
`
}

const ORDER_FIELDS = [...DIMENSIONS, ...SUMS.map((s) => `sum_${s}`), ...QUANTILES.map((q) => `quantiles_${q}`), ...AVGS.map((a) => `avg_${a}`)]

/** Filter fields of a dimension: equality, comparisons for times, lists for text. */
function filterFields(name: string, type: string): string[] {
  const base = [`${name}: ${type}`, `${name}_neq: ${type}`, `${name}_in: [${type}!]`, `${name}_notin: [${type}!]`]
  const ordered = [`${name}_geq: ${type}`, `${name}_gt: ${type}`, `${name}_leq: ${type}`, `${name}_lt: ${type}`]
  return type === 'string' ? [...base, `${name}_like: string`] : [...base, ...ordered]
}

/** A grouped dataset as the schema shows it: its dimensions and its one aggregate (`sum` or `max`) of fields. */
interface GroupedDataset {
  name: string
  typeName: string
  dimensions: string[]
  aggregate: 'sum' | 'max'
  fields: string[]
}

/** A grouped dataset's field on `account` and its types (filter, orderBy, group, dimensions, aggregate). */
function groupedDatasetSdl({ name, typeName: t, dimensions: dims, aggregate, fields }: GroupedDataset): { field: string; types: string } {
  const type = (dim: string): string => (dim === 'date' ? 'Date' : dim.startsWith('datetime') ? 'Time' : 'string')
  const aggregateType = `${t}${aggregate === 'sum' ? 'Sum' : 'Max'}`
  const orderFields = [...dims, ...fields.map((f) => `${aggregate}_${f}`)]
  return {
    field: `${name}(limit: uint64!, filter: ${t}Filter_InputObject, orderBy: [${t}OrderBy!]): [${t}!]!`,
    types: `
input ${t}Filter_InputObject {
  AND: [${t}Filter_InputObject!]
  OR: [${t}Filter_InputObject!]
  ${dims.flatMap((dim) => filterFields(dim, type(dim))).join('\n  ')}
}

enum ${t}OrderBy {
  ${orderFields.flatMap((f) => [`${f}_ASC`, `${f}_DESC`]).join('\n  ')}
}

type ${t} {
  dimensions: ${t}Dimensions
  ${aggregate}: ${aggregateType}
}

type ${t}Dimensions {
  ${dims.map((dim) => `${dim}: ${type(dim)}!`).join('\n  ')}
}

type ${aggregateType} {
  ${fields.map((f) => `${f}: uint64!`).join('\n  ')}
}
`,
  }
}

const OPERATIONS_SDL = OPERATIONS_DATASETS.map((d: OperationsDataset) =>
  groupedDatasetSdl({ name: d.name, typeName: d.typeName, dimensions: dimensionsOfDataset(d), aggregate: 'sum', fields: Object.keys(d.sums) }),
)

const STORAGE_SDL = STORAGE_DATASETS.map((d: StorageDataset) =>
  groupedDatasetSdl({ name: d.name, typeName: d.typeName, dimensions: dimensionsOfStorage(d), aggregate: 'max', fields: Object.keys(d.max) }),
)

/**
 * The part of Cloudflare's GraphQL Analytics schema Workerhive answers, under Cloudflare's type and
 * scalar names (lowercase `string`, `uint64`, `float64`, `Time`, `Date`), so queries written for
 * Cloudflare, variable declarations included, run unchanged.
 */
const SDL = `
scalar string
scalar uint64
scalar float64
scalar Time
scalar Date

type Query {
  viewer: viewer
}

type viewer {
  accounts(filter: AccountFilter_InputObject!): [account!]!
}

input AccountFilter_InputObject {
  accountTag: string
  accountTag_in: [string!]
}

type account {
  workersInvocationsAdaptive(limit: uint64!, filter: AccountWorkersInvocationsAdaptiveFilter_InputObject, orderBy: [AccountWorkersInvocationsAdaptiveOrderBy!]): [AccountWorkersInvocationsAdaptive!]!
  ${DO_DATASETS.map((d) => `${d.name}(limit: uint64!, filter: ${d.typeName}Filter_InputObject, orderBy: [${d.typeName}OrderBy!]): [${d.typeName}!]!`).join('\n  ')}
  ${[...OPERATIONS_SDL, ...STORAGE_SDL].map((s) => s.field).join('\n  ')}
}
${[...OPERATIONS_SDL, ...STORAGE_SDL].map((s) => s.types).join('')}

${DO_DATASETS.map(objectsDatasetSdl).join('')}
input AccountWorkersInvocationsAdaptiveFilter_InputObject {
  AND: [AccountWorkersInvocationsAdaptiveFilter_InputObject!]
  OR: [AccountWorkersInvocationsAdaptiveFilter_InputObject!]
  ${[
    ...filterFields('scriptName', 'string'),
    ...filterFields('dispatchNamespaceName', 'string'),
    ...filterFields('status', 'string'),
    ...['datetime', 'datetimeMinute', 'datetimeFiveMinutes', 'datetimeFifteenMinutes', 'datetimeHour'].flatMap((d) => filterFields(d, 'Time')),
    ...filterFields('date', 'Date'),
  ].join('\n  ')}
}

enum AccountWorkersInvocationsAdaptiveOrderBy {
  ${ORDER_FIELDS.flatMap((f) => [`${f}_ASC`, `${f}_DESC`]).join('\n  ')}
}

type AccountWorkersInvocationsAdaptive {
  dimensions: AccountWorkersInvocationsAdaptiveDimensions
  sum: AccountWorkersInvocationsAdaptiveSum
  quantiles: AccountWorkersInvocationsAdaptiveQuantiles
  avg: AccountWorkersInvocationsAdaptiveAvg
}

type AccountWorkersInvocationsAdaptiveDimensions {
  scriptName: string!
  dispatchNamespaceName: string!
  status: string!
  datetime: Time!
  datetimeMinute: Time!
  datetimeFiveMinutes: Time!
  datetimeFifteenMinutes: Time!
  datetimeHour: Time!
  date: Date!
}

type AccountWorkersInvocationsAdaptiveSum {
  ${SUMS.map((s) => `${s}: ${s === 'duration' ? 'float64' : 'uint64'}!`).join('\n  ')}
}

type AccountWorkersInvocationsAdaptiveQuantiles {
  ${QUANTILES.map((q) => `${q}: float64!`).join('\n  ')}
}

type AccountWorkersInvocationsAdaptiveAvg {
  ${AVGS.map((a) => `${a}: float64!`).join('\n  ')}
}
`

/** A scalar that takes what its literal or variable says and hands it on as text or a number. */
function passThrough(name: string, kind: 'text' | 'number'): GraphQLScalarType {
  const literal = (ast: ValueNode): unknown => {
    if (ast.kind === Kind.STRING) return ast.value
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return kind === 'number' ? Number(ast.value) : ast.value
    throw new TypeError(`${name} cannot represent ${ast.kind === Kind.BOOLEAN ? 'a boolean' : 'this value'}`)
  }
  return new GraphQLScalarType({
    name,
    serialize: (v) => v,
    parseValue: (v) => {
      if (typeof v === 'string' || typeof v === 'number') return kind === 'number' ? Number(v) : String(v)
      throw new TypeError(`${name} cannot represent ${JSON.stringify(v)}`)
    },
    parseLiteral: literal,
  })
}

export function analyticsSchema(): GraphQLSchema {
  const schema = buildSchema(SDL)
  // buildSchema makes opaque scalars: give them Cloudflare's leniency (numbers for uint64, text for the rest).
  const scalars: Record<string, GraphQLScalarType> = {
    string: passThrough('string', 'text'),
    uint64: passThrough('uint64', 'number'),
    float64: passThrough('float64', 'number'),
    Time: passThrough('Time', 'text'),
    Date: passThrough('Date', 'text'),
  }
  for (const [name, replacement] of Object.entries(scalars)) {
    const t = schema.getType(name) as GraphQLScalarType
    t.serialize = replacement.serialize
    t.parseValue = replacement.parseValue
    t.parseLiteral = replacement.parseLiteral
  }
  return schema
}
