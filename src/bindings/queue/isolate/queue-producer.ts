// The Queue a loaded Worker sees for a `queue` binding (module `__workerhive/queue-producer.js`,
// imported by the bindings module in the Worker's own isolate). It encodes every message here, as
// Cloudflare's runtime does, and sends the batch with one fetch() to the host's QueueProducer
// entrypoint: a Fetcher's fetch() exists under every compatibility date. The host forwards it to
// Node's queue service under the binding's own queue.
// Runs in the customer's isolate: it imports nothing (a test keeps these constants equal to wire.ts).

export const QUEUE_ORIGIN = 'http://queue.workerhive.invalid/'

type ContentType = 'text' | 'json' | 'bytes' | 'v8'
const CONTENT_TYPES: readonly string[] = ['text', 'json', 'bytes', 'v8']

function queueBase64(bytes: Uint8Array): string {
  let bin = ''
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(bin)
}

/**
 * `v8` without a V8 serializer in reach: the structured-clone types written as tagged JSON. What
 * structuredClone refuses (functions, symbols, cycles) is refused here too, with its error.
 */
export function encodeClone(value: unknown): string {
  const seen = new Set<object>()
  const walk = (v: unknown): unknown => {
    if (v === undefined) return { $t: 'u' }
    if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : { $t: 'n', v: Object.is(v, -0) ? '-0' : String(v) }
    if (typeof v === 'bigint') return { $t: 'big', v: v.toString() }
    if (typeof v === 'function' || typeof v === 'symbol') throw new DOMException(String(v) + ' could not be cloned.', 'DataCloneError')
    if (v === null || typeof v !== 'object') return v
    if (seen.has(v)) throw new DOMException('Queue messages cannot contain cycles.', 'DataCloneError')
    seen.add(v)
    try {
      if (v instanceof Date) return { $t: 'date', v: v.getTime() }
      if (v instanceof RegExp) return { $t: 're', v: v.source, f: v.flags }
      if (v instanceof Map) return { $t: 'map', v: [...v].map(([k, x]) => [walk(k), walk(x)]) }
      if (v instanceof Set) return { $t: 'set', v: [...v].map(walk) }
      if (v instanceof ArrayBuffer) return { $t: 'ab', v: queueBase64(new Uint8Array(v)) }
      if (ArrayBuffer.isView(v))
        return { $t: 'ta', k: v.constructor.name, v: queueBase64(new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) as ArrayBuffer)) }
      if (v instanceof Error) return { $t: 'err', name: v.name, m: v.message }
      if (Array.isArray(v)) return v.map(walk)
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) out[k === '$t' ? '$$t' : k] = walk(x)
      return out
    } finally {
      seen.delete(v)
    }
  }
  return JSON.stringify(walk(value))
}

function encodeMessage(body: unknown, contentType: unknown): { body: string; contentType: ContentType } {
  if (body === undefined) throw new TypeError('Message body cannot be undefined')
  const type = contentType === undefined ? 'v8' : String(contentType).toLowerCase()
  if (!CONTENT_TYPES.includes(type)) throw new TypeError('Unsupported queue message content type: ' + String(contentType))
  let bytes: Uint8Array
  if (type === 'text') {
    if (typeof body !== 'string') throw new TypeError('Content Type "text" requires a value of type string, but received: ' + typeof body)
    bytes = new TextEncoder().encode(body)
  } else if (type === 'bytes') {
    if (!ArrayBuffer.isView(body)) throw new TypeError('Content Type "bytes" requires a value of type ArrayBufferView, but received: ' + typeof body)
    bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  } else if (type === 'json') {
    bytes = new TextEncoder().encode(JSON.stringify(body))
  } else {
    bytes = new TextEncoder().encode(encodeClone(body))
  }
  return { body: queueBase64(bytes), contentType: type as ContentType }
}

interface SendOptions {
  contentType?: string
  delaySeconds?: number
}

class Queue {
  #raw: Fetcher
  constructor(raw: Fetcher) {
    this.#raw = raw
  }

  async send(body: unknown, options?: SendOptions): Promise<void> {
    const m = encodeMessage(body, options?.contentType)
    await this.#post([options?.delaySeconds === undefined ? m : { ...m, delaySeconds: options.delaySeconds }], 'send')
  }

  async sendBatch(messages: Iterable<{ body: unknown; contentType?: string; delaySeconds?: number }>, options?: { delaySeconds?: number }): Promise<void> {
    const list = [...messages].map((msg) => {
      const m = encodeMessage(msg.body, msg.contentType)
      const delay = msg.delaySeconds ?? options?.delaySeconds
      return delay === undefined ? m : { ...m, delaySeconds: delay }
    })
    if (list.length === 0) throw new TypeError('sendBatch() requires at least one message')
    await this.#post(list, 'sendBatch')
  }

  async #post(messages: unknown[], op: string): Promise<void> {
    const res = await this.#raw.fetch(QUEUE_ORIGIN + 'send', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages }),
    })
    if (!res.ok) throw new Error('Queue ' + op + ' failed: ' + (await res.text()))
    await res.body?.cancel()
  }
}

export function queueProducerOf(raw: Fetcher): Queue {
  return new Queue(raw)
}
