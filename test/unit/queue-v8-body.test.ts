import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodeClone } from '../../src/bindings/queue/wire.js'

// The producer's module runs in the customer's isolate and imports nothing, so Node can load it too.
const { encodeClone } = (await import('../../src/bindings/queue/isolate/queue-producer.js' as string)) as { encodeClone(v: unknown): string }

describe('v8 message bodies as tagged structured clone', () => {
  it('round-trips what structuredClone keeps', () => {
    const value = {
      when: new Date(86_400_000),
      tags: new Map<unknown, unknown>([['a', 1], [2, new Set(['x'])]]),
      big: 2n ** 70n,
      none: undefined,
      odd: [NaN, -0, Infinity],
      bytes: new Uint16Array([1, 65535]),
      buffer: new Uint8Array([9, 8]).buffer,
      re: /a+b/gi,
      $t: 'not a tag',
      nested: [{ deep: [null, true, 'text'] }],
    }
    assert.deepEqual(decodeClone(encodeClone(value)), structuredClone(value))
  })

  it('refuses what structuredClone refuses', () => {
    assert.throws(() => encodeClone({ f() {} }), { name: 'DataCloneError' })
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    assert.throws(() => encodeClone(cycle), { name: 'DataCloneError' })
  })
})
