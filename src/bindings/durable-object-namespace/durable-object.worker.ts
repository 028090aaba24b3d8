import { WorkerEntrypoint } from 'cloudflare:workers'
import type { HostEnv } from '../../host/env.worker.js'
import { HEADER_INTERNAL_SECRET } from '../../shared/headers.js'
import { DO_HEADERS, OBJECT_ID, type WakeOutcome } from './wire.js'

export interface DurableObjectBindingProps {
  accountId: string
  namespaceId: string
}

/**
 * A `durable_object_namespace` binding, in the caller's process. Every object lives in one
 * process (the objects process, see objects.worker.ts): calls cross to its gate over workerd's
 * Cap'n Proto RPC (OBJECTS), with the namespace of the binding's props, never one the caller names.
 */
export class DurableObjectBinding extends WorkerEntrypoint<HostEnv, DurableObjectBindingProps> {
  override async fetch(request: Request): Promise<Response> {
    const id = request.headers.get(DO_HEADERS.id) ?? ''
    if (!OBJECT_ID.test(id)) throw new TypeError('Invalid Durable Object ID')
    const headers = new Headers(request.headers)
    headers.delete(DO_HEADERS.alarm)
    headers.delete(DO_HEADERS.forwarded)
    headers.set(DO_HEADERS.namespace, this.ctx.props.namespaceId)
    headers.set(HEADER_INTERNAL_SECRET, this.env.INTERNAL_SECRET)
    return objectsGate(this.env).fetch(new Request(request, { headers }))
  }

  /** One RPC call of a stub (every method but fetch): made in the object's process, its result travels back. */
  async call(id: string, method: string, args: unknown[]): Promise<unknown> {
    if (!OBJECT_ID.test(id)) throw new TypeError('Invalid Durable Object ID')
    return objectsGate(this.env).call(this.env.INTERNAL_SECRET, this.ctx.props.namespaceId, id, method, args)
  }
}

/** The gate's RPC surface (ObjectsGate in objects.worker.ts). */
export interface ObjectsGateRpc {
  fetch(request: Request): Promise<Response>
  call(secret: string, namespaceId: string, id: string, method: string, args: unknown[], forwarded?: boolean): Promise<unknown>
  wake(secret: string, namespaceId: string, objectId: string): Promise<WakeOutcome>
}

export function objectsGate(env: HostEnv): ObjectsGateRpc {
  if (!env.OBJECTS) throw new Error('Durable Objects are not available in this process')
  return env.OBJECTS as unknown as ObjectsGateRpc
}
