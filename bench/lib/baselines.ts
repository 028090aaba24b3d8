import { capnpString, startStaticWorkerd, type StaticWorkerd } from './workerd.js'
import { helloWorker, LOADED_DISPATCH_WORKER, paddedBundle, STATIC_DISPATCH_WORKER } from './workers.js'

// The baselines: plain workerd from a static config, one process, nothing of Workerhive in it.

const HEADER = 'using Workerd = import "/workerd/workerd.capnp";\n'
const HTTP_SOCKET = (service: string) => `(name = "http", address = "127.0.0.1:0", http = (), service = "${service}")`

/** Raw workerd serving one hello world: the physical limit of the data plane. */
export function startRawHello(): Promise<StaticWorkerd> {
  return startStaticWorkerd({
    config: `${HEADER}
const config :Workerd.Config = (
  services = [(name = "hello", worker = .hello)],
  sockets = [${HTTP_SOCKET('hello')}],
);
const hello :Workerd.Worker = (
  modules = [(name = "index.js", esModule = ${capnpString(helloWorker('hello'))})],
  compatibilityDate = "2026-01-01",
);
`,
  })
}

/** A static dispatch Worker with a service binding to the user Worker: dispatch with zero dynamic hops. */
export function startStaticTwoWorker(): Promise<StaticWorkerd> {
  return startStaticWorkerd({
    config: `${HEADER}
const config :Workerd.Config = (
  services = [(name = "dispatch", worker = .dispatch), (name = "user", worker = .user)],
  sockets = [${HTTP_SOCKET('dispatch')}],
);
const dispatch :Workerd.Worker = (
  modules = [(name = "index.js", esModule = ${capnpString(STATIC_DISPATCH_WORKER)})],
  compatibilityDate = "2026-01-01",
  bindings = [(name = "USER", service = "user")],
);
const user :Workerd.Worker = (
  modules = [(name = "index.js", esModule = ${capnpString(helloWorker('hello'))})],
  compatibilityDate = "2026-01-01",
);
`,
  })
}

/** Size of the bundle the loader baseline builds for `/<name>?bundle`. */
export const BUNDLE_BYTES = 1024 * 1024

/**
 * The Worker Loader on its own: `GET /<name>` loads a never-seen name with inline hello-world
 * code (`?bundle`: a 1 MiB bundle), the same source Workerhive's user Workers have. What a cold
 * start costs before any platform code runs.
 */
export function startLoaderBaseline(): Promise<StaticWorkerd> {
  const host = `import bundle from 'bundle.txt'
const hello = ${helloWorker.toString()}
export default {
  fetch(request, env) {
    const url = new URL(request.url)
    const name = url.pathname.slice(1)
    const big = url.searchParams.has('bundle')
    const stub = env.LOADER.get(name, () => ({
      compatibilityDate: '2026-01-01',
      mainModule: 'index.js',
      modules: { 'index.js': big ? bundle.replaceAll('__SEED__', name.replace(/[^A-Za-z0-9_]/g, '_')) : hello(name) },
    }))
    return stub.getEntrypoint().fetch(request)
  },
}
`
  return startStaticWorkerd({
    config: `${HEADER}
const config :Workerd.Config = (
  services = [(name = "loader", worker = .loader)],
  sockets = [${HTTP_SOCKET('loader')}],
);
const loader :Workerd.Worker = (
  modules = [
    (name = "index.js", esModule = ${capnpString(host)}),
    (name = "bundle.txt", text = embed "bundle.txt"),
  ],
  compatibilityDate = "2026-01-01",
  bindings = [(name = "LOADER", workerLoader = (id = "baseline"))],
);
`,
    files: { 'bundle.txt': paddedBundle(BUNDLE_BYTES, '__SEED__') },
  })
}

/**
 * Workers for Platforms built from the Worker Loader alone, with no Workerhive code: a host that
 * loads the dispatch Worker, whose `fetch` names the user Worker in a header and calls back into
 * the host (`ctx.exports`), which loads the user Worker. The shape of Workerhive's full path (a
 * loaded Worker cannot hand another loaded Worker's entrypoint on, so every dispatch crosses back
 * through the host): the floor of that design, before any routing, containment or metering.
 */
export function startLoadedDispatchBaseline(): Promise<StaticWorkerd> {
  const host = `import { WorkerEntrypoint } from 'cloudflare:workers'
const hello = ${helloWorker.toString()}
const DISPATCH = ${JSON.stringify(LOADED_DISPATCH_WORKER)}
export class Gateway extends WorkerEntrypoint {
  fetch(request) {
    const name = request.headers.get('x-dispatch-to')
    const user = this.env.LOADER.get('user:' + name, () => ({ compatibilityDate: '2026-01-01', mainModule: 'index.js', modules: { 'index.js': hello(name) } }))
    return user.getEntrypoint().fetch(request)
  }
}
export default {
  fetch(request, env, ctx) {
    const dispatch = env.LOADER.get('dispatch', () => ({
      compatibilityDate: '2026-01-01',
      mainModule: 'index.js',
      modules: { 'index.js': DISPATCH },
      env: { GATEWAY: ctx.exports.Gateway({ props: {} }) },
    }))
    return dispatch.getEntrypoint().fetch(request)
  },
}
`
  return startStaticWorkerd({
    config: `${HEADER}
const config :Workerd.Config = (
  services = [(name = "host", worker = .host)],
  sockets = [${HTTP_SOCKET('host')}],
);
const host :Workerd.Worker = (
  modules = [(name = "index.js", esModule = ${capnpString(host)})],
  compatibilityDate = "2026-01-01",
  bindings = [(name = "LOADER", workerLoader = (id = "baseline"))],
);
`,
  })
}

/**
 * The shape issue 14 proposes, at its floor: a routing front with a service binding to a static
 * dispatch Worker that has a Worker Loader of its own, so `get(name)` loads the user Worker in the
 * dispatch Worker's isolate and no call crosses back (front → dispatch → user: two hops).
 */
export function startStaticDispatchLoaderBaseline(): Promise<StaticWorkerd> {
  const dispatch = `const hello = ${helloWorker.toString()}
const dispatcher = (loader) => ({
  get: (name) => loader.get('user:' + name, () => ({ compatibilityDate: '2026-01-01', mainModule: 'index.js', modules: { 'index.js': hello(name) } })).getEntrypoint(),
})
export default {
  fetch(request, env) {
    const name = new URL(request.url).pathname.split('/')[1]
    if (name !== 'hello') return new Response('no such worker', { status: 404 })
    return dispatcher(env.LOADER).get(name).fetch(request)
  },
}
`
  return startStaticWorkerd({
    config: `${HEADER}
const config :Workerd.Config = (
  services = [(name = "front", worker = .front), (name = "dispatch", worker = .dispatch)],
  sockets = [${HTTP_SOCKET('front')}],
);
const front :Workerd.Worker = (
  modules = [(name = "index.js", esModule = "export default { fetch(request, env) { return env.DISPATCH.fetch(request) } }")],
  compatibilityDate = "2026-01-01",
  bindings = [(name = "DISPATCH", service = "dispatch")],
);
const dispatch :Workerd.Worker = (
  modules = [(name = "index.js", esModule = ${capnpString(dispatch)})],
  compatibilityDate = "2026-01-01",
  bindings = [(name = "LOADER", workerLoader = (id = "users"))],
);
`,
  })
}
