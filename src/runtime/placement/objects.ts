import { createHash } from 'node:crypto'
import { mkdir, open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DO_HEADERS, type WakeOutcome, type CallOutcome, type ForwardedCall, type ForwardedFetch, type ObjectPlace, type ObjectRef, type PlaceRequest } from '../../bindings/durable-object-namespace/wire.js'
import { CONTROL } from '../../shared/protocol.js'
import type { ObjectAlarmStore } from '../../storage/placement-store.js'
import type { Clock } from '../../util/clock.js'
import type { Logger } from '../../util/logger.js'
import { PeerUnreachable, type ClusterClient, type ClusterRoutes } from './cluster.js'
import { packObject, unpackObject } from './object-files.js'
import type { PageReplica } from './pages.js'
import type { Placement } from './placement.js'

export interface ObjectPlacementOptions {
  placement: Placement
  replica: PageReplica
  client: ClusterClient
  /** workerd's storage directory of ObjectHost (`<data dir>/objects/workerhive-objects`). */
  objectsDir: string
  /** Where this node keeps the bundle it last replicated or restored, per object. */
  bundleDir: string
  /** Objects with a pending alarm, kept as they are replicated (see `wakeOrphanedAlarms`). */
  alarms: ObjectAlarmStore
  clock: Clock
  log: Logger
}

/** Objects woken per round of `wakeOrphanedAlarms` (the rest wait for the next). */
const WAKES_PER_ROUND = 20

/**
 * Durable Objects on several nodes (PostgreSQL): each object is a resource `do:<namespace>:<id>`
 * of the placement leases. The objects process asks here before every call (`place`) and after it
 * (`replicate`); calls for an object another node owns are forwarded to that node's cluster route
 * `/do/…`, which hands them to its own objects process.
 *
 * The object's files (see object-files.ts) are replicated as one page image after each call that
 * reached it and before its answer leaves the objects process, so what a client was told is in
 * the shared store; a node that takes an object over rebuilds its files from the image before the
 * object's first call. Calls of one object are serialized here only around these two steps, never
 * around the call itself.
 */
export class ObjectPlacement {
  readonly #o: ObjectPlacementOptions
  /** Objects whose files here may be older than the image: rebuilt before they serve. */
  readonly #stale = new Set<string>()
  /** Objects this node's objects process may hold open (so must evict before a rebuild). */
  readonly #opened = new Set<string>()
  readonly #locks = new Map<string, Promise<unknown>>()
  /** What this node last stored of each object: a call that changed nothing stores nothing. */
  readonly #stored = new Map<string, { digest: string; version: number }>()
  /** The alarm time this node last stored of each object (null: none). */
  readonly #alarms = new Map<string, number | null>()
  /** A request to this node's objects process (its control socket): how forwarded calls go in. */
  #objectsCall: ((path: string, init: RequestInit) => Promise<Response>) | undefined

  constructor(options: ObjectPlacementOptions) {
    this.#o = options
  }

  /** Once the edge runs: how calls forwarded from other nodes reach this node's objects. */
  attach(objectsCall: (path: string, init: RequestInit) => Promise<Response>): void {
    this.#objectsCall = objectsCall
  }

