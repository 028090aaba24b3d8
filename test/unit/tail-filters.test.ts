import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compileFilters, TailFiltersBody, type TailFilter } from '../../src/api/tail/filters.js'
import { toTailMessage } from '../../src/api/tail/message.js'
import type { TraceEvent } from '../../src/runtime/events.js'

const request = (over: { method?: string; headers?: Record<string, string>; clientIp?: string } = {}): TraceEvent => ({
  outcome: 'ok',
  eventTimestamp: 1,
  logs: [{ message: ['hello', { user: 'ada' }], level: 'log', timestamp: 1 }],
  exceptions: [],
  event: {
    request: {
      url: 'https://a.example/',
      method: over.method ?? 'GET',
      headers: over.headers ?? {},
      ...(over.clientIp ? { cf: { clientIp: over.clientIp } } : {}),
    },
    response: { status: 200 },
  },
})

const passes = (filters: TailFilter[], event: TraceEvent, creatorIp?: string, random = () => 0.5) =>
  compileFilters(filters, { creatorIp, random })(toTailMessage(event, { script: 's', namespaceName: null }))

describe('tail messages', () => {
  it("carry the script's name and the fields wrangler reads, defaulted when the runtime left them out", () => {
    const message = toTailMessage({ outcome: 'ok', scriptName: null, wallTime: 3 }, { script: 'tenant', namespaceName: 'ns' })
    assert.deepEqual(message, {
      outcome: 'ok',
      scriptName: 'tenant',
      exceptions: [],
      logs: [],
      eventTimestamp: null,
      event: null,
      diagnosticsChannelEvents: [],
      truncated: false,
      dispatchNamespace: 'ns',
    })
    assert.equal('dispatchNamespace' in toTailMessage({}, { script: 'w', namespaceName: null }), false)
  })
})

describe('tail filters', () => {
  it('parses the body wrangler sends, and refuses unknown filters', () => {
    const body = {
      filters: [
        { sampling_rate: 0.5 },
        { outcome: ['ok'] },
        { method: ['GET'] },
        { header: { key: 'x' } },
        { client_ip: ['self'] },
        { query: 'q' },
        { scriptVersion: 'v' },
      ],
    }
    assert.equal(TailFiltersBody.parse(body).filters.length, 7)
    assert.deepEqual(TailFiltersBody.parse({}).filters, [])
    assert.equal(TailFiltersBody.safeParse({ filters: [{ nope: 1 }] }).success, false)
    assert.equal(TailFiltersBody.safeParse({ filters: [{ sampling_rate: 2 }] }).success, false)
  })

  it('no filters pass everything; several must all pass', () => {
    assert.ok(passes([], request()))
    assert.ok(passes([{ method: ['get'] }, { outcome: ['ok'] }], request()))
    assert.ok(!passes([{ method: ['get'] }, { outcome: ['exception'] }], request()))
  })

  it('samples with the given rate', () => {
    assert.ok(passes([{ sampling_rate: 0.6 }], request(), undefined, () => 0.5))
    assert.ok(!passes([{ sampling_rate: 0.4 }], request(), undefined, () => 0.5))
  })

  it('matches headers by name whatever the case, and by a part of their value', () => {
    const event = request({ headers: { 'X-Tenant': 'navy-blue' } })
    assert.ok(passes([{ header: { key: 'x-tenant' } }], event))
    assert.ok(passes([{ header: { key: 'X-TENANT', query: 'blue' } }], event))
    assert.ok(!passes([{ header: { key: 'x-tenant', query: 'red' } }], event))
    assert.ok(!passes([{ header: { key: 'x-other' } }], event))
  })

  it("matches client addresses from the edge, with `self` being the tail creator's", () => {
    assert.ok(passes([{ client_ip: ['10.0.0.1'] }], request({ clientIp: '10.0.0.1:5555' })))
    assert.ok(passes([{ client_ip: ['::1'] }], request({ clientIp: '[::1]:5555' })))
    assert.ok(passes([{ client_ip: ['self'] }], request({ clientIp: '127.0.0.1:1' }), '::ffff:127.0.0.1'))
    assert.ok(!passes([{ client_ip: ['self'] }], request({ clientIp: '127.0.0.1:1' })))
    assert.ok(passes([{ client_ip: ['192.0.2.7'] }], request({ headers: { 'cf-connecting-ip': '192.0.2.7' } })))
    // The edge's own address wins over a header anyone can send.
    assert.ok(!passes([{ client_ip: ['192.0.2.7'] }], request({ clientIp: '10.0.0.1:1', headers: { 'cf-connecting-ip': '192.0.2.7' } })))
  })

  it('searches logged text and exception messages', () => {
    assert.ok(passes([{ query: 'hello' }], request()))
    assert.ok(passes([{ query: '"user":"ada"' }], request()))
    const thrown = { ...request(), exceptions: [{ name: 'Error', message: 'disk full', timestamp: 1 }] }
    assert.ok(passes([{ query: 'disk' }], thrown))
    assert.ok(!passes([{ query: 'absent' }], thrown))
  })

  it('filters by version only the events that name one', () => {
    assert.ok(passes([{ scriptVersion: 'v1' }], request()))
    assert.ok(passes([{ scriptVersion: 'v1' }], { ...request(), scriptVersion: { id: 'v1' } }))
    assert.ok(!passes([{ scriptVersion: 'v1' }], { ...request(), scriptVersion: { id: 'v2' } }))
  })
})
