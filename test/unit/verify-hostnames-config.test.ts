import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { loadConfig } from '../../src/config/config.js'

describe('the verify-hostnames setting', () => {
  it('checks ownership unless the flag or the environment turns it off', () => {
    assert.equal(loadConfig({}, {}).verifyHostnames, true)
    assert.equal(loadConfig({}, { WORKERHIVE_VERIFY_HOSTNAMES: 'false' }).verifyHostnames, false)
    assert.equal(loadConfig({ verifyHostnames: 'false' }, { WORKERHIVE_VERIFY_HOSTNAMES: 'true' }).verifyHostnames, false)
    assert.throws(() => loadConfig({ verifyHostnames: 'maybe' as 'true' }, {}))
  })
})
