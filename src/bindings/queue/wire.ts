// The queue producer binding's wire, compiled in both worlds. Inside a loaded Worker, the Queue of
// isolate/queue-producer.ts encodes each message and calls its raw binding's fetch() at QUEUE_ORIGIN;
// the host's QueueProducer entrypoint (queue.worker.ts) forwards the batch to Node's queue service
// (internal.ts) under the binding's own account and queue, never the request's.
import { defineRoute } from '../../shared/wire.js'
import type { HostBinding } from '../../shared/protocol.js'

export const QUEUE_ORIGIN = 'http://queue.workerhive.invalid/'

export const QUEUE_WIRE = {
  send: defineRoute('POST', '/internal/queues/:account/:queue/send', ['ns', 'script']),
} as const

/** One message as the isolate encoded it: the body's bytes in base64, and how to decode them. */
export interface WireQueueMessage {
  body: string
  contentType: 'text' | 'json' | 'bytes' | 'v8'
  delaySeconds?: number
}

/** Header carrying Cloudflare's error code when a send is refused. */
export const QUEUE_ERROR_HEADER = 'x-queue-error-code'

/** A queue producer binding as the host builds it into env. */
export interface QueueHostBinding extends HostBinding {
  type: 'queue'
  queueName: string
}

/**
 * Decodes a `v8` body: the isolate has no V8 serializer, so the producer writes the structured-clone
 * types as tagged JSON (isolate/queue-producer.ts, `encodeClone`), and this rebuilds them before the
 * host hands the value to the consumer, which then sees Dates, Maps, Sets, typed arrays, BigInts.
 */
export function decodeClone(text: string): unknown {
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(revive)
    if (v === null || typeof v !== 'object') return v
    const o = v as Record<string, unknown>
    const tag = o.$t
    if (tag === undefined) {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(o)) out[k === '$$t' ? '$t' : k] = revive(x)
      return out
    }
    switch (tag) {
      case 'u':
        return undefined
      case 'n':
        return Number(o.v)
      case 'big':
        return BigInt(o.v as string)
      case 'date':
        return new Date(o.v as number)
      case 're':
        return new RegExp(o.v as string, o.f as string)
      case 'map':
        return new Map((o.v as unknown[][]).map(([k, x]) => [revive(k), revive(x)]))
      case 'set':
        return new Set((o.v as unknown[]).map(revive))
      case 'ab':
        return base64Bytes(o.v as string).buffer
      case 'ta': {
        const bytes = base64Bytes(o.v as string)
        const Ctor = (globalThis as unknown as Record<string, new (b: ArrayBuffer) => unknown>)[o.k as string]
        return Ctor ? new Ctor(bytes.buffer) : bytes
      }
      case 'err': {
        const e = new Error(o.m as string)
        e.name = o.name as string
        return e
      }
      default:
        return o
    }
  }
  return revive(JSON.parse(text))
}

export function base64Bytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}