  async #toObjects(path: string, body: Uint8Array): Promise<Response> {
    if (!this.#objectsCall) return new Response('this node is starting', { status: 503 })
    return asDecoded(await this.#objectsCall(path, { method: 'POST', body }))
  }

  static resource(namespaceId: string, objectId: string): string {
    return `do:${namespaceId}:${objectId}`
  }

  /** Mounts the receiving side of forwarded calls (`/do/fetch`, `/do/call`) on the cluster routes. */
  mount(routes: ClusterRoutes): void {
    routes.on('do', async (rest, body) => {
      if (rest === '/fetch') return this.#toObjects(CONTROL.objectsFetch, body)
      if (rest === '/call') return this.#toObjects(CONTROL.objectsCall, body)
      return new Response('not found', { status: 404 })
    })
  }

  place(ref: PlaceRequest): Promise<ObjectPlace> {
    const { from } = ref
    const resource = ObjectPlacement.resource(ref.namespaceId, ref.objectId)
    return this.#serialized(resource, async () => {
      const owner = await this.#o.placement.owner(resource)
      if (from === 'host') this.#opened.add(resource)
      if (!owner.local) {
        this.#o.replica.forget(resource)
        this.#stored.delete(resource)
        this.#alarms.delete(resource)
        return { where: 'remote', address: owner.address, evict: this.#opened.delete(resource) }
      }
      if (owner.acquired) this.#stale.add(resource)
      if (this.#stale.has(resource)) {
        // The gate evicts it and asks again; the host itself (an alarm) only learns it must not
        // run: the object stays marked open until a gate call evicts it and rebuilds its files.
        if (this.#opened.has(resource)) {
          if (from === 'gate') this.#opened.delete(resource)
          return { where: 'evict-first' }
        }
        await this.#restore(ref, resource)
        this.#stale.delete(resource)
      }
      this.#opened.add(resource)
      return { where: 'here' }
    })
  }

