import type { AccountId, NamespaceId, VersionId } from '../../domain/ids.js'
import type { AssetConfig } from '../../assets/config.js'
import type {
  AssetRouting,
  CacheIdentity,
  CodeBundle,
  HostBinding,
  RoutingTable,
  ScriptDescriptor,
  StartupCheck,
  TailDelivery,
  VersionShare,
} from '../../shared/protocol.js'
import type { StartupCandidate } from '../startup-candidate.js'
import type { ModuleContent, Script, ScriptVersion, Store } from '../../storage/store.js'
import { hostBindingsOf } from '../../bindings/index.js'
import { withCpuCheckpoints } from './cpu-checkpoints.js'
import { sha256Hex } from '../../util/ids.js'
import { RecentlyUsed } from '../../util/recently-used.js'
import { runnableCompatibilityDate } from '../../domain/compatibility-date.js'
import { openBinding } from '../../secrets/secret-bindings.js'
import type { LogSampling } from '../log-sampling.js'
import type { Keyring } from '../../secrets/sealer.js'

/**
 * Turns stored scripts into what the host worker runs. This is the only place that reads secret
 * binding values for the runtime: they are sealed at rest (src/secrets/) and opened here, with
 * `keyring`, on their way to workerd's loopback socket, the only place they leave Node.
 */
export async function describeScript(
  store: Store,
  keyring: Keyring,
  accountId: AccountId,
  namespaceId: NamespaceId | null,
  name: string,
  isTailed: (ref: { accountId: string; namespaceId: string; script: string }) => boolean = () => false,
  sampling?: LogSampling,
): Promise<ScriptDescriptor | undefined> {
  const script = await store.scripts.get({ accountId, namespaceId }, name)
  if (!script) return undefined
  const version = await store.scripts.version(script.currentVersionId)
  if (!version) return undefined
  const namespace = namespaceId ? await store.namespaces.getById(namespaceId) : undefined
  const trusted = namespaceId === null ? true : (namespace?.trustedWorkers ?? false)
  const observability = script.settings.observability as { enabled?: unknown } | null
  const tail = await tailDelivery(store, script, namespace?.name)
  const ref = { accountId, namespaceId: namespaceId ?? '', script: name }
  const tracedAnyway = tail !== undefined || observability?.enabled === true || script.settings.logpush || isTailed(ref)
  const traced = sampling ? sampling.traces(ref, tracedAnyway) : tracedAnyway
  const shared = { store, keyring, script, trusted, traced, tail }
  const current = await describeVersion(shared, version)
  const split = await deploymentSplit(shared, version)
  return split ? { ...current, split } : current
}

interface ScriptFacts {
  store: Store
  keyring: Keyring
  script: Script
  trusted: boolean
  traced: boolean
  tail: TailDelivery | undefined
}

/** How a version's code runs, the same for a stored version and an upload's startup check. */
const codeShapeOf = (v: Pick<ScriptVersion, 'format' | 'mainModule' | 'compatibilityDate' | 'compatibilityFlags'>) => ({
  format: v.format,
  mainModule: v.mainModule,
  compatibilityDate: runnableCompatibilityDate(v.compatibilityDate),
  compatibilityFlags: v.compatibilityFlags,
})

/** One version of a script as the host runs it. */
async function describeVersion(
  { store, keyring, script, trusted, traced, tail }: ScriptFacts,
  version: ScriptVersion,
): Promise<ScriptDescriptor> {
  const bindings = await hostBindings(store, keyring, script.accountId, version)
  const limits = {
    ...(script.settings.limits.cpu_ms !== undefined ? { cpuMs: script.settings.limits.cpu_ms } : {}),
    ...(script.settings.limits.subrequests !== undefined ? { subRequests: script.settings.limits.subrequests } : {}),
  }
  const shape = JSON.stringify([version.etag, bindings, trusted, limits, traced])
  return {
    accountId: script.accountId,
    namespaceId: script.namespaceId ?? '',
    name: script.name,
    versionId: version.id,
    loadKey: `${script.id}:${version.id}:${sha256Hex(shape).slice(0, 16)}`,
    ...codeShapeOf(version),
    bindings,
    trusted,
    workersDev: script.subdomainEnabled,
    traced,
    ...(tail ? { tail } : {}),
    limits,
    cache: cacheIdentity(script, script.namespaceId, trusted),
    ...(version.assets ? { assets: assetRouting(version) } : {}),
  }
}

