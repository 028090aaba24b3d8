// How the host runs a customer's Durable Object class as a facet (module `__workerhive/durable-object.js`;
// the main module exports `objectClassOf(app)` as `__WorkerhiveObject`). The host's ObjectHost asks
// the Worker Loader for that one class with the customer's class name in ctx.props; its
// constructor answers an instance of the customer's class, extended with what facets lack:
// - alarms: workerd refuses setAlarm() in a facet, so ctx.storage's alarm methods go to the host
//   object (ctx.props.alarms, an entrypoint of the host), which keeps the alarm in its own storage
//   and delivers it back through fetch() with a marked request (so classes that do not extend
//   DurableObject, which cannot take RPC, get alarms too; the host strips that header from every
//   request that comes from outside).
// - ctx.id: workerd gives a facet whose id is a string that string as ctx.id; the class gets a
//   DurableObjectId instead (toString, equals, and name when the id was made from a name).
// - metering: the rows its storage reads and writes, as Cloudflare bills SQLite-backed objects (the
//   SQL API's cursors' rowsRead/rowsWritten; a key of the KV API is a row), which the host takes
//   after each call through STORAGE_ROWS_METHOD (storage-meter.ts).
// Runs in the customer's isolate: it imports nothing but its sibling storage-meter.ts.

import { meterStorage, STORAGE_ROWS_METHOD, type StorageMeter } from './storage-meter.js'

const ALARM_HEADER = 'x-workerhive-do-alarm'

interface AlarmControl {
  setAlarm(time: number): Promise<void>
  getAlarm(): Promise<number | null>
  deleteAlarm(): Promise<void>
}

interface HostProps {
  className: string
  alarms: AlarmControl
  name?: string
}

interface FacetState {
  props: HostProps
  storage: Record<string, unknown>
  id: unknown
}

type AnyClass = new (ctx: unknown, env: unknown) => Record<string, unknown>

/**
 * `base` is workerd's DurableObject: the class workerd loads must extend it for the host to call
 * the object's methods over RPC (workerd checks the exported class, not the instance it makes).
 */
export function objectClassOf(app: Record<string, unknown>, base: AnyClass, wrapEnv?: (env: unknown) => unknown): unknown {
  const extended = new Map<string, AnyClass>()
  return class WorkerhiveObject extends base {
    constructor(ctx: FacetState, env: unknown) {
      super(ctx, env)
      const { className } = ctx.props
      let cls = extended.get(className)
      if (!cls) {
        const base = app[className]
        if (typeof base !== 'function') throw new Error(`Durable Object class '${className}' is not exported by the Worker`)
        cls = extend(base as AnyClass)
        extended.set(className, cls)
      }
      routeAlarms(ctx)
      const meter = meterStorage(ctx.storage)
      ctx.id = new ObjectId(String(ctx.id), ctx.props.name)
      // A constructor may answer another object: workerd runs the customer's class's instance.
      const instance = new cls(ctx, wrapEnv ? wrapEnv(env) : env)
      meters.set(instance, meter)
      return instance as never
    }
  }
}

/** Cloudflare's DurableObjectId as the object sees it in ctx.id. */
class ObjectId {
  readonly #hex: string
  readonly name: string | undefined
  constructor(hex: string, name: string | undefined) {
    this.#hex = hex
    this.name = name
  }
  toString(): string {
    return this.#hex
  }
  toJSON(): string {
    return this.#hex
  }
  equals(other: { toString(): string }): boolean {
    return other !== null && typeof other === 'object' && other.toString() === this.#hex
  }
}

function routeAlarms(ctx: FacetState): void {
  const alarms = ctx.props.alarms
  const storage = ctx.storage
  storage.setAlarm = async (time: number | Date) => {
    const ms = time instanceof Date ? time.getTime() : Number(time)
    if (!Number.isFinite(ms)) throw new TypeError('setAlarm() needs a time: milliseconds since the epoch or a Date')
    await alarms.setAlarm(ms)
  }
  storage.getAlarm = () => alarms.getAlarm()
  storage.deleteAlarm = () => alarms.deleteAlarm()
}

/** Each instance's meter (the customer's class may not keep ctx where the shim could find it). */
const meters = new WeakMap<object, StorageMeter>()

function extend(base: AnyClass): AnyClass {
  const ownFetch = base.prototype.fetch as ((request: Request) => unknown) | undefined
  return class extends base {
    fetch(request: Request): unknown {
      const alarm = request.headers.get(ALARM_HEADER)
      if (alarm !== null) {
        const handler = (this as Record<string, unknown>).alarm as ((info: unknown) => unknown) | undefined
        return Promise.resolve(typeof handler === 'function' ? handler.call(this, JSON.parse(alarm)) : undefined).then(() => new Response(null, { status: 204 }))
      }
      if (typeof ownFetch !== 'function') throw new Error('Handler does not export a fetch() function.')
      return ownFetch.call(this, request)
    }
    /** The host's: the rows read and written since it last asked (an RPC method of the facet). */
    [STORAGE_ROWS_METHOD](): { read: number; written: number } {
      return meters.get(this)?.take() ?? { read: 0, written: 0 }
    }
  }
}
