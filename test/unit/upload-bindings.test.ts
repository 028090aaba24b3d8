import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BindingSchema, parseBindings, publicBinding, type Binding } from '../../src/bindings/index.js'
import { mergeBindings } from '../../src/domain/bindings-merge.js'
import type { StoredBinding } from '../../src/storage/store.js'

const plain = (name: string, text = 'v'): StoredBinding => ({ type: 'plain_text', name, text })
const secret = (name: string, text = 's'): StoredBinding => ({ type: 'secret_text', name, text })
const kv = (name: string, id = 'ns1'): StoredBinding => ({ type: 'kv_namespace', name, namespace_id: id })
const inherit = (name: string, extra: { old_name?: string; version_id?: string } = {}) =>
  ({ type: 'inherit', name, ...extra }) as const

describe('mergeBindings', () => {
  it('keeps the previous secrets unless the upload redefines their names', () => {
    const { bindings, unresolved } = mergeBindings({
      uploaded: [plain('A'), secret('TOKEN', 'new')],
      previous: [plain('OLD'), secret('TOKEN', 'old'), secret('KEEP'), { type: 'secret_key', name: 'KEY' }],
    })
    assert.deepEqual(bindings, [
      plain('A'),
      secret('TOKEN', 'new'),
      secret('KEEP'),
      { type: 'secret_key', name: 'KEY' },
    ])
    assert.deepEqual(unresolved, [])
  })

  it('a redefinition of another type replaces the secret', () => {
    const { bindings } = mergeBindings({ uploaded: [plain('TOKEN')], previous: [secret('TOKEN')] })
    assert.deepEqual(bindings, [plain('TOKEN')])
  })

  it('keep_bindings carries over the listed types that are not redefined', () => {
    const { bindings } = mergeBindings({
      uploaded: [plain('A', 'new')],
      previous: [plain('A', 'old'), plain('B'), kv('KV')],
      keepTypes: ['plain_text'],
    })
    assert.deepEqual(bindings, [plain('A', 'new'), plain('B')])
  })

  it('inherit takes the previous binding by name or old_name, in upload order', () => {
    const { bindings, unresolved } = mergeBindings({
      uploaded: [plain('FIRST'), inherit('KV'), inherit('RENAMED', { old_name: 'OLD' })],
      previous: [kv('KV', 'id1'), kv('OLD', 'id2')],
    })
    assert.deepEqual(bindings, [plain('FIRST'), kv('KV', 'id1'), kv('RENAMED', 'id2')])
    assert.deepEqual(unresolved, [])
  })

  it('inherit with a version_id reads that version, and reports what cannot be resolved', () => {
    const { bindings, unresolved } = mergeBindings({
      uploaded: [inherit('X', { version_id: 'v1' }), inherit('MISSING'), inherit('Y', { version_id: 'no' })],
      previous: [],
      versions: new Map([['v1', [plain('X', 'from v1')]]]),
    })
    assert.deepEqual(bindings, [plain('X', 'from v1')])
    assert.deepEqual(unresolved, ['MISSING', 'Y'])
  })

  it('an inherited secret is not kept twice', () => {
    const { bindings } = mergeBindings({ uploaded: [inherit('S')], previous: [secret('S')] })
    assert.deepEqual(bindings, [secret('S')])
  })
})

describe('parseBindings', () => {
  const problem = (raw: unknown): string => {
    const r = parseBindings(raw)
    assert.ok('problem' in r, 'expected a problem')
    return r.problem
  }

  it('accepts every kind with its fields and drops nothing it needs', () => {
    const raw = [
      { type: 'plain_text', name: 'A', text: 'x' },
      { type: 'secret_text', name: 'B', text: 'x' },
      { type: 'json', name: 'C', json: { a: 1 } },
      { type: 'kv_namespace', name: 'D', namespace_id: 'abc' },
      {
        type: 'dispatch_namespace',
        name: 'E',
        namespace: 'ns',
        outbound: { worker: { service: 'o' }, params: [{ name: 'p' }] },
      },
      { type: 'service', name: 'F', service: 'svc', entrypoint: 'Ep' },
      { type: 'wasm_module', name: 'G', part: 'g.wasm' },
      { type: 'text_blob', name: 'H', part: 'h.txt' },
      { type: 'data_blob', name: 'I', part: 'i.bin' },
      { type: 'version_metadata', name: 'J' },
      { type: 'inherit', name: 'K', old_name: 'k' },
      { type: 'secret_key', name: 'L', algorithm: { name: 'HMAC' }, format: 'raw', usages: [], key_base64: 'A' },
    ]
    const r = parseBindings(raw)
    assert.ok('bindings' in r)
    assert.deepEqual(r.bindings, raw)
  })

  it('names the problem: unknown type, duplicate, invalid name, missing field', () => {
    assert.match(problem([{ type: 'vectorize', name: 'V' }]), /Unknown binding type 'vectorize' \(binding 'V'\)/)
    assert.match(problem([{ type: 'd1', name: 'DB' }]), /binding of type d1 must have a valid `id` specified/)
    assert.match(problem([plain('A'), kv('A')]), /Duplicate binding name 'A'/)
    assert.match(problem([plain('has-dash')]), /Binding name 'has-dash' is invalid/)
    assert.match(problem([plain('9LIVES')]), /Binding name '9LIVES' is invalid/)
    assert.match(problem([plain('X'.repeat(65))]), /longer than 64/)
    assert.match(problem([{ type: 'kv_namespace', name: 'KV' }]), /'KV' of type kv_namespace: namespace_id/)
    assert.match(problem([{ type: 'plain_text', text: 'x' }]), /binding #1 has no name/)
    assert.match(problem({}), /bindings must be an array/)
  })

  it('the union type is exhaustive over the kinds', () => {
    const describe = (b: Binding): string => {
      switch (b.type) {
        case 'plain_text':
        case 'secret_text':
        case 'json':
        case 'kv_namespace':
        case 'd1':
        case 'r2_bucket':
        case 'dispatch_namespace':
        case 'service':
        case 'wasm_module':
        case 'text_blob':
        case 'data_blob':
        case 'version_metadata':
        case 'inherit':
        case 'secret_key':
        case 'assets':
        case 'durable_object_namespace':
        case 'queue':
          return b.type
      }
    }
    assert.equal(describe(BindingSchema.parse({ type: 'version_metadata', name: 'V' })), 'version_metadata')
  })
})

describe('publicBinding', () => {
  it('never shows a secret value or key material', () => {
    assert.deepEqual(publicBinding(secret('S', 'hunter2')), { name: 'S', type: 'secret_text' })
    const key = { type: 'secret_key', name: 'K', algorithm: { name: 'HMAC' }, format: 'raw', usages: [] }
    assert.deepEqual(publicBinding({ ...key, key_base64: 'AAAA' }), key)
    assert.deepEqual(publicBinding({ ...key, key_jwk: { k: 'x' } }), key)
    assert.deepEqual(publicBinding(plain('P', 'shown')), plain('P', 'shown'))
    const unknown = { type: 'gone_kind', name: 'G', text: 'x' }
    assert.deepEqual(publicBinding(unknown), { name: 'G', type: 'gone_kind' })
  })
})
