import { r2InvalidRange } from '../domain/errors.js'

/** A range as the binding takes it: offset and/or length, or the last `suffix` bytes. */
export interface R2Range {
  offset?: number
  length?: number
  suffix?: number
}

/**
 * The bytes [start, end) a range names in an object of `size` bytes. A length past the end is
 * cut short; an offset past the end, a zero length or a zero suffix is R2's InvalidRange.
 */
export function resolveRange(range: R2Range, size: number): { start: number; end: number } {
  let { offset, length } = range
  if (range.suffix !== undefined) {
    if (!(range.suffix > 0)) throw r2InvalidRange()
    const suffix = Math.min(range.suffix, size)
    offset = size - suffix
    length = suffix
  }
  offset ??= 0
  length ??= size - offset
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || offset > size || length <= 0) throw r2InvalidRange()
  return { start: offset, end: Math.min(size, offset + length) }
}

/**
 * A `Range: bytes=…` header as R2 reads it: one range, else the whole object (several ranges or a
 * malformed header are ignored); a single range that cannot be satisfied is InvalidRange.
 */
export function rangeFromHeader(header: string | null, size: number): { start: number; end: number } | undefined {
  if (header === null) return undefined
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header)
  if (!m) return undefined
  const [, a, b] = m
  if (a === '' && b === '') return undefined
  if (a === '') return resolveRange({ suffix: Number(b) }, size)
  const start = Number(a)
  if (start >= size) throw r2InvalidRange()
  const end = b === '' ? size : Math.min(size, Number(b) + 1)
  if (end <= start) throw r2InvalidRange()
  return { start, end }
}
