import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { sinceToMs } from '../../src/cli/logs-since.js'
import { UsageError } from '../../src/cli/errors.js'
import { LogSampling } from '../../src/runtime/log-sampling.js'

const plain = { accountId: 'a', namespaceId: '', script: 'plain' }
const traced = { accountId: 'a', namespaceId: '', script: 'traced' }

describe('Workers Logs sampling', () => {
  it('at rate 0 traces only what traces anyway, and keeps all of it', () => {
    const s = new LogSampling(0, () => 0)
    assert.equal(s.traces(plain, false), false)
    assert.equal(s.traces(traced, true), true)
    assert.equal(s.keeps(traced), true)
  })

  it('above 0 traces every script and keeps that share of the sampled-only ones', () => {
    const draws = [0.1, 0.6]
    const s = new LogSampling(0.5, () => draws.shift() ?? 1)
    assert.equal(s.traces(plain, false), true)
    assert.equal(s.traces(traced, true), true)
    assert.equal(s.keeps(plain), true, 'a draw under the rate')
    assert.equal(s.keeps(plain), false, 'a draw over it')
    assert.equal(s.keeps(traced), true, 'a traced script is never sampled away')
    // Observability turned on later: the script is no longer sampled-only.
    s.traces(plain, true)
    assert.equal(s.keeps(plain), true)
  })
})

describe('logs --since', () => {
  const now = Date.parse('2026-12-05T12:00:00Z')
  it('takes a duration back from now or an ISO time', () => {
    assert.equal(sinceToMs('90s', now), now - 90_000)
    assert.equal(sinceToMs('15m', now), now - 900_000)
    assert.equal(sinceToMs('1h', now), now - 3_600_000)
    assert.equal(sinceToMs('7d', now), now - 7 * 86_400_000)
    assert.equal(sinceToMs('2026-12-05T11:00:00Z', now), now - 3_600_000)
    assert.throws(() => sinceToMs('soon', now), UsageError)
  })
})
