import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { defaultHost, edge } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'
import { createWrangler, describeRun, succeeded, type Wrangler, type WranglerResult } from '../helpers/wrangler.js'

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/

const printedId = (r: WranglerResult, label: string): string => {
  const id = new RegExp(`${label}: (${UUID.source})`).exec(r.stdout)?.[1]
  assert.ok(id, describeRun(r))
  return id
}

/** Answers its release and the version id its version_metadata binding reports. */
const source = (release: string) =>
  `export default { fetch(request, env) { return new Response('${release} ' + env.VERSION.id) } }`

describe('wrangler versions upload, versions deploy and rollback against the edge', () => {
  let t: TestPlatform
  let w: Wrangler
  let host: string
  let v1: string
  let v2: string

  before(async () => {
    t = await startTestPlatform()
    w = createWrangler(t)
    host = await defaultHost(t, 'canary')
    w.write({
      'wrangler.toml': `
name = "canary"
main = "src/index.js"
compatibility_date = "2025-06-01"
workers_dev = true

[version_metadata]
binding = "VERSION"
`,
      'src/index.js': source('one'),
    })
  })
  after(async () => {
    w?.close()
    await t?.close()
  })

  /** Sends `n` requests to the Worker, 20 at a time, and counts the answers. */
  async function tally(n: number): Promise<Map<string, number>> {
    const counts = new Map<string, number>()
    for (let sent = 0; sent < n; sent += 20) {
      const batch = await Promise.all(Array.from({ length: Math.min(20, n - sent) }, () => edge(t, host, '/')))
      for (const r of batch) counts.set(r.text, (counts.get(r.text) ?? 0) + 1)
    }
    return counts
  }

  it('deploys a first version and uploads a second without deploying it', async () => {
    v1 = printedId(succeeded(await w.run(['deploy'])), 'Current Version ID')
    w.write({ 'src/index.js': source('two') })
    v2 = printedId(succeeded(await w.run(['versions', 'upload'])), 'Worker Version ID')
    assert.deepEqual([...(await tally(20)).keys()], [`one ${v1}`])
  })

  it('versions deploy 40/60 splits the traffic between both versions', async () => {
    const r = succeeded(await w.run(['versions', 'deploy', `${v1}@40%`, `${v2}@60%`, '--yes', '--message', 'canary']))
    assert.ok(r.stdout.includes(`Deployed canary version ${v1} at 40% and version ${v2} at 60%`), r.stdout)
    const counts = await tally(400)
    assert.deepEqual([...counts.keys()].sort(), [`one ${v1}`, `two ${v2}`].sort())
    for (const [answer, n] of counts) assert.ok(n >= 100 && n <= 300, `${answer} served ${n} of 400`)

    const status = succeeded(await w.run(['deployments', 'status']))
    assert.ok(status.stdout.includes(`(40%) ${v1}`), status.stdout)
    assert.ok(status.stdout.includes(`(60%) ${v2}`), status.stdout)
  })

  it('rollback serves the earlier version on the next request', async () => {
    succeeded(await w.run(['rollback', v1, '--yes', '--message', 'back']))
    assert.deepEqual([...(await tally(40)).keys()], [`one ${v1}`])
  })
})
