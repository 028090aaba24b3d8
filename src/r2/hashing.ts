import { createHash, type Hash } from 'node:crypto'
import { r2EntityTooLarge } from '../domain/errors.js'

export const R2_HASH_ALGORITHMS = { md5: 'MD5', sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' } as const
export type R2HashName = keyof typeof R2_HASH_ALGORITHMS

const nodeName: Record<R2HashName, string> = { md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' }

/**
 * Passes a body through while hashing it and counting its bytes; throws EntityTooLarge as soon as
 * it grows past `maxBytes`, so an oversized upload is refused without being stored whole.
 */
export function hashingBody(
  body: AsyncIterable<Uint8Array>,
  algorithms: readonly R2HashName[],
  maxBytes: number,
): { body: AsyncIterable<Uint8Array>; digests(): Record<string, string>; size(): number } {
  const hashes = new Map<R2HashName, Hash>(algorithms.map((a) => [a, createHash(nodeName[a])]))
  let size = 0
  let results: Record<string, string> | undefined
  return {
    body: (async function* () {
      for await (const chunk of body) {
        size += chunk.byteLength
        if (size > maxBytes) throw r2EntityTooLarge()
        for (const h of hashes.values()) h.update(chunk)
        yield chunk
      }
    })(),
    digests() {
      results ??= Object.fromEntries([...hashes].map(([a, h]) => [a, h.digest('hex')]))
      return results
    },
    size: () => size,
  }
}
