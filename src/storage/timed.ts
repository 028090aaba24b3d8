import type { Store } from './store.js'

/**
 * The store with every asynchronous operation timed (`observe('scripts.get', seconds)`), failures
 * included: the latency /metrics shows. Operation names are the interface's, a bounded set.
 */
export function withTimedStore(store: Store, observe: (operation: string, seconds: number) => void): Store {
  const timed = (area: string, target: object): object =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver)
        if (typeof value !== 'function' || typeof prop !== 'string') return value
        return (...args: unknown[]) => {
          const started = process.hrtime.bigint()
          const result = Reflect.apply(value, obj, args)
          if (!(result instanceof Promise)) return result
          const done = () => observe(`${area}.${prop}`, Number(process.hrtime.bigint() - started) / 1e9)
          result.then(done, done)
          return result
        }
      },
    })
  const areas = ['accounts', 'namespaces', 'scripts', 'kv', 'zones', 'assets', 'containment', 'invocations', 'schedules', 'usage', 'tls', 'durableObjects', 'd1', 'placement', 'r2', 'queues'] as const
  const wrapped: Record<string, unknown> = {}
  for (const area of areas) wrapped[area] = timed(area, store[area])
  return {
    ...(wrapped as Pick<Store, (typeof areas)[number]>),
    ...(store.changes ? { changes: store.changes } : {}),
    close: () => store.close(),
  }
}
