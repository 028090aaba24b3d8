import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ResponseCache } from '../../src/cache/response-cache.js'
import { newSecretsKey } from '../../src/secrets/sealer.js'
import { createInternalApi } from '../../src/runtime/internal/server.js'
import { WIRE, wireUrl, type WireRoute } from '../../src/shared/wire.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'
import { silentLogger } from '../../src/util/logger.js'
import { ManualClock } from '../helpers/manual-clock.js'

// The internal API's wire (src/shared/wire.ts and each binding kind's wire.ts) is the one list of
// routes: Node must serve exactly those, and the host must build its paths only from them.

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))

const isRoute = (v: unknown): v is WireRoute<string, string> =>
  typeof v === 'object' && v !== null && 'method' in v && 'path' in v && 'query' in v

/** Every route the wire modules declare: the core's and each binding kind's. */
async function declaredRoutes(): Promise<string[]> {
  const groups: unknown[] = [WIRE]
  for (const kind of readdirSync('src/bindings', { withFileTypes: true }).filter((e) => e.isDirectory())) {
    const wire = join('src/bindings', kind.name, 'wire.ts')
    if (!walk(join('src/bindings', kind.name)).includes(wire)) continue
    const module = (await import(`../../src/bindings/${kind.name}/wire.js`)) as Record<string, unknown>
    groups.push(...Object.values(module))
  }
  const routes = groups.flatMap((g) => (typeof g === 'object' && g !== null ? Object.values(g) : [])).filter(isRoute)
  return [...new Set(routes.map((r) => `${r.method} ${r.path}`))].sort()
}

describe('the internal wire', () => {
  it('Node serves exactly the routes the wire declares', async () => {
    const clock = new ManualClock(1_800_000_000_000)
    const store = openSqliteStore({ file: ':memory:', clock })
    try {
      const app = createInternalApi({
        store,
        keyring: { current: newSecretsKey(), previous: [] },
        log: silentLogger,
        clock,
        secret: 's',
        cache: new ResponseCache({ maxBytes: 1024, maxSpaceBytes: 1024, maxEntryBytes: 1024, clock }),
        edgeDomain: 'example.test',
        isTailed: () => false,
        containment: () => ({ probation: [], banned: [] }),
        onEvents: () => {},
      })
      // app.use('*') registers the secret check as an ALL route; every other route is the wire's.
      const served = [...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))].sort()
      assert.deepEqual(served, await declaredRoutes())
    } finally {
      store.close()
    }
  })

  it('host code names no internal path of its own: every path comes from a wire module', () => {
    const hostFiles = [...walk('src/host'), ...walk('src/bindings').filter((f) => f.endsWith('.worker.ts'))]
    const literal = hostFiles.filter((f) => /['"`]\/internal\b/.test(readFileSync(f, 'utf8')))
    assert.deepEqual(literal, [])
    // internalFetch/internalJson take a WirePath, which only wireUrl makes: a hand-built string
    // does not compile. Casting one in would show here.
    const casts = hostFiles.filter((f) => /as WirePath/.test(readFileSync(f, 'utf8')))
    assert.deepEqual(casts, [])
  })

  it('builds paths with encoded parameters and only the query given', () => {
    assert.equal(wireUrl(WIRE.code, { versionId: 'a/b' }), '/internal/code/a%2Fb')
    assert.equal(wireUrl(WIRE.script, {}, { account: 'a', namespace: '', name: 'x y' }), '/internal/script?account=a&namespace=&name=x+y')
    assert.equal(wireUrl(WIRE.cacheGet, { space: 's', op: 'match' }, { name: 'default', url: undefined }), '/internal/cache/s/match?name=default')
  })
})