/**
 * The versions of a gradual deployment, newest first (so version affinity keeps a key on the new
 * version while its share grows), or undefined when one version serves everything.
 */
async function deploymentSplit(facts: ScriptFacts, current: ScriptVersion): Promise<VersionShare[] | undefined> {
  const deployment = await facts.store.scripts.activeDeployment(facts.script.id)
  if (!deployment || deployment.versions.length < 2) return undefined
  const shares: Array<VersionShare & { number: number }> = []
  for (const { versionId, percentage } of deployment.versions) {
    const version = versionId === current.id ? current : await facts.store.scripts.version(versionId)
    if (version) shares.push({ percentage, script: await describeVersion(facts, version), number: version.number })
  }
  if (shares.length < 2) return undefined
  return shares.sort((a, b) => b.number - a.number).map(({ percentage, script }) => ({ percentage, script }))
}

/**
 * Cloudflare's `tail_consumers`: `{service}` names an account script, `{service, namespace}` a
 * script of that dispatch namespace (cloudflare/workers-sdk#3845), both looked up in the producer's
 * own account only. `environment` selects a legacy service environment, which Workerhive has not.
 */
async function tailDelivery(store: Store, script: Script, namespaceName: string | undefined): Promise<TailDelivery | undefined> {
  const consumers: TailDelivery['consumers'] = []
  for (const listed of script.settings.tailConsumers ?? []) {
    const name = typeof listed.service === 'string' ? listed.service : ''
    const namespace = typeof listed.namespace === 'string' ? listed.namespace : ''
    if (name === '') continue
    if (namespace === '') {
      consumers.push({ namespaceId: '', name })
      continue
    }
    const ns = await store.namespaces.get(script.accountId, namespace)
    if (ns) consumers.push({ namespaceId: ns.id, name })
  }
  if (consumers.length === 0) return undefined
  return { consumers, scriptTags: script.tags, ...(namespaceName !== undefined ? { dispatchNamespace: namespaceName } : {}) }
}

function assetRouting(version: ScriptVersion): AssetRouting {
  const config = version.assets!.config as unknown as AssetConfig
  return { hasWorker: version.mainModule !== '', runWorkerFirst: config.runWorkerFirst }
}

/**
 * Cloudflare's cache isolation: an untrusted namespace gives each user Worker a space of its own
 * (keyed by the script's id, so a script re-created under the same name starts empty) and disables
 * `caches.default`; a trusted namespace shares one space; account scripts share the account's.
 */
function cacheIdentity(script: Script, namespaceId: NamespaceId | null, trusted: boolean): CacheIdentity {
  if (namespaceId === null) return { space: `account-${script.accountId}`, defaultEnabled: true }
  if (trusted) return { space: `namespace-${namespaceId}`, defaultEnabled: true }
  return { space: `script-${script.id}`, defaultEnabled: false }
}

/** The parts of a version its bindings are built from (a stored version, or a candidate). */
type BindingSource = Pick<ScriptVersion, 'id' | 'createdOn' | 'annotations' | 'bindings'>

const hostBindings = (store: Store, keyring: Keyring, accountId: AccountId, version: BindingSource): Promise<HostBinding[]> =>
  hostBindingsOf(version.bindings.map((b) => openBinding(keyring, b)), { accountId, store, version })

const TEXT_TYPES = new Set(['esm', 'commonjs', 'text', 'json'])

/** Every runnable module of a version (source maps stay behind), binary ones as base64. */
export async function codeBundle(store: Store, version: ScriptVersion): Promise<CodeBundle> {
  const modules: CodeBundle['modules'] = []
  for (const m of version.modules) {
    if (m.type === 'sourcemap') continue
    const content = await store.scripts.moduleContent(m.hash)
    if (!content) throw new Error(`module ${m.name} of version ${version.id} is missing from storage`)
    modules.push(meteredModule(m.hash, bundledModule({ name: m.name, type: m.type, content })))
  }
  return { modules }
}

/**
 * Instrumented sources by content hash, up to METERED_CACHE_BYTES of text: a module is parsed once,
 * not on every load of it (a MiB of bundle takes Node about 0.6 s).
 */
const METERED_CACHE_BYTES = 64 * 1024 * 1024
const metered = new RecentlyUsed<string, string>(METERED_CACHE_BYTES, (text) => text.length)

