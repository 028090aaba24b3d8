import { WIRE, wireUrl } from '../../shared/wire.js'
import { type CodeBundle, type HostBinding, type ScriptDescriptor } from '../../shared/protocol.js'
import { internalJson } from '../internal-api.worker.js'
import { hostExports, type HostEnv, type OutboundTarget } from '../env.worker.js'
import { stableHash } from '../containment/budget.worker.js'
import { scriptKey } from '../containment/guard.worker.js'
import { OWN, wrappedMain } from '../shims/main-module.worker.js'
import { workerKindOf } from '../../bindings/registry.worker.js'
import { bindingsModule, needsBindingsModule } from '../shims/bindings-shim.worker.js'
import { cachesConfigModule } from '../shims/caches-shim.worker.js'
import { consoleConfigModule } from '../shims/console-shim.worker.js'
import { isolateModule } from '../shims/isolate-modules.worker.js'
import { CPU_METER_PATH, cpuMeterModule } from '../shims/cpu-meter.worker.js'
import { takeCode } from './registry.worker.js'
import { TAIL_SHIM_PATH, tailShimExport } from '../shims/tail-shim.worker.js'


/** What shapes an isolate beyond the script's own version. */
export interface LoadVariant {
  /** The namespace's Outbound Worker and the params of this dispatch (user Workers). */
  outbound?: OutboundTarget
  /** Extra env values: an Outbound Worker's params. */
  extraEnv?: Record<string, unknown>
}

/**
 * The loader's cache name for a script in a variant. The loader caches isolates by name and never
 * re-runs the callback for a cached name, so the name changes with every version, every setting
 * that shapes the isolate (the descriptor's loadKey) and every variant.
 */
export function loadKeyOf(d: ScriptDescriptor, variant: LoadVariant = {}): string {
  return variant.outbound || variant.extraEnv ? `${d.loadKey}:${stableHash([variant.outbound, variant.extraEnv])}` : d.loadKey
}

let isolatesLoaded = 0

/**
 * How many isolates this process has loaded. The Worker Loader never evicts one, so the watchdog
 * recycles a process (graceful drain, then a fresh one) before this grows past its budget.
 */
export const loadedIsolates = (): number => isolatesLoaded

/** Returns the Worker Loader stub of the script's current version (in a variant). */
export function loadWorker(env: HostEnv, ctx: ExecutionContext<unknown>, d: ScriptDescriptor, variant: LoadVariant = {}): WorkerStub {
  const key = loadKeyOf(d, variant)
  return env.LOADER.get(key, () => {
    isolatesLoaded++
    return workerCode(env, ctx, d, key, variant)
  })
}

/**
 * What the loader runs for a script: its modules, our shims, its env. `given` is code that is not
 * stored yet (a startup check); otherwise the code of the descriptor's version comes from Node.
 */