  /**
   * After a call: the object's files to the shared store, and its alarm time (`alarmAt`, null for
   * none) to the list of objects with alarms; throws when this node may not write them.
   */
  replicate(ref: ObjectRef, alarmAt: number | null = null): Promise<number> {
    const resource = ObjectPlacement.resource(ref.namespaceId, ref.objectId)
    return this.#serialized(resource, async () => {
      if (!this.#o.placement.holds(resource) || this.#stale.has(resource)) throw new Error('this node no longer owns the Durable Object')
      try {
        const packed = await packObject(this.#o.objectsDir, ref.key)
        const digest = createHash('sha256').update(packed).digest('base64')
        await this.#storeAlarm(ref, resource, alarmAt)
        const last = this.#stored.get(resource)
        if (last?.digest === digest) return last.version
        const bundle = this.#bundleFile(ref)
        await mkdir(this.#o.bundleDir, { recursive: true, mode: 0o700 })
        await writeWhole(bundle, packed)
        const version = await this.#o.replica.replicate(resource, bundle)
        this.#stored.set(resource, { digest, version })
        return version
      } catch (err) {
        this.#stored.delete(resource)
        this.#alarms.delete(resource)
        // Its copy can no longer be trusted to be the image: step down, the next owner rebuilds.
        this.#stale.add(resource)
        await this.#o.placement.release(resource).catch(() => undefined)
        this.#o.log.warn({ err, resource }, 'Durable Object replication failed; stepping down')
        throw err
      }
    })
  }

  async #storeAlarm(ref: ObjectRef, resource: string, alarmAt: number | null): Promise<void> {
    if (this.#alarms.has(resource) && this.#alarms.get(resource) === alarmAt) return
    if (alarmAt === null) await this.#o.alarms.deleteObjectAlarm(ref.namespaceId, ref.objectId)
    else await this.#o.alarms.setObjectAlarm({ namespaceId: ref.namespaceId, objectId: ref.objectId, alarmAt })
    this.#alarms.set(resource, alarmAt)
  }

  /**
   * Wakes objects whose alarm is due and whose owner is gone (its lease free or expired): each goes
   * through the objects process's gate like a call, so this node claims it, rebuilds its files and
   * starts it, which arms its alarm here. Answers how many it woke; a node that lost the race for
   * an object leaves it to the winner. Run periodically by every node.
   */
  async wakeOrphanedAlarms(): Promise<number> {
    if (!this.#objectsCall) return 0
    let woken = 0
    for (const alarm of await this.#o.alarms.orphanedObjectAlarms(this.#o.clock.now(), WAKES_PER_ROUND)) {
      const ref = { namespaceId: alarm.namespaceId, objectId: alarm.objectId }
      try {
        const res = await this.#objectsCall(CONTROL.objectsWake, { method: 'POST', body: JSON.stringify(ref) })
        const answer = res.ok ? ((await res.json()) as WakeOutcome) : { woken: false, error: await res.text() }
        if (answer.woken) woken++
        else if (answer.gone) await this.#o.alarms.deleteObjectAlarm(alarm.namespaceId, alarm.objectId)
        else if (answer.error) this.#o.log.warn({ ...ref, error: answer.error }, 'waking a Durable Object for its alarm failed')
      } catch (err) {
        this.#o.log.warn({ err, ...ref }, 'waking a Durable Object for its alarm failed')
      }
    }
    return woken
  }

  /**
   * Sends a stub's fetch to the owner node; answers its response. An owner that does not answer,
   * or answers that the object moved on, is forgotten, so the next call asks the store again.
   */
  async forwardFetch(address: string, call: ForwardedFetch): Promise<Response> {
    const res = asDecoded(await this.#toOwner(address, call, '/do/fetch'))
    if (res.headers.has(DO_HEADERS.moved)) this.#o.placement.forgetOwner(ObjectPlacement.resource(call.namespaceId, call.objectId))
    return res
  }

  /** Sends one RPC call to the owner node (as JSON); answers its outcome. */
  async forwardCall(address: string, call: ForwardedCall): Promise<CallOutcome> {
    const res = await this.#toOwner(address, call, '/do/call')
    if (!res.ok) return { ok: false, error: await res.text() }
    const outcome = (await res.json()) as CallOutcome
    if (!outcome.ok && outcome.moved) this.#o.placement.forgetOwner(ObjectPlacement.resource(call.namespaceId, call.objectId))
    return outcome
  }

  async #toOwner(address: string, call: ForwardedFetch | ForwardedCall, path: string): Promise<Response> {
    try {
      return await this.#o.client.call(address, path, JSON.stringify(call), { 'content-type': 'application/json' })
    } catch (err) {
      if (err instanceof PeerUnreachable) this.#o.placement.forgetOwner(ObjectPlacement.resource(call.namespaceId, call.objectId))
      throw err
    }
  }

  async #restore(ref: ObjectRef, resource: string): Promise<void> {
    this.#stored.delete(resource)
    this.#alarms.delete(resource)
    const bundle = this.#bundleFile(ref)
    await mkdir(this.#o.bundleDir, { recursive: true, mode: 0o700 })
    const version = await this.#o.replica.restore(resource, bundle)
    // Version 0: nothing stored yet (a new object), its files here are all there is.
    if (version === 0) return
    await unpackObject(this.#o.objectsDir, ref.key, await readFile(bundle))
    this.#o.log.info({ resource, version }, 'Durable Object restored from the shared store')
  }

  #bundleFile(ref: ObjectRef): string {
    return join(this.#o.bundleDir, `${ref.key}.bundle`)
  }

  /** One step at a time per object (place and replicate), in order. */
  #serialized<T>(resource: string, step: () => Promise<T>): Promise<T> {
    const before = this.#locks.get(resource) ?? Promise.resolve()
    const run = before.then(step, step)
    const settled = run.catch(() => undefined)
    this.#locks.set(resource, settled)
    void settled.then(() => {
      if (this.#locks.get(resource) === settled) this.#locks.delete(resource)
    })
    return run
  }
}

async function writeWhole(file: string, bytes: Buffer): Promise<void> {
  const handle = await open(file, 'w', 0o600)
  try {
    await handle.write(bytes)
  } finally {
    await handle.close()
  }
}

/**
 * A response as passed on after Node's fetch() read it: fetch() decodes a compressed body, so the
 * headers that described the encoded one must not travel with it.
 */
export function asDecoded(res: Response): Response {
  if (!res.headers.has('content-encoding')) return res
  const headers = new Headers(res.headers)
  headers.delete('content-encoding')
  headers.delete('content-length')
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers })
}
