import { z } from 'zod'
import type { InternalHandler, InternalHandlerDeps } from '../kind.js'
import { DO_WIRE, type CallOutcome, type DurableObjectNamespaceInfo } from './wire.js'

const ObjectRefSchema = z.object({ namespaceId: z.string().min(1), objectId: z.string().regex(/^[0-9a-f]{64}$/), key: z.string().regex(/^[0-9a-f]{64}$/) })
const ReplicationSchema = ObjectRefSchema.extend({ alarmAt: z.number().nullable().default(null) })
const PlaceSchema = ObjectRefSchema.extend({ from: z.enum(['gate', 'host']) })
const AddressSchema = z.string().url()
const ForwardFetchSchema = z.object({
  address: AddressSchema,
  call: z.object({
    namespaceId: z.string().min(1),
    objectId: z.string(),
    method: z.string(),
    url: z.string(),
    headers: z.array(z.tuple([z.string(), z.string()])),
    body: z.string().nullable(),
  }),
})
const ForwardCallSchema = z.object({
  address: AddressSchema,
  call: z.object({ namespaceId: z.string().min(1), objectId: z.string(), name: z.string().optional(), method: z.string(), args: z.array(z.unknown()) }),
})

/**
 * Node's half of the Durable Object binding: where a namespace lives now. The host asks when an
 * object starts (and again after its script changes), so a rename or transfer migration moves
 * every object of the namespace to its new class with its storage. On several nodes, also where
 * an object lives (`place`), its storage after each call (`replicate`) and calls forwarded to the
 * node that owns an object (src/runtime/placement/objects.ts).
 */
export function durableObjectInternal(deps: InternalHandlerDeps): InternalHandler[] {
  const handlers: InternalHandler[] = [
    {
      route: DO_WIRE.namespace,
      async handle(_request, params) {
        const ns = await deps.store.durableObjects.get(params.id ?? '')
        const info: DurableObjectNamespaceInfo = ns
          ? { found: true, accountId: ns.accountId, namespaceId: ns.namespaceId ?? '', script: ns.scriptName, className: ns.className }
          : { found: false }
        return Response.json(info)
      },
    },
  ]
  // Mounted on one node too (the wire is the same everywhere), where nothing is placed.
  const placed = deps.objects
  const unplaced = () => new Response('Durable Objects are not placed on this node: it is the only one', { status: 404 })
  return [
    ...handlers,
    {
      route: DO_WIRE.place,
      async handle(request) {
        const objects = placed
        if (!objects) return unplaced()
        const ref = PlaceSchema.safeParse(await request.json())
        if (!ref.success) return new Response('bad object reference', { status: 400 })
        return Response.json(await objects.place(ref.data))
      },
    },
    {
      route: DO_WIRE.replicate,
      async handle(request) {
        const objects = placed
        if (!objects) return unplaced()
        const ref = ReplicationSchema.safeParse(await request.json())
        if (!ref.success) return new Response('bad object reference', { status: 400 })
        const { alarmAt, ...object } = ref.data
        try {
          return Response.json({ version: await objects.replicate(object, alarmAt) })
        } catch (err) {
          return new Response(`the Durable Object's storage could not be replicated: ${(err as Error).message}`, { status: 503 })
        }
      },
    },
    {
      route: DO_WIRE.forwardFetch,
      async handle(request) {
        const objects = placed
        if (!objects) return unplaced()
        const forward = ForwardFetchSchema.safeParse(await request.json())
        if (!forward.success) return new Response('bad forwarded call', { status: 400 })
        try {
          const res = await objects.forwardFetch(forward.data.address, forward.data.call)
          return new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers })
        } catch (err) {
          return new Response(`the node owning the Durable Object did not answer: ${(err as Error).message}`, { status: 503 })
        }
      },
    },
    {
      route: DO_WIRE.forwardCall,
      async handle(request) {
        const objects = placed
        if (!objects) return unplaced()
        const forward = ForwardCallSchema.safeParse(await request.json())
        if (!forward.success) return new Response('bad forwarded call', { status: 400 })
        try {
          return Response.json(await objects.forwardCall(forward.data.address, forward.data.call))
        } catch (err) {
          return Response.json({ ok: false, error: `the node owning the Durable Object did not answer: ${(err as Error).message}` } satisfies CallOutcome)
        }
      },
    },
  ]
}
