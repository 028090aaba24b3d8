import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { loadConfig, type Config, type ConfigInput } from '../../src/config/config.js'
import type { NamespaceId } from '../../src/domain/ids.js'
import { startPlatform, type Platform } from '../../src/main.js'
import type { StoredBinding } from '../../src/storage/store.js'
import { ApiClient, isMissingRoute, workerUpload, type ApiResponse } from './api-client.js'
import { DISPATCH_WORKER } from './workers.js'

/** How a script reached the platform: the v4 upload API, or the store directly when the route is absent. */
export type UploadPath = 'api' | 'store'

export interface UploadResult {
  via: UploadPath
  /** From sending the upload to its answer (the API's acknowledgement, which promises the edge knows). */
  ms: number
}

export interface BenchPlatform {
  readonly platform: Platform
  readonly api: ApiClient
  readonly edgeOrigin: string
  /** The namespace user Workers are uploaded to; the dispatch Worker is bound to it. */
  readonly namespace: string
  /** Host header that reaches the dispatch Worker at the edge. */
  readonly dispatchHost: string
  /** Which path uploads took (decided by the first upload of each kind). */
  readonly uploadPaths: { namespaceScripts?: UploadPath; accountScripts?: UploadPath }
  uploadUserWorker(name: string, code: string, extra?: UploadExtras): Promise<UploadResult>
  uploadAccountWorker(name: string, code: string, bindings: StoredBinding[]): Promise<UploadResult>
  /**
   * Publishes user Workers straight into the store, for scenarios that need many and do not measure
   * uploads. No edge notification: nothing has asked for these names yet, so no process caches them.
   */
  seedUserWorkers(names: string[], code: (name: string) => string): Promise<void>
  /** pids of the edge and probation workerd processes now running. */
  workerdPids(): number[]
  stop(): Promise<void>
}

export interface UploadExtras {
  tags?: string[]
  bindings?: StoredBinding[]
  /** Durable Object migrations (API uploads only). */
  migrations?: unknown
}

const te = new TextEncoder()

/**
 * The real platform (API, edge supervisor, N workerd processes) on free loopback ports and a fresh
 * data dir, with one dispatch namespace and the account's dispatch Worker in place.
 */
export async function startBenchPlatform(overrides: ConfigInput = {}): Promise<BenchPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'workerhive-bench-'))
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true })
  const config = loadConfig({ dataDir, apiPort: 0, edgePort: 0, logLevel: 'error', ...overrides }, {})
  let platform: Platform
  try {
    platform = await startPlatform(config)
  } catch (err) {
    removeDataDir()
    throw err
  }
  try {
    return await setUp(platform, config, removeDataDir)
  } catch (err) {
    await platform.stop()
    removeDataDir()
    throw err
  }
}

async function setUp(platform: Platform, config: Config, removeDataDir: () => void): Promise<BenchPlatform> {
  const { accountId } = platform.credentials
  const api = new ApiClient(platform.apiUrl, platform.credentials.apiToken)
  const account = await platform.store.accounts.get(accountId)
  if (!account) throw new Error('the platform started without its first account')
  const namespace = 'bench'
  const created = await api.json('POST', `/accounts/${accountId}/workers/dispatch/namespaces`, { name: namespace })
  if (!created.body.success) throw new Error(`cannot create namespace: ${JSON.stringify(created.body.errors)}`)
  const ns = await platform.store.namespaces.get(accountId, namespace)
  const namespaceId = ns!.id
  const uploadPaths: BenchPlatform['uploadPaths'] = {}

  const publish = (scopeNamespace: NamespaceId | null, name: string, code: string, extra: UploadExtras) =>
    platform.store.scripts.publish({
      scope: { accountId, namespaceId: scopeNamespace },
      name,
      version: {
        format: 'modules',
        mainModule: 'index.js',
        compatibilityDate: '2026-01-01',
        compatibilityFlags: [],
        modules: [{ name: 'index.js', type: 'esm', content: te.encode(code) }],
        bindings: extra.bindings ?? [],
      },
      ...(extra.tags ? { tags: extra.tags } : {}),
    })

  const viaStore = async (scopeNamespace: NamespaceId | null, name: string, code: string, extra: UploadExtras) => {
    const started = performance.now()
    await publish(scopeNamespace, name, code, extra)
    await platform.edge.notifier.scriptChanged({ accountId, namespaceId: scopeNamespace, name })
    return { via: 'store' as const, ms: performance.now() - started }
  }

  const upload = async (
    kind: keyof BenchPlatform['uploadPaths'],
    path: string,
    scopeNamespace: NamespaceId | null,
    name: string,
    code: string,
    extra: UploadExtras,
  ): Promise<UploadResult> => {
    if (uploadPaths[kind] === 'store') return viaStore(scopeNamespace, name, code, extra)
    const metadata = { bindings: extra.bindings ?? [], ...(extra.tags ? { tags: extra.tags } : {}), ...(extra.migrations ? { migrations: extra.migrations } : {}) }
    const res: ApiResponse = await api.call('PUT', path, workerUpload(code, metadata))
    if (res.body.success) {
      uploadPaths[kind] = 'api'
      return { via: 'api', ms: res.ms }
    }
    if (uploadPaths[kind] === undefined && isMissingRoute(res)) {
      uploadPaths[kind] = 'store'
      return viaStore(scopeNamespace, name, code, extra)
    }
    throw new Error(`upload of ${name} failed (${res.status}): ${JSON.stringify(res.body.errors)}`)
  }

  const bench: BenchPlatform = {
    platform,
    api,
    edgeOrigin: `http://127.0.0.1:${platform.edgePort}`,
    namespace,
    dispatchHost: `dispatcher.${account.subdomain}.${config.edgeDomain}`,
    uploadPaths,
    uploadUserWorker: (name, code, extra = {}) =>
      upload(
        'namespaceScripts',
        `/accounts/${accountId}/workers/dispatch/namespaces/${namespace}/scripts/${name}`,
        namespaceId,
        name,
        code,
        extra,
      ),
    uploadAccountWorker: (name, code, bindings) =>
      upload('accountScripts', `/accounts/${accountId}/workers/scripts/${name}`, null, name, code, { bindings }),
    async seedUserWorkers(names, code) {
      for (const name of names) await publish(namespaceId, name, code(name), {})
    },
    workerdPids: () =>
      platform.edge.processes().flatMap((p) => (p.pid !== undefined && p.state !== 'exited' ? [p.pid] : [])),
    async stop() {
      await api.close()
      await platform.stop()
      removeDataDir()
    },
  }
  await bench.uploadAccountWorker('dispatcher', DISPATCH_WORKER, [
    { type: 'dispatch_namespace', name: 'dispatcher', namespace },
  ])
  return bench
}
