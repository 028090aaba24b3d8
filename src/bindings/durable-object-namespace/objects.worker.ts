// The objects process's half of Durable Objects. One edge process (index 0) hosts every object, so
// an id has one instance at any time: the others reach it through ObjectsGate over workerd's
// Cap'n Proto RPC. Each object is an ObjectHost, a static Durable Object of the host worker with
// SQLite storage on local disk (the data dir's `objects/`), named by namespace id and object id;
// the customer's class runs in it as a facet (ctx.facets), loaded through the Worker Loader, so it
// gets workerd's own storage API (KV, ctx.storage.sql, ctx.storage.kv, transactions), input and
// output gates, blockConcurrencyWhile and the WebSocket hibernation API, in a database of its
// own. A namespace's id outlives renames and transfers, and so does its objects' storage.
import { DurableObject, WorkerEntrypoint } from 'cloudflare:workers'
import { objectsGate } from './durable-object.worker.js'
import type { HostEnv } from '../../host/env.worker.js'
import { internalFetch, internalJson } from '../../host/internal-api.worker.js'
import { runContained } from '../../host/pipeline/invoke.worker.js'
import { scriptKey } from '../../host/containment/guard.worker.js'
import { recordUsage } from '../../host/containment/usage.worker.js'
import { loadWorker } from '../../host/pipeline/loader.worker.js'
import { lookupScript } from '../../host/pipeline/registry.worker.js'
import { versionFor } from '../../host/pipeline/versions.worker.js'
import { OBJECT_CLASS_EXPORT } from '../../host/shims/main-module.worker.js'
import { HEADER_INTERNAL_SECRET } from '../../shared/headers.js'
import type { ScriptDescriptor } from '../../shared/protocol.js'
import { wireUrl } from '../../shared/wire.js'
import {
  DO_HEADERS,
  DO_STORAGE_ROWS_METHOD,
  DO_WIRE,
  OBJECT_ID,
  OBJECT_MOVED,
  type CallOutcome,
  type DurableObjectNamespaceInfo,
  type Forward,
  type ForwardedCall,
  type ForwardedFetch,
  type ObjectPlace,
  type ObjectRef,
  type PlaceRequest,
  type Replication,
  type WakeOutcome,
  type WakeRequest,
} from './wire.js'

interface ObjectAddress {
  namespaceId: string
  objectId: string
  /** The name the id was made from (checked by the binding), when the caller had one. */
  name?: string
}

type HostStub = DurableObjectStub & {
  call(address: ObjectAddress, method: string, args: unknown[]): Promise<unknown>
  enrol(objectId: string): Promise<void>
  reclaimAll(namespaceId: string): Promise<number>
  reclaim(): Promise<void>
  setAlarmAt(time: number): Promise<void>
  alarmAt(): Promise<number | null>
  clearAlarm(): Promise<void>
  evict(): Promise<void>
  wake(address: ObjectAddress): Promise<void>
}

interface ObjectExports {
  ObjectHost: DurableObjectNamespace
  ObjectAlarms: (options: { props: { host: string } }) => Fetcher
}

const exportsOf = (ctx: { exports: unknown }): ObjectExports => ctx.exports as ObjectExports

const hostName = (a: ObjectAddress): string => `${a.namespaceId}:${a.objectId}`

function hostOf(ctx: { exports: unknown }, address: ObjectAddress): HostStub {
  return exportsOf(ctx).ObjectHost.getByName(hostName(address)) as HostStub
}

/**
 * A namespace's index: an ObjectHost of its own (no class runs in it) listing the namespace's
 * objects, since workerd names an object's files by a hash of its host's name and nothing else
 * finds them. Its name cannot be an object's (those end in 64 hex digits).
 */
function indexOf(ctx: { exports: unknown }, namespaceId: string): HostStub {
  return exportsOf(ctx).ObjectHost.getByName(`${namespaceId}:index`) as HostStub
}

/**
 * The objects process's door: the secret, then the object's host by namespace and id. On several
 * nodes (SETTINGS.placedObjects) it first asks Node where the object lives, and a call for an
 * object another node owns goes there through Node (src/runtime/placement/objects.ts); a call
 * another node forwarded here is never forwarded again.
 */