export async function workerCode(
  env: HostEnv,
  ctx: ExecutionContext<unknown>,
  d: ScriptDescriptor,
  loadKey: string,
  variant: LoadVariant,
  given?: CodeBundle,
): Promise<WorkerLoaderWorkerCode> {
  const bundle =
    given ??
    takeCode(d.versionId) ??
    (await internalJson<CodeBundle>(env, wireUrl(WIRE.code, { versionId: d.versionId })))
  const modules: Record<string, WorkerLoaderModule> = {}
  for (const m of bundle.modules) modules[m.name] = toLoaderModule(m)
  const exportsOf = hostExports(ctx)
  const scriptProps = { accountId: d.accountId, namespaceId: d.namespaceId, script: d.name, loadKey, cacheSpace: d.cache.space, cacheDefault: d.cache.defaultEnabled }
  const wrapBindings = needsBindingsModule(d.bindings)
  if (wrapBindings) {
    const bindings = bindingsModule(d.bindings)
    modules[`${OWN}bindings.js`] = { js: bindings.source }
    for (const file of bindings.modules) modules[`${OWN}${file}`] = { js: isolateModule(env, file) }
  }
  modules[`${OWN}caches.js`] = { js: isolateModule(env, 'caches.js') }
  modules[`${OWN}caches-config.js`] = { js: cachesConfigModule(d.cache.defaultEnabled) }
  modules[`${OWN}console.js`] = { js: isolateModule(env, 'console.js') }
  modules[`${OWN}console-config.js`] = { js: consoleConfigModule(d) }
  modules[CPU_METER_PATH] = { js: env.SETTINGS.usage ? cpuMeterModule.measuring : cpuMeterModule.limitsOnly }
  if (d.format === 'service-worker') {
    // The loader only builds module Workers. A service-worker script runs as a CommonJS module
    // (sloppy mode, like a classic script) after a setup module has made the bindings globals;
    // workerd dispatches its addEventListener('fetch') handlers natively.
    modules[`${OWN}setup.js`] = { js: serviceWorkerSetup(d.bindings, wrapBindings) }
    modules[`${OWN}main.js`] = { js: `import "./cpu-meter.js";\nimport "./console.js";\nimport "./caches.js";\nimport "./setup.js";\nimport ${JSON.stringify('../' + d.mainModule)};\n` }
  } else {
    modules[`${OWN}main.js`] = { js: wrappedMain(d.mainModule, wrapBindings) + tailShimExport }
    modules[TAIL_SHIM_PATH] = { js: isolateModule(env, 'tail.js') }
    modules[`${OWN}durable-object.js`] = { js: isolateModule(env, 'durable-object.js') }
    modules[`${OWN}storage-meter.js`] = { js: isolateModule(env, 'storage-meter.js') }
  }
  const mainModule = `${OWN}main.js`
  return {
    compatibilityDate: d.compatibilityDate,
    compatibilityFlags: d.compatibilityFlags,
    mainModule,
    modules,
    env: { ...buildEnv(d, ctx, loadKey), ...variant.extraEnv },
    // Always explicit: left unset, a loaded Worker would inherit the host's own network access.
    globalOutbound: variant.outbound
      ? exportsOf.OutboundWorker({ props: { ...scriptProps, target: variant.outbound } })
      : exportsOf.Outbound({ props: scriptProps }),
    tails: d.traced ? [exportsOf.Tail({ props: scriptProps })] : [],
  }
}

function toLoaderModule(m: CodeBundle['modules'][number]): WorkerLoaderModule {
  switch (m.type) {
    case 'esm':
      return { js: m.text ?? '' }
    case 'commonjs':
      return { cjs: m.text ?? '' }
    case 'text':
      return { text: m.text ?? '' }
    case 'json':
      return { json: JSON.parse(m.text ?? 'null') }
    case 'data':
      return { data: base64ToBytes(m.base64 ?? '').buffer as ArrayBuffer }
    case 'wasm':
      return { wasm: base64ToBytes(m.base64 ?? '') }
  }
}

/** Builds the env object a loaded Worker sees: only its own bindings, nothing of the host. */
function buildEnv(d: ScriptDescriptor, ctx: ExecutionContext<unknown>, loadKey: string): Record<string, unknown> {
  const env: Record<string, unknown> = {}
  const caller = { usageKey: scriptKey(d.accountId, d.namespaceId, d.name), loadKey }
  for (const b of d.bindings) {
    const value = workerKindOf(b)?.envValue?.(b, d, ctx, caller)
    if (value !== undefined) env[b.name] = value
  }
  return env
}

/** Setup module for service-worker scripts: bindings become globals, module parts included. */
function serviceWorkerSetup(bindings: HostBinding[], wrapBindings: boolean): string {
  const lines = ['import { env } from "cloudflare:workers";']
  if (wrapBindings) lines.push('import { wrapEnv } from "./bindings.js";')
  lines.push(`for (const [name, value] of Object.entries(${wrapBindings ? 'wrapEnv(env)' : 'env'})) globalThis[name] = value;`)
  bindings.forEach((b, i) => {
    const part = workerKindOf(b)?.partGlobal?.(b)
    if (part === undefined) return
    lines.splice(1, 0, `import part${i} from ${JSON.stringify('../' + part)};`)
    lines.push(`globalThis[${JSON.stringify(b.name)}] = part${i};`)
  })
  return lines.join('\n') + '\n'
}

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}
