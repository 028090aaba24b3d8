import { WorkerEntrypoint } from 'cloudflare:workers'
import type { HostEnv } from '../../host/env.worker.js'
import { countBindingCall, type BindingCaller } from '../../host/containment/binding-calls.worker.js'
import { HEADER_INTERNAL_SECRET } from '../../shared/headers.js'
import { DO_HEADERS, OBJECT_ID, nameDigestInput, type WakeOutcome } from './wire.js'

export interface DurableObjectBindingProps {
  accountId: string
  namespaceId: string
  /** The calling script: a request to an object is one of its subrequests. */
  caller: BindingCaller
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
    countBindingCall(this.env, this.ctx.props.caller)
    const headers = new Headers(request.headers)
    headers.delete(DO_HEADERS.alarm)
    headers.delete(DO_HEADERS.forwarded)
    const name = await this.#nameOf(id, decodeName(headers.get(DO_HEADERS.name)))
    if (name === undefined) headers.delete(DO_HEADERS.name)
    else headers.set(DO_HEADERS.name, encodeURIComponent(name))
    headers.set(DO_HEADERS.namespace, this.ctx.props.namespaceId)
    headers.set(HEADER_INTERNAL_SECRET, this.env.INTERNAL_SECRET)
    return objectsGate(this.env).fetch(new Request(request, { headers }))
  }

  /** One RPC call of a stub (every method but fetch): made in the object's process, its result travels back. */
  async call(id: string, method: string, args: unknown[], name?: string): Promise<unknown> {
    if (!OBJECT_ID.test(id)) throw new TypeError('Invalid Durable Object ID')
    countBindingCall(this.env, this.ctx.props.caller)
    const checked = await this.#nameOf(id, typeof name === 'string' ? name : undefined)
    return objectsGate(this.env).call(this.env.INTERNAL_SECRET, this.ctx.props.namespaceId, id, method, args, checked)
  }

  /** The caller's name for the id, kept only when the id was made from it (in this namespace). */
  async #nameOf(id: string, name: string | undefined): Promise<string | undefined> {
    if (name === undefined) return undefined
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(nameDigestInput(this.ctx.props.namespaceId, name)))
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
    return id.startsWith(hex.slice(0, 48)) ? name : undefined
  }
}

function decodeName(header: string | null): string | undefined {
  if (header === null) return undefined
  try {
    return decodeURIComponent(header)
  } catch {
    return undefined
  }
}

/** The gate's RPC surface (ObjectsGate in objects.worker.ts). */
export interface ObjectsGateRpc {
  fetch(request: Request): Promise<Response>
  call(secret: string, namespaceId: string, id: string, method: string, args: unknown[], name?: string, forwarded?: boolean): Promise<unknown>
  /** Several nodes: starts an object whose alarm is due and whose owner died. */
  wake(secret: string, namespaceId: string, objectId: string): Promise<WakeOutcome>
  /** Deletes every object of a deleted namespace, with its storage: how many there were. */
  reclaim(secret: string, namespaceId: string): Promise<number>
}

export function objectsGate(env: HostEnv): ObjectsGateRpc {
  if (!env.OBJECTS) throw new Error('Durable Objects are not available in this process')
  return env.OBJECTS as unknown as ObjectsGateRpc
}