export class ObjectsGate extends WorkerEntrypoint<HostEnv> {
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get(HEADER_INTERNAL_SECRET) !== this.env.INTERNAL_SECRET) return new Response('forbidden', { status: 403 })
    const address = { namespaceId: request.headers.get(DO_HEADERS.namespace) ?? '', objectId: request.headers.get(DO_HEADERS.id) ?? '' }
    if (!address.namespaceId || !OBJECT_ID.test(address.objectId)) return new Response('bad object address', { status: 400 })
    const forwarded = request.headers.has(DO_HEADERS.forwarded)
    const headers = new Headers(request.headers)
    headers.delete(HEADER_INTERNAL_SECRET)
    headers.delete(DO_HEADERS.forwarded)
    const host = hostOf(this.ctx, address)
    if (!this.env.SETTINGS.placedObjects) return host.fetch(new Request(request, { headers }))
    const place = await placeObject(this.env, this.ctx, address, host)
    if (place.where === 'here') return host.fetch(new Request(request, { headers }))
    if (forwarded) return new Response(OBJECT_MOVED, { status: 503, headers: { [DO_HEADERS.moved]: '1' } })
    if (request.headers.get('upgrade')?.toLowerCase() === 'websocket')
      return new Response("WebSockets to a Durable Object are accepted only by the node that owns it", { status: 503 })
    const call: ForwardedFetch = {
      ...address,
      method: request.method,
      url: request.url,
      headers: [...headers],
      body: request.body ? toBase64(new Uint8Array(await request.arrayBuffer())) : null,
    }
    const forward: Forward<ForwardedFetch> = { address: place.address, call }
    return internalFetch(this.env, wireUrl(DO_WIRE.forwardFetch, {}), { method: 'POST', body: JSON.stringify(forward) })
  }

  async call(secret: string, namespaceId: string, objectId: string, method: string, args: unknown[], name?: string, forwarded = false): Promise<unknown> {
    if (secret !== this.env.INTERNAL_SECRET) throw new Error('forbidden')
    if (!OBJECT_ID.test(objectId)) throw new TypeError('Invalid Durable Object ID')
    const address = { namespaceId, objectId, ...(typeof name === 'string' ? { name } : {}) }
    const host = hostOf(this.ctx, address)
    if (!this.env.SETTINGS.placedObjects) return host.call(address, method, args)
    const place = await placeObject(this.env, this.ctx, address, host)
    if (place.where === 'here') return host.call(address, method, args)
    if (forwarded) throw new Error(OBJECT_MOVED)
    // Between nodes an RPC call travels as JSON: its arguments and result must be JSON values.
    const forward: Forward<ForwardedCall> = { address: place.address, call: { ...address, method, args } }
    const outcome = await internalJson<CallOutcome>(this.env, wireUrl(DO_WIRE.forwardCall, {}), { method: 'POST', body: JSON.stringify(forward) })
    if (outcome.ok) return outcome.value
    const error = new Error(outcome.error)
    if (outcome.name) error.name = outcome.name
    throw error
  }

  /**
   * Several nodes: starts an object whose alarm is due and whose owner is gone, placed like a call
   * (this node claims it and rebuilds its files), so its alarm is armed and runs here.
   */
  async wake(secret: string, namespaceId: string, objectId: string): Promise<WakeOutcome> {
    if (secret !== this.env.INTERNAL_SECRET) throw new Error('forbidden')
    if (!this.env.SETTINGS.placedObjects || !OBJECT_ID.test(objectId)) return { woken: false }
    // A deleted namespace's objects never run again: their alarms are dropped, not retried.
    const info = await internalJson<DurableObjectNamespaceInfo>(this.env, wireUrl(DO_WIRE.namespace, { id: namespaceId }))
    if (!info.found) return { woken: false, gone: true }
    const address = { namespaceId, objectId }
    const host = hostOf(this.ctx, address)
    if ((await placeObject(this.env, this.ctx, address, host)).where !== 'here') return { woken: false }
    await host.wake(address)
    return { woken: true }
  }

  /** A deleted namespace (deleted_classes migration): every object it had goes, with its storage. */
  async reclaim(secret: string, namespaceId: string): Promise<number> {
    if (secret !== this.env.INTERNAL_SECRET) throw new Error('forbidden')
    return indexOf(this.ctx, namespaceId).reclaimAll(namespaceId)
  }
}

/**
 * Asks Node where the object lives (several nodes). An instance open here that may be stale (this
 * node lost the object, or is taking it back) is evicted first, so its files can be rebuilt.
 */
