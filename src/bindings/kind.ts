import type { z } from 'zod'
import type { AccountId } from '../domain/ids.js'
import type { HostBinding } from '../shared/protocol.js'
import type { WireRoute } from '../shared/wire.js'
import type { KvStore } from '../storage/kv-store.js'
import type { DurableObjectStore, NamespaceStore, StoredBinding } from '../storage/store.js'
import type { D1Store } from '../storage/d1-store.js'
import type { R2Store } from '../storage/r2-store.js'
import type { QueueStore } from '../storage/queue-store.js'
import type { QueueService } from '../queues/service.js'
import type { OperationMeter } from '../shared/usage.js'
import type { Clock } from '../util/clock.js'
import type { KvReadHorizon } from '../kv/read-horizon.js'
import type { D1Service } from '../d1/service.js'
import type { ObjectPlacement } from '../runtime/placement/objects.js'

/** What a binding is checked against when a version is built: the account's resources, the upload's parts. */
export interface BindingContext {
  accountId: AccountId
  store: { kv: Pick<KvStore, 'getNamespace'>; d1: Pick<D1Store, 'getDatabase'>; namespaces: Pick<NamespaceStore, 'get'>; r2: Pick<R2Store, 'getBucket'>; queues: Pick<QueueStore, 'byName'> }
  /** Names of the modules and other parts of the version being built. */
  parts: ReadonlySet<string>
}

/** What a stored binding is turned into the host's binding with: the account, the version. */
export interface HostBindingContext {
  accountId: AccountId
  store: { namespaces: Pick<NamespaceStore, 'get'> }
  version: { id: string; createdOn: string; annotations: Record<string, string> }
}

/** What a kind's internal handlers are built from (runtime/internal/server.ts mounts them). */
export interface InternalHandlerDeps {
  store: { kv: KvStore; r2: R2Store; durableObjects: Pick<DurableObjectStore, 'get'> }
  clock: Clock
  /** The node's queue service (shared with the REST API and the consumer loop). */
  queues?: QueueService
  /** Told of every binding read the edge may cache (KV), so writes know whether to invalidate. */
  kvReads?: KvReadHorizon
  /** D1 databases (the d1 binding's Node half). */
  d1?: D1Service
  /** Durable Objects' placement on several nodes (PostgreSQL); absent on one node. */
  objects?: ObjectPlacement
  /** Where binding calls on D1 databases and R2 buckets are counted per resource (the usage records). */
  usage?: OperationMeter
}

/** One route of Node's internal API that a kind's workerd half calls. */
export interface InternalHandler {
  route: WireRoute<string, string>
  handle(request: Request, params: Record<string, string>): Promise<Response>
}

/**
 * One kind of binding, as Node knows it: its Cloudflare wire schema and the rules that go with it,
 * what the host needs of it, and the internal routes its workerd half calls. Its workerd half is
 * a `*.worker.ts` of the same folder, listed in registry.worker.ts.
 */
export interface BindingKind<S extends z.ZodObject = z.ZodObject> {
  readonly schema: S
  /** Why this binding cannot work in this account or version; undefined when it can. */
  check?(binding: z.output<S>, ctx: BindingContext): Promise<string | undefined>
  /** The binding as the API shows it (GET .../bindings, .../settings): never a secret's value. */
  publicView?(binding: StoredBinding): StoredBinding
  /** The binding as the host builds it into env; undefined: nothing in env (e.g. `inherit`). */
  toHost?(binding: StoredBinding, ctx: HostBindingContext): HostBinding | undefined | Promise<HostBinding | undefined>
  /** Node's half of the kind: internal routes the workerd half calls. */
  internal?(deps: InternalHandlerDeps): InternalHandler[]
}

export const defineBindingKind = <S extends z.ZodObject>(kind: BindingKind<S>): BindingKind<S> => kind
