import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { foldNamespaces } from '../../src/runtime/metrics.js'
import { LineGrouper, ownerOf } from '../../src/runtime/tenant-lines.js'
import { tenantLogTag } from '../../src/shared/protocol.js'

describe('tenant lines', () => {
  it('reads the console tag and the host prefixes, and leaves workerd lines unowned', () => {
    assert.deepEqual(ownerOf(`${tenantLogTag('acc', 'ns-id', 'my worker')} hello`), {
      owner: { accountId: 'acc', namespaceId: 'ns-id', script: 'my worker' },
      text: 'hello',
    })
    assert.deepEqual(ownerOf('[ray 8f3a] [acc/dispatcher] uncaught exception: Error: x'), {
      owner: { accountId: 'acc', namespaceId: '', script: 'dispatcher', rayId: '8f3a' },
      text: 'uncaught exception: Error: x',
    })
    assert.deepEqual(ownerOf('[acc/ns-id/consumer] tail consumer failed: boom').owner, { accountId: 'acc', namespaceId: 'ns-id', script: 'consumer' })
    assert.deepEqual(ownerOf('workerd/io/worker.c++:123: info: something'), { text: 'workerd/io/worker.c++:123: info: something' })
  })

  it('groups a burst of lines into records, each opened by a tagged or host line', async () => {
    const records: string[][] = []
    const grouper = new LineGrouper((lines) => records.push(lines))
    const tag = tenantLogTag('acc', 'ns', 's')
    for (const line of [`${tag} bad Error: first`, 'second', '    at fetch (index.js:1:1)', `${tag} next`, '[ray r] [acc/d] uncaught exception: E', '    at x']) grouper.push(line)
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(records.map((r) => r.length), [3, 1, 2])
    grouper.push(`${tag} later`)
    await new Promise((r) => setImmediate(r))
    grouper.push('a line of another burst')
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(records.slice(3), [[`${tag} later`], ['a line of another burst']])
  })

  it('keeps the busiest namespaces as series and folds the rest into "other"', () => {
    const row = (accountId: string, namespaceId: string, namespaceName: string | null, outcome: string, count: number) => ({ accountId, namespaceId, namespaceName, outcome, count })
    const folded = foldNamespaces(
      [row('a', 'n1', 'big', 'ok', 100), row('a', 'n1', 'big', 'exception', 3), row('a', 'n2', 'small', 'ok', 2), row('b', 'n3', 'tiny', 'ok', 1), row('b', '', null, 'ok', 50)],
      2,
    )
    assert.deepEqual(
      folded.map((r) => [r.account, r.namespace, r.outcome, r.count]).sort(),
      [
        ['a', 'big', 'exception', 3],
        ['a', 'big', 'ok', 100],
        ['b', '', 'ok', 50],
        ['other', 'other', 'ok', 3],
      ],
    )
  })
})
