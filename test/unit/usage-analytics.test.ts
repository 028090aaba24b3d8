import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { addSample, bucketOf, quantileOf, emptyCounters, type Histogram } from '../../src/shared/usage.js'
import { aggregate, order, timeRange } from '../../src/api/graphql/invocations.js'
import { aggregateOperations, OPERATIONS_DATASETS } from '../../src/api/graphql/operations.js'
import { aggregateStorage, STORAGE_DATASETS } from '../../src/api/graphql/storage.js'
import type { StoredUsage } from '../../src/storage/store.js'

describe('usage histograms', () => {
  it('read quantiles back within 9.1 % of the samples (fixed log buckets, four per octave)', () => {
    for (const us of [1, 3, 17, 950, 50_000, 49_999, 1_234_567, 30_000_000]) {
      const h: Histogram = {}
      addSample(h, us)
      const back = quantileOf(h, 0.5)
      assert.ok(Math.abs(back - us) / us <= 2 ** (1 / 8) - 1 + 1e-9, `${us} µs read back as ${back}`)
    }
    assert.equal(bucketOf(0), 0)
    assert.equal(quantileOf({}, 0.5), 0)
  })

  it('pick the bucket holding the rank asked for', () => {
    const h: Histogram = {}
    for (let i = 0; i < 99; i++) addSample(h, 1000)
    addSample(h, 100_000)
    assert.ok(Math.abs(quantileOf(h, 0.5) - 1000) < 100)
    assert.ok(Math.abs(quantileOf(h, 0.99) - 1000) < 100, 'p99 of 100 samples is the 99th')
    assert.ok(Math.abs(quantileOf(h, 0.999) - 100_000) < 10_000)
  })
})

const MINUTE = Date.UTC(2026, 11, 5, 10, 7)
const rec = (script: string, status: StoredUsage['status'], requests: number, minute = MINUTE, namespaceName: string | null = 'tenants'): StoredUsage => ({
  accountId: 'a',
  namespaceId: namespaceName ? 'ns' : '',
  namespaceName,
  script,
  minute,
  status,
  ...emptyCounters(),
  requests,
  cpuTimeUs: requests * 1000,
  cpuHistogram: { [bucketOf(1000)]: requests },
  wallHistogram: {},
})

describe('workersInvocationsAdaptive over usage records', () => {
  const records = [rec('a', 'ok', 5), rec('a', 'exception', 2), rec('b', 'exceededCpu', 1, MINUTE + 3_600_000), rec('own', 'ok', 4, MINUTE, null)]

  it('groups by the selected dimensions, counts every non-success as an error, and maps statuses to Cloudflare names', () => {
    const groups = order(aggregate(records, null, ['scriptName', 'status']), ['scriptName_ASC', 'status_ASC'])
    assert.deepEqual(
      groups.map((g) => [g.dimensions.scriptName, g.dimensions.status, g.sum['requests'], g.sum['errors']]),
      [
        ['a', 'scriptThrewException', 2, 2],
        ['a', 'success', 5, 0],
        ['b', 'exceededResources', 1, 1],
        ['own', 'success', 4, 0],
      ],
    )
    const [total] = aggregate(records, null, [])
    assert.equal(total?.sum['requests'], 12)
    assert.equal(total?.sum['cpuTime'], 12_000)
  })

  it("filters on Cloudflare's operators, AND and OR", () => {
    const sum = (filter: Record<string, unknown>) => aggregate(records, filter, []).reduce((n, g) => n + g.sum['requests']!, 0)
    assert.equal(sum({ dispatchNamespaceName: 'tenants' }), 8)
    assert.equal(sum({ dispatchNamespaceName: '' }), 4, 'account-level scripts have an empty namespace name')
    assert.equal(sum({ scriptName_in: ['a', 'b'], status_neq: 'success' }), 3)
    assert.equal(sum({ datetime_geq: new Date(MINUTE + 60_000).toISOString() }), 1)
    assert.equal(sum({ datetimeHour: '2026-12-05T10:00:00Z' }), 11)
    assert.equal(sum({ OR: [{ scriptName: 'b' }, { scriptName: 'own' }] }), 5)
    assert.equal(sum({ AND: [{ scriptName_like: 'a%' }, { status: 'success' }] }), 5)
    assert.equal(sum({ date_geq: '2026-12-06' }), 0)
  })

  it('reads the time range a filter confines the query to', () => {
    const now = Date.UTC(2026, 11, 5, 12)
    assert.deepEqual(timeRange({ datetime_geq: '2026-12-05T10:00:30Z', datetime_leq: '2026-12-05T11:00:00Z' }, now, 86_400_000), {
      from: Date.UTC(2026, 11, 5, 10),
      to: Date.UTC(2026, 11, 5, 11),
    })
    assert.deepEqual(timeRange({ date: '2026-12-04' }, now, 86_400_000), { from: Date.UTC(2026, 11, 4), to: Date.UTC(2026, 11, 5) - 1 })
    assert.deepEqual(timeRange(null, now, 86_400_000), { from: now - 86_400_000, to: now })
  })
})

