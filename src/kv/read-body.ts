import { KV_LIMITS } from './limits.js'
import { validateValueSize } from './validate.js'

/**
 * Reads a value body of at most 25 MiB into one buffer. A declared length over the limit is refused
 * before anything is read; otherwise bytes are counted as they arrive, and past the limit the rest
 * is read and dropped, so the error names the real length (as Cloudflare's does) without holding
 * it. With a declared length the bytes land straight in a buffer of that size: the value is held once.
 */
export async function readValueBody(
  body: ReadableStream<Uint8Array> | null,
  declaredLength: number | undefined,
): Promise<Uint8Array> {
  if (declaredLength !== undefined) validateValueSize(declaredLength)
  if (body === null) return new Uint8Array(0)
  let target = declaredLength !== undefined ? new Uint8Array(declaredLength) : undefined
  const chunks: Uint8Array[] = []
  let length = 0
  for await (const chunk of body) {
    const next = length + chunk.byteLength
    if (next > KV_LIMITS.maxValueBytes) {
      target = undefined
      chunks.length = 0
    } else if (target && next <= target.byteLength) {
      target.set(chunk, length)
    } else {
      // The body outgrew its declared length, or declared none: collect chunks instead.
      if (target) chunks.push(target.subarray(0, length))
      target = undefined
      chunks.push(chunk)
    }
    length = next
  }
  validateValueSize(length)
  if (target) return target.subarray(0, length)
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)
}

/** The length a request declares, if it declares a well-formed one. */
export function declaredLength(header: string | null | undefined): number | undefined {
  if (!header || !/^\d+$/.test(header)) return undefined
  return Number(header)
}