async function placeObject(env: HostEnv, ctx: { exports: unknown }, address: ObjectAddress, host: HostStub): Promise<{ where: 'here' } | { where: 'remote'; address: string }> {
  const ref: PlaceRequest = { namespaceId: address.namespaceId, objectId: address.objectId, key: exportsOf(ctx).ObjectHost.idFromName(hostName(address)).toString(), from: 'gate' }
  for (let attempt = 0; attempt < 3; attempt++) {
    const place = await askPlace(env, ref)
    if (place.where === 'here') return place
    if (place.where === 'evict-first' || place.evict) await host.evict().catch(() => undefined)
    if (place.where === 'remote') return place
  }
  throw new Error('the Durable Object could not be placed on a node; try again')
}

const askPlace = (env: HostEnv, ref: PlaceRequest): Promise<ObjectPlace> =>
  internalJson<ObjectPlace>(env, wireUrl(DO_WIRE.place, {}), { method: 'POST', body: JSON.stringify(ref) })

function toBase64(bytes: Uint8Array): string {
  let text = ''
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(text)
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
}

/**
 * A call another node forwarded to this one (Node hands it to the control socket of the objects
 * process): into the gate, marked so that it is not forwarded again if the object moved meanwhile.
 */
export async function takeForwardedFetch(env: HostEnv, call: ForwardedFetch): Promise<Response> {
  const headers = new Headers(call.headers)
  headers.set(DO_HEADERS.namespace, call.namespaceId)
  headers.set(DO_HEADERS.id, call.objectId)
  headers.set(DO_HEADERS.forwarded, '1')
  headers.set(HEADER_INTERNAL_SECRET, env.INTERNAL_SECRET)
  const body = call.body === null ? null : fromBase64(call.body)
  return objectsGate(env).fetch(new Request(call.url, { method: call.method, headers, body }))
}

export async function takeForwardedCall(env: HostEnv, call: ForwardedCall): Promise<CallOutcome> {
  try {
    const value = await objectsGate(env).call(env.INTERNAL_SECRET, call.namespaceId, call.objectId, call.method, call.args, call.name, true)
    return { ok: true, value }
  } catch (err) {
    const e = err as Error
    const error = e?.message ?? String(err)
    return { ok: false, error, name: e?.name ?? 'Error', ...(error.includes(OBJECT_MOVED) ? { moved: true } : {}) }
  }
}

/** Node's wake of an object whose alarm is due (CONTROL.objectsWake): into the gate. */
export async function wakeObject(env: HostEnv, request: WakeRequest): Promise<WakeOutcome> {
  try {
    return await objectsGate(env).wake(env.INTERNAL_SECRET, request.namespaceId, request.objectId)
  } catch (err) {
    return { woken: false, error: (err as Error)?.message ?? String(err) }
  }
}

/** What the customer's class calls for its alarms (facets cannot set their own): its host's. */
export class ObjectAlarms extends WorkerEntrypoint<HostEnv, { host: string }> {
  setAlarm(time: number): Promise<void> {
    return this.#host().setAlarmAt(time)
  }
  getAlarm(): Promise<number | null> {
    return this.#host().alarmAt()
  }
  deleteAlarm(): Promise<void> {
    return this.#host().clearAlarm()
  }
  #host(): HostStub {
    return exportsOf(this.ctx).ObjectHost.getByName(this.ctx.props.host) as HostStub
  }
}

const ADDRESS_KEY = 'workerhive:address'
/** An index host's keys: one per object of the namespace. */
const MEMBER = 'member:'
const FACET = 'object'

interface Running {
  facet: Fetcher & Record<string, unknown>
  script: ScriptDescriptor
  info: DurableObjectNamespaceInfo
}

/**
 * The rows the facet's storage read and wrote since the last call (shims/isolate/storage-meter.ts).
 * A facet that was aborted (its call broke a limit) answers nothing: its rows are lost with it.
 */
async function storageRows(facet: Record<string, unknown>): Promise<{ read: number; written: number }> {
  try {
    return await (facet[DO_STORAGE_ROWS_METHOD] as () => Promise<{ read: number; written: number }>)()
  } catch {
    return { read: 0, written: 0 }
  }
}

/** One Durable Object: runs the customer's class as its facet, and keeps its address and alarm. */
export class ObjectHost extends DurableObject<HostEnv> {
  #running: Running | undefined
  #starting: Promise<Running> | undefined

  override async fetch(request: Request): Promise<Response> {
    const name = request.headers.get(DO_HEADERS.name)
    const address = {
      namespaceId: request.headers.get(DO_HEADERS.namespace) ?? '',
      objectId: request.headers.get(DO_HEADERS.id) ?? '',
      ...(name === null ? {} : { name: decodeURIComponent(name) }),
    }
    const headers = new Headers(request.headers)
    for (const h of Object.values(DO_HEADERS)) headers.delete(h)
    const forwarded = new Request(request, { headers })
    return this.#run(address, (facet) => facet.fetch(forwarded))
  }