describe('per-resource datasets over usage operations', () => {
  const at = Date.parse('2026-12-05T10:00:00Z')
  const op = (resource: string, action: string, operations: number, minute = at) => ({ accountId: 'acc', minute, product: 'r2' as const, resource, action, operations, rowsRead: 0, rowsWritten: 0, bytes: 0 })
  const r2 = OPERATIONS_DATASETS.find((d) => d.name === 'r2OperationsAdaptiveGroups')!
  const d1 = OPERATIONS_DATASETS.find((d) => d.name === 'd1AnalyticsAdaptiveGroups')!
  const records = [op('files', 'PutObject', 2), op('files', 'GetObject', 5), op('files', 'GetObject', 1, at + 60_000), op('media', 'GetObject', 7)]

  it('groups by the resource and action selected, filters on them and orders by sums', () => {
    const byBucket = order(aggregateOperations(r2, records, { actionType: 'GetObject' }, ['bucketName']), ['sum_requests_DESC'])
    assert.deepEqual(byBucket.map((g) => [g.dimensions['bucketName' as never], g.sum['requests']]), [['media', 7], ['files', 6]])
    const perMinute = aggregateOperations(r2, records, { bucketName: 'files', datetime_gt: '2026-12-05T10:00:00Z' }, ['actionType', 'datetimeMinute'])
    assert.deepEqual(perMinute.map((g) => [g.dimensions['actionType' as never], g.dimensions['datetimeMinute'], g.sum['requests']]), [['GetObject', '2026-12-05T10:01:00Z', 1]])
  })

  it("splits D1's queries into reads and writes and sums their rows", () => {
    const queries = [
      { ...op('db', 'read', 3), product: 'd1' as const, rowsRead: 30 },
      { ...op('db', 'write', 1), product: 'd1' as const, rowsRead: 1, rowsWritten: 2 },
    ]
    assert.deepEqual(aggregateOperations(d1, queries, null, ['databaseId'])[0]?.sum, { readQueries: 3, writeQueries: 1, rowsRead: 31, rowsWritten: 2 })
  })
})

describe('storage datasets over sampled gauges', () => {
  const at = Date.UTC(2026, 11, 5, 10, 0)
  const sample = (resource: string, bytes: number, objects: number, minute = at) => ({ accountId: 'acc', minute, product: 'r2' as const, resource, bytes, metadataBytes: 1, objects })
  const r2 = STORAGE_DATASETS.find((d) => d.name === 'r2StorageAdaptiveGroups')!

  it('answers the largest sample of each group, not a sum of samples', () => {
    const samples = [sample('files', 10, 1), sample('files', 30, 3, at + 300_000), sample('files', 20, 2, at + 600_000), sample('media', 5, 1)]
    const perBucket = order(aggregateStorage(r2, samples, null, ['bucketName']), ['max_payloadSize_DESC'])
    assert.deepEqual(perBucket.map((g) => [g.dimensions['bucketName' as never], g.max['payloadSize'], g.max['objectCount']]), [['files', 30, 3], ['media', 5, 1]])
    const later = aggregateStorage(r2, samples, { bucketName: 'files', datetime_geq: '2026-12-05T10:10:00Z' }, ['datetime'])
    assert.deepEqual(later.map((g) => [g.dimensions['datetime'], g.max['payloadSize']]), [['2026-12-05T10:10:00Z', 20]])
  })
})
