import { kvInvalidCursor } from '../domain/errors.js'

/**
 * List cursors are opaque to clients: the last key of a page, as base64url of its UTF-8 bytes,
 * so the next page starts strictly after it even if that key was deleted in between.
 */
export const encodeKeyCursor = (lastKey: string): string => Buffer.from(lastKey, 'utf8').toString('base64url')

export function decodeKeyCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8')
  // Anything that does not round-trip was not made by encodeKeyCursor.
  if (key === '' || encodeKeyCursor(key) !== cursor) throw kvInvalidCursor()
  return key
}