/** A JavaScript module with CPU checkpoints, so `limits.cpu_ms` can stop it (docs/limits.md). */
function meteredModule(hash: string, m: CodeBundle['modules'][number]): CodeBundle['modules'][number] {
  if ((m.type !== 'esm' && m.type !== 'commonjs') || m.text === undefined) return m
  return { ...m, text: meteredText(hash, m.type, m.text) }
}

function meteredText(hash: string, type: 'esm' | 'commonjs', text: string): string {
  let instrumented = metered.get(hash)
  if (instrumented === undefined) {
    instrumented = withCpuCheckpoints(text, type)
    metered.set(hash, instrumented)
  }
  return instrumented
}

/**
 * Instruments an upload's JavaScript modules before it is published, so the upload call pays for
 * the parsing and its first request does not (a 1 MiB bundle's first request took ~0.9 s instead
 * of ~0.1 s). Keyed by the hash the store gives the content, which the first load looks up.
 */
export function prepareMeteredModules(modules: ModuleContent[]): void {
  for (const m of modules) {
    const { type, text } = bundledModule(m)
    if ((type === 'esm' || type === 'commonjs') && text !== undefined) meteredText(sha256Hex(m.content), type, text)
  }
}

function bundledModule(m: ModuleContent): CodeBundle['modules'][number] {
  const buf = Buffer.from(m.content.buffer, m.content.byteOffset, m.content.byteLength)
  return TEXT_TYPES.has(m.type)
    ? { name: m.name, type: m.type as 'esm', text: buf.toString('utf8') }
    : { name: m.name, type: m.type as 'wasm' | 'data', base64: buf.toString('base64') }
}

/**
 * A version that is not stored yet, as the host would run it (same bindings, dates and shims), for
 * a startup check. Nothing here is cached by the host: the check loads a throwaway isolate.
 */
export async function describeCandidate(store: Store, keyring: Keyring, candidate: StartupCandidate, now: number): Promise<StartupCheck> {
  const { accountId, namespaceId, name, version } = candidate
  const id = 'startup-check' as VersionId
  const createdOn = new Date(now).toISOString()
  const bindings = await hostBindings(store, keyring, accountId, { id, createdOn, annotations: version.annotations ?? {}, bindings: version.bindings })
  const trusted = namespaceId === null ? true : ((await store.namespaces.getById(namespaceId))?.trustedWorkers ?? false)
  const script: ScriptDescriptor = {
    accountId,
    namespaceId: namespaceId ?? '',
    name,
    versionId: id,
    loadKey: id,
    ...codeShapeOf(version),
    bindings,
    trusted,
    workersDev: false,
    traced: false,
    limits: {},
    cache: { space: `startup-check-${accountId}`, defaultEnabled: namespaceId === null || trusted },
  }
  return { script, code: { modules: version.modules.filter((m) => m.type !== 'sourcemap').map(bundledModule) } }
}

export async function routingTableOf(store: Store, edgeDomain: string, httpsPort: number | null = null): Promise<RoutingTable> {
  const accounts = await store.accounts.list()
  const zones = await store.zones.list({})
  const routes = await store.zones.allRoutes()
  const hostnames = await store.zones.allCustomHostnames()
  const domains = await store.zones.allWorkerDomains()
  const fallbacks = new Map((await store.zones.allFallbackOrigins()).map((f) => [f.zoneId, f.origin]))
  const challenges = await store.tls.challenges()
  const alwaysHttps = new Set((await store.tls.zoneSettingValues('always_use_https')).filter((s) => s.value === 'on').map((s) => s.zoneId))
  return {
    edgeDomain,
    subdomains: Object.fromEntries(accounts.map((a) => [a.subdomain, a.id])),
    zones: zones.map((z) => ({ name: z.name, accountId: z.accountId })),
    routes: routes.map((r) => ({ zone: r.zoneName, pattern: r.pattern, script: r.script })),
    customHostnames: hostnames.map((h) => ({
      id: h.id,
      hostname: h.hostname,
      zone: h.zoneName,
      active: h.status === 'active',
      token: h.verificationToken,
      origin: h.customOriginServer ?? fallbacks.get(h.zoneId) ?? null,
      metadata: h.customMetadata,
    })),
    workerDomains: domains.map((d) => ({ hostname: d.hostname, accountId: d.accountId, script: d.service })),
    acmeChallenges: Object.fromEntries(challenges.map((c) => [c.token, c.keyAuthorization])),
    alwaysHttpsZones: zones.filter((z) => alwaysHttps.has(z.id)).map((z) => z.name),
    httpsPort,
  }
}

export type { Script }
