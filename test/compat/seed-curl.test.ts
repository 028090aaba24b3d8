import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { jsonBody, startTestPlatform, type TestPlatform } from '../helpers/platform.js'

/*
 * The curl commands of the seed document (configure-workers-for-platforms.md), copied verbatim.
 * The only edit to their text is the closing quote the first X-Auth-Key line lacks (as printed,
 * bash stops with "unexpected EOF while looking for matching `''" and curl never runs); everything
 * else is substituted placeholders: host, credentials, names, ids, the worker file's path.
 */
const SEED_SERVICE_WORKER_UPLOAD = String.raw`curl -X PUT 'https://api.cloudflare.com/client/v4/accounts/<ACCOUNT_ID>/workers/dispatch/namespaces/<NAMESPACE_NAME>/scripts/<SCRIPT_NAME>' \
-H 'X-Auth-Email: <EMAIL>' \
-H 'X-Auth-Key: <AUTH_KEY> \
-H 'Content-Type: application/javascript' \
--data "addEventListener('fetch', event => {
  event.respondWith(handleRequest(event.request));
})

async function handleRequest(request) {
  return new Response('Hello world');
}"`

/** The one edit: the closing quote the seed's first X-Auth-Key line lacks. */
const SEED_SERVICE_WORKER_UPLOAD_FIXED = SEED_SERVICE_WORKER_UPLOAD.replace(
  "-H 'X-Auth-Key: <AUTH_KEY> \\",
  "-H 'X-Auth-Key: <AUTH_KEY>' \\",
)

const SEED_TAGS_PUT = String.raw`curl -X PUT "https://api.cloudflare.com/client/v4/accounts/<ACCOUNT_ID>/workers/dispatch/namespaces/<NAMESPACE_NAME>/scripts/<SCRIPT_NAME>/tags" \
     -H "X-Auth-Email: <EMAIL>" \
     -H "X-Auth-Key: <AUTH_KEY>" \
     -H "Content-Type: application/javascript" \
    --data "['TAG1', 'TAG2', 'TAG3']"`

const SEED_MULTIPART_UPLOAD = String.raw`curl -X PUT 'https://api.cloudflare.com/client/v4/accounts/<ACCOUNT_ID>/workers/dispatch/namespaces/<NAMESPACE_NAME>/scripts/<SCRIPT_NAME>' \
-H 'X-Auth-Email: <EMAIL>' \
-H 'X-Auth-Key: <AUTH_KEY>' \
-H 'Content-Type: multipart/form-data' \
--form 'metadata="{\"main_module\": \"worker.js\", \"bindings\": [{\"name\": \"KV\", \"type\": \"kv_namespace\", \"namespace_id\": \"<KV_NAMESPACE_ID>\"}], \"tags\": [\"customer-123\", \"staging\", \"free-user\"]}"' \
--form 'worker.js=@"/path/to/worker.js";type=application/javascript+module'`

/** The seed's "Tags API reference" table, row by row: method and endpoint. */
const SEED_TAG_TABLE = String.raw`
GET https://api.cloudflare.com/client/v4/accounts/<ACCOUNT_ID>/workers/dispatch/namespaces/<NAMESPACE_NAME>/scripts/<SCRIPT_NAME>/tags
GET https://api.cloudflare.com/client/v4/accounts/<ACCOUNT_ID>/workers/dispatch/namespaces/<NAMESPACE_NAME>/scripts/<SCRIPT_NAME>/tags?tags=FILTER
GET https://api.cloudflare.com/client/v4/accounts/<ACCOUNT_ID>/workers/dispatch/namespaces/<NAMESPACE_NAME>/scripts?tags=FILTER
PUT https://api.cloudflare.com/client/v4/accounts/<ACCOUNT_ID>/workers/dispatch/namespaces/<NAMESPACE_NAME>/scripts/<SCRIPT_NAME>/tags
PUT https://api.cloudflare.com/client/v4/accounts/<ACCOUNT_ID>/workers/dispatch/namespaces/<NAMESPACE_NAME>/scripts/<SCRIPT_NAME>/tags/<TAG>
DELETE https://api.cloudflare.com/client/v4/accounts/<ACCOUNT_ID>/workers/dispatch/namespaces/<NAMESPACE_NAME>/scripts/<SCRIPT_NAME>/tags/<TAG>
DELETE https://api.cloudflare.com/client/v4/accounts/<ACCOUNT_ID>/workers/dispatch/namespaces/<NAMESPACE_NAME>/scripts?tags=FILTER
`
  .trim()
  .split('\n')
  .map((row) => {
    const [method, url] = row.split(' ') as [string, string]
    return { method, url }
  })

