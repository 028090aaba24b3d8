import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { clusterKeys, ClusterRoutes, CLUSTER_PREFIX, CLUSTER_SIGNATURE_HEADER, signCall } from '../../src/runtime/placement/cluster.js'
import { secretsKey } from '../../src/secrets/sealer.js'

describe('cluster calls', () => {
  const key = (fill: number) => secretsKey(Buffer.alloc(32, fill))
  const now = 1_800_000_000_000
  const routes = (keys = clusterKeys({ current: key(1), previous: [] })) => {
    const r = new ClusterRoutes(keys, { now: () => now })
    r.on('d1', async (rest, body) => new Response(`${rest} ${new TextDecoder().decode(body)}`))
    return r
  }
  const call = (signer: ReturnType<typeof clusterKeys>, at: number, path: string, body: string, sentBody = body) =>
    new Request(`http://node${CLUSTER_PREFIX}${path}`, {
      method: 'POST',
      headers: { [CLUSTER_SIGNATURE_HEADER]: signCall(signer, at, 'POST', CLUSTER_PREFIX + path, new TextEncoder().encode(body)) },
      body: sentBody,
    })

  it('accepts a call signed with the shared key, and hands it to the handler of its kind', async () => {
    const res = await routes().fetch(call(clusterKeys({ current: key(1), previous: [] }), now, '/d1/db-1/run', 'hello'))
    assert.equal(res.status, 200)
    assert.equal(await res.text(), '/db-1/run hello')
  })

  it('refuses another key, another body, an old signature and none at all', async () => {
    const ours = clusterKeys({ current: key(1), previous: [] })
    for (const req of [
      call(clusterKeys({ current: key(2), previous: [] }), now, '/d1/x', 'b'),
      call(ours, now, '/d1/x', 'b', 'changed'),
      call(ours, now - 61_000, '/d1/x', 'b'),
      new Request(`http://node${CLUSTER_PREFIX}/d1/x`, { method: 'POST', body: 'b' }),
    ])
      assert.equal((await routes().fetch(req)).status, 401)
  })

  it('accepts the previous key during a rotation', async () => {
    const rotated = clusterKeys({ current: key(2), previous: [key(1)] })
    assert.equal((await routes(rotated).fetch(call(clusterKeys({ current: key(1), previous: [] }), now, '/d1/x', 'b'))).status, 200)
  })
})
