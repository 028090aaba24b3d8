import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { EDGE_ERRORS } from '../../src/shared/edge-errors.js'

describe('docs/errors.md: edge errors', () => {
  it('lists exactly the codes the edge answers, with their statuses and titles', () => {
    const doc = readFileSync('docs/errors.md', 'utf8')
    const documented = [...doc.matchAll(/^\| (1\d{3}) \| (\d{3}) \| ([^|]+) \|/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]!.trim()}`)
    const registered = Object.values(EDGE_ERRORS).map((e) => `${e.code} ${e.status} ${e.title}`)
    assert.deepEqual(documented.sort(), registered.sort())
  })
})