const USER_WORKER = `export default {
  async fetch(request, env) {
    return new Response((await env.KV.get('greeting')) ?? 'Hello from KV')
  },
}
`

const exec = promisify(execFile)

/** What curl printed: the v4 envelope, read loosely as the test inspects it. */
type Envelope = { success: boolean; errors: unknown[]; result: any }

describe('the seed document, run with curl', () => {
  let t: TestPlatform
  let dir: string
  let vars: Record<string, string>

  /** Fills the placeholders and runs the command with bash, as a reader pasting it would. */
  const run = async (command: string, extra: Record<string, string> = {}): Promise<Envelope> => {
    let text = command.replaceAll('https://api.cloudflare.com/client/v4', t.platform.apiUrl)
    for (const [key, value] of Object.entries({ ...vars, ...extra })) text = text.replaceAll(key, value)
    // Asynchronous on purpose: the API answering curl runs in this very process.
    const { stdout } = await exec('bash', ['-c', text])
    return JSON.parse(stdout)
  }

  /** A table row as a curl command in the seed's own style (its table gives no commands). */
  const row = (i: number, filter = '', tag = '') => {
    const { method, url } = SEED_TAG_TABLE[i]!
    return run(`curl -X ${method} "${url}" \\\n     -H "X-Auth-Email: <EMAIL>" \\\n     -H "X-Auth-Key: <AUTH_KEY>"`, {
      FILTER: filter,
      '<TAG>': tag,
    })
  }

  before(async () => {
    t = await startTestPlatform()
    dir = mkdtempSync(join(tmpdir(), 'workerhive-seed-'))
    writeFileSync(join(dir, 'worker.js'), USER_WORKER)
    const accounts = `/accounts/${t.accountId}`
    await t.json(`${accounts}/workers/dispatch/namespaces`, { method: 'POST', ...jsonBody({ name: 'customers' }) })
    // The seed's KV binding needs a namespace of the account: through the KV API when it is there.
    const kv = await t.json(`${accounts}/storage/kv/namespaces`, { method: 'POST', ...jsonBody({ title: 'seed' }) })
    const kvId = kv.status === 200 ? kv.body.result.id : (await t.platform.store.kv.createNamespace(t.accountId, 'seed')).id
    vars = {
      '<ACCOUNT_ID>': t.accountId,
      '<NAMESPACE_NAME>': 'customers',
      '<SCRIPT_NAME>': 'customer-worker',
      '<EMAIL>': t.platform.credentials.email,
      '<AUTH_KEY>': t.platform.credentials.globalApiKey!,
      '<KV_NAMESPACE_ID>': kvId,
      '/path/to/worker.js': join(dir, 'worker.js'),
    }
  })
  after(async () => {
    await t.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('the first upload, as printed, is not valid shell; with its quote restored it uploads the service worker', async () => {
    await assert.rejects(run(SEED_SERVICE_WORKER_UPLOAD), /unexpected EOF while looking for matching/)

    assert.notEqual(SEED_SERVICE_WORKER_UPLOAD_FIXED, SEED_SERVICE_WORKER_UPLOAD)
    const res = await run(SEED_SERVICE_WORKER_UPLOAD_FIXED)
    assert.equal(res.success, true, JSON.stringify(res))
    assert.equal(res.result.id, 'customer-worker')
    assert.equal(res.result.has_modules, false)
    assert.equal(typeof res.result.startup_time_ms, 'number')
    const content = await (await t.api(`/accounts/${t.accountId}/workers/dispatch/namespaces/customers/scripts/customer-worker/content`)).text()
    assert.match(content, /^addEventListener\('fetch', event => \{\n {2}event\.respondWith/)
    assert.match(content, /return new Response\('Hello world'\);\n\}$/)
  })

  it("tags the script with the seed's single-quoted body", async () => {
    const res = await run(SEED_TAGS_PUT)
    assert.equal(res.success, true, JSON.stringify(res))
    assert.deepEqual(res.result, ['TAG1', 'TAG2', 'TAG3'])
  })

  it('uploads the module worker with its KV binding and tags in the metadata', async () => {
    const res = await run(SEED_MULTIPART_UPLOAD)
    assert.equal(res.success, true, JSON.stringify(res))
    assert.equal(res.result.has_modules, true)
    assert.equal(res.result.entry_point, 'worker.js')
    assert.deepEqual(res.result.tags, ['customer-123', 'free-user', 'staging'])
    const bindings = await t.json(`/accounts/${t.accountId}/workers/dispatch/namespaces/customers/scripts/customer-worker/bindings`)
    assert.deepEqual(bindings.body.result, [{ name: 'KV', type: 'kv_namespace', namespace_id: vars['<KV_NAMESPACE_ID>'] }])
    const content = await (await t.api(`/accounts/${t.accountId}/workers/dispatch/namespaces/customers/scripts/customer-worker/content`)).text()
    assert.equal(content, USER_WORKER)
  })

  it('runs all seven endpoints of the tags table', async () => {
    // A second script, so the filters have something to tell apart.
    const other = await run(SEED_SERVICE_WORKER_UPLOAD_FIXED, { '<SCRIPT_NAME>': 'other-worker' })
    assert.equal(other.success, true)

    const list = await row(0)
    assert.deepEqual(list.result, ['customer-123', 'free-user', 'staging'])

    assert.equal((await row(1, 'customer-123:yes,staging:yes')).result, true)
    assert.equal((await row(1, 'customer-123:yes,free-user:no')).result, false)

    const matching = await row(2, 'customer-123:yes')
    assert.deepEqual(matching.result.map((s: { script: { id: string } }) => s.script.id), ['customer-worker'])
    const notMatching = await row(2, 'customer-123:no')
    assert.deepEqual(notMatching.result.map((s: { script: { id: string } }) => s.script.id), ['other-worker'])

    // Row 3 is the seed's tags PUT (the table gives no body; the seed's command above does).
    assert.equal(SEED_TAG_TABLE[3]!.method, 'PUT')
    assert.ok(SEED_TAGS_PUT.includes(SEED_TAG_TABLE[3]!.url))
    const replaced = await run(SEED_TAGS_PUT)
    assert.deepEqual(replaced.result, ['TAG1', 'TAG2', 'TAG3'])

    const added = await row(4, '', 'paying')
    assert.equal(added.success, true, JSON.stringify(added))
    assert.deepEqual((await row(0)).result, ['TAG1', 'TAG2', 'TAG3', 'paying'])

    const removed = await row(5, '', 'TAG2')
    assert.equal(removed.success, true)
    assert.deepEqual((await row(0)).result, ['TAG1', 'TAG3', 'paying'])

    const deleted = await row(6, 'paying:yes')
    assert.equal(deleted.success, true, JSON.stringify(deleted))
    assert.deepEqual(deleted.result.deleted, [{ id: 'customer-worker' }])
    const gone = await t.json(`/accounts/${t.accountId}/workers/dispatch/namespaces/customers/scripts/customer-worker`)
    assert.equal(gone.status, 404)
    assert.equal(gone.body.errors[0].code, 10092)
    const left = await row(2, 'paying:no')
    assert.deepEqual(left.result.map((s: { script: { id: string } }) => s.script.id), ['other-worker'])
  })
})