  async call(address: ObjectAddress, method: string, args: unknown[]): Promise<unknown> {
    return this.#run(address, (facet) => {
      // Called on the stub itself: an RPC method's own `.apply` would be a remote property too.
      const target = facet as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>
      return target[method]!(...args)
    })
  }

  /**
   * Several nodes: an object restored from the shared store has its alarm time in its storage, but
   * this node's alarm scheduler has never heard of it; setting it again arms it here.
   */
  async #rearmAlarm(): Promise<void> {
    const at = await this.ctx.storage.getAlarm()
    if (at === null) return
    await this.ctx.storage.deleteAlarm()
    await this.ctx.storage.setAlarm(at)
  }

  /** The pipeline needs of a context only its exports and waitUntil, which an object's state has. */
  #asContext(): ExecutionContext<unknown> {
    return this.ctx as unknown as ExecutionContext<unknown>
  }

  setAlarmAt(time: number): Promise<void> {
    return this.ctx.storage.setAlarm(time)
  }
  alarmAt(): Promise<number | null> {
    return this.ctx.storage.getAlarm()
  }
  clearAlarm(): Promise<void> {
    return this.ctx.storage.deleteAlarm()
  }

  /**
   * Several nodes: starts the object without a call (its alarm is due and its owner died): starting
   * arms the alarm here; replicating records that this node now holds it.
   */
  async wake(address: ObjectAddress): Promise<void> {
    await this.#ensure(address)
    await this.#replicate(address)
  }

  /** Ends this instance (several nodes: another node owns the object, or its files are rebuilt). */
  async evict(): Promise<void> {
    this.ctx.abort('the Durable Object moved to another node')
  }

  /** On a namespace's index: remembers one of its objects (idempotent; every start enrols). */
  async enrol(objectId: string): Promise<void> {
    await this.ctx.storage.put(MEMBER + objectId, 1)
  }

  /** On a namespace's index: deletes each object it lists, then itself. How many objects went. */
  async reclaimAll(namespaceId: string): Promise<number> {
    let reclaimed = 0
    for (;;) {
      const members = await this.ctx.storage.list({ prefix: MEMBER, limit: 128 })
      if (members.size === 0) break
      for (const key of members.keys()) {
        await hostOf(this.ctx, { namespaceId, objectId: key.slice(MEMBER.length) }).reclaim()
        await this.ctx.storage.delete(key)
        reclaimed++
      }
    }
    await this.ctx.storage.deleteAll()
    return reclaimed
  }

  /** Deletes this object: the class's facet and its database, the alarm, the address. */
  async reclaim(): Promise<void> {
    if (this.#running) {
      this.ctx.facets.abort(FACET, new Error('The Durable Object was deleted: its class was deleted'))
      this.#running = undefined
    }
    this.ctx.facets.delete(FACET)
    await this.ctx.storage.deleteAlarm()
    await this.ctx.storage.deleteAll()
  }

  /** workerd retries a throwing alarm() with backoff, as Cloudflare does. */
  override async alarm(info?: AlarmInvocationInfo): Promise<void> {
    const address = await this.ctx.storage.get<ObjectAddress>(ADDRESS_KEY)
    if (!address) return
    // Several nodes: only the owner runs it (a new owner arms the alarm again when it starts it).
    if (this.env.SETTINGS.placedObjects && (await askPlace(this.env, { ...this.#ref(address), from: 'host' })).where !== 'here') return
    const detail = JSON.stringify({ retryCount: info?.retryCount ?? 0, isRetry: info?.isRetry ?? false })
    await this.#run(address, async (facet) => {
      const response = await facet.fetch(new Request('http://object.workerhive.invalid/alarm', { headers: { [DO_HEADERS.alarm]: detail } }))
      await response.body?.cancel()
    })
  }

  /** One call into the customer's object, under the platform's containment like any invocation. */
  async #run<T>(address: ObjectAddress, call: (facet: Fetcher & Record<string, unknown>) => Promise<T>): Promise<T> {
    const running = await this.#ensure(address)
    const run = (): Promise<T> => call(running.facet)
    const started = Date.now()
    try {
      // An object cannot move to the probation process: it runs here, marked, until convicted.
      const result = await runContained(this.env, this.#asContext(), running.script, {}, { call: run, onProbation: run })
      if (this.env.SETTINGS.placedObjects) await this.#replicate(address)
      return result
    } finally {
      // Metered under the script that exports the class (Cloudflare bills requests, duration and rows per object).
      const { accountId, namespaceId, name } = running.script
      if (this.env.SETTINGS.usage) {
        const key = scriptKey(accountId, namespaceId, name)
        recordUsage(key, { doRequests: 1, doWallTimeUs: (Date.now() - started) * 1000 })
        // Not awaited: the answer does not wait for the meter (rows are summed since the last take, so none count twice).
        void storageRows(running.facet).then((rows) => {
          if (rows.read > 0 || rows.written > 0) recordUsage(key, { doRowsRead: rows.read, doRowsWritten: rows.written })
        })
      }
    }
  }

  #ref(address: ObjectAddress): ObjectRef {
    return { ...address, key: this.ctx.id.toString() }
  }

  /**
   * Several nodes: the object's storage (and its alarm time, for the list of objects with alarms)
   * goes to the shared store before the call's answer leaves
   * (its writes are committed: the facet answered through its output gate, and sync() waits for
   * the host's own). A failure fails the call: what was not stored must not be acknowledged.
   */
  async #replicate(address: ObjectAddress): Promise<void> {
    await this.ctx.storage.sync()
    const replication: Replication = { ...this.#ref(address), alarmAt: await this.ctx.storage.getAlarm() }
    const res = await internalFetch(this.env, wireUrl(DO_WIRE.replicate, {}), { method: 'POST', body: JSON.stringify(replication) })
    if (!res.ok) throw new Error(await res.text())
    await res.body?.cancel()
  }

  /**
   * The facet running the namespace's class from its script's current version. A new version (or
   * a rename) restarts it with the new class; its storage stays (a facet's storage is its name's).
   */
  async #ensure(address: ObjectAddress): Promise<Running> {
    while (this.#starting) await this.#starting.catch(() => undefined)
    const current = this.#running
    if (current && current.info.accountId !== undefined) {
      const script = await lookupScript(this.env, current.info.accountId, current.info.namespaceId ?? '', current.info.script ?? '')
      if (script && script.loadKey === current.script.loadKey) return current
      // Another request restarted the facet while this one looked: use that one.
      if (this.#starting || this.#running !== current) return this.#ensure(address)
    }
    const starting = this.#start(address)
    this.#starting = starting
    try {
      return await starting
    } finally {
      if (this.#starting === starting) this.#starting = undefined
    }
  }

  async #start(given: ObjectAddress): Promise<Running> {
    // Kept for alarms (which come with no request) and for calls through idFromString ids, so the
    // object's ctx.id.name is its name whichever way it was reached (as on Cloudflare).
    const stored = await this.ctx.storage.get<ObjectAddress>(ADDRESS_KEY)
    const address = { ...given, ...(given.name === undefined && stored?.name !== undefined ? { name: stored.name } : {}) }
    if (!stored || (stored.name === undefined && address.name !== undefined)) await this.ctx.storage.put(ADDRESS_KEY, address)
    if (!this.#running && this.env.SETTINGS.placedObjects) await this.#rearmAlarm()
    const info = await internalJson<DurableObjectNamespaceInfo>(this.env, wireUrl(DO_WIRE.namespace, { id: address.namespaceId }))
    if (!info.found) {
      // Its class was deleted while it was not listed (or the reclaim missed it): it goes now.
      await this.reclaim()
      throw new Error('Durable Object namespace not found: its class was deleted')
    }
    await indexOf(this.ctx, address.namespaceId).enrol(address.objectId)
    const found = await lookupScript(this.env, info.accountId ?? '', info.namespaceId ?? '', info.script ?? '')
    if (!found) throw new Error(`Worker not found: ${info.script}`)
    // A gradual deployment: an object runs one version at a time, the one a plain request gets.
    const script = versionFor(found, new Request('http://object.workerhive.invalid/'))
    if (this.#running) this.ctx.facets.abort(FACET, new Error('The Durable Object was reset: its code changed'))
    const worker = loadWorker(this.env, this.#asContext(), script)
    const cls = worker.getDurableObjectClass(OBJECT_CLASS_EXPORT, {
      props: {
        className: info.className,
        alarms: exportsOf(this.ctx).ObjectAlarms({ props: { host: hostName(address) } }),
        ...(address.name === undefined ? {} : { name: address.name }),
      },
    })
    const facet = this.ctx.facets.get(FACET, () => ({ class: cls, id: address.objectId })) as unknown as Fetcher & Record<string, unknown>
    const running = { facet, script: found, info }
    this.#running = running
    return running
  }
}
