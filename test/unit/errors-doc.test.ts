import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { errorRegistry } from '../../src/domain/errors.js'

describe('docs/errors.md', () => {
  it('lists exactly the errors of the registry, with their codes and statuses', () => {
    const doc = readFileSync('docs/errors.md', 'utf8')
    const documented = [...doc.matchAll(/^\| `(\w+)` \| (\d+) \| (\d+) \|$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`)
    const registered = errorRegistry().map((e) => `${e.name} ${e.code} ${e.status}`)
    assert.deepEqual(documented.sort(), registered.sort())
  })
})
