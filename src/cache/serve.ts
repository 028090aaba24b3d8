import type { CachedResponse } from './response-cache.js'

/** What `cache.match()` answers for a stored response, given the request's conditional headers. */
export interface Served {
  status: number
  headers: Array<[string, string]>
  body: Buffer | null
}

export interface MatchConditions {
  range?: string | undefined
  ifNoneMatch?: string | undefined
  ifModifiedSince?: string | undefined
}

/**
 * Answers from a stored response as Cloudflare's cache does: `If-None-Match` (weak comparison) or
 * `If-Modified-Since` give 304 without a body, a single satisfiable byte `Range` gives 206 (416
 * when it cannot be satisfied), anything else the stored response.
 */
export function serveCached(entry: CachedResponse, conditions: MatchConditions): Served {
  const header = (name: string): string | undefined => entry.headers.find(([k]) => k.toLowerCase() === name)?.[1]
  if (entry.status === 200 && notModified(conditions, header('etag'), header('last-modified'))) {
    return { status: 304, headers: entry.headers.filter(([k]) => !BODY_HEADERS.has(k.toLowerCase())), body: null }
  }
  if (entry.status === 200 && conditions.range) {
    const range = byteRange(conditions.range, entry.body.length)
    if (range === 'unsatisfiable') {
      return { status: 416, headers: [['content-range', `bytes */${entry.body.length}`]], body: Buffer.alloc(0) }
    }
    if (range) {
      const headers = entry.headers.filter(([k]) => k.toLowerCase() !== 'content-length')
      headers.push(['content-range', `bytes ${range.start}-${range.end}/${entry.body.length}`])
      return { status: 206, headers, body: entry.body.subarray(range.start, range.end + 1) }
    }
  }
  return { status: entry.status, headers: entry.headers, body: entry.body }
}

const BODY_HEADERS = new Set(['content-length', 'content-type', 'content-encoding', 'content-range'])

function notModified(c: MatchConditions, etag: string | undefined, lastModified: string | undefined): boolean {
  if (c.ifNoneMatch !== undefined) {
    if (etag === undefined) return false
    const ours = opaque(etag)
    return c.ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag.trim()) === ours)
  }
  if (c.ifModifiedSince !== undefined && lastModified !== undefined) {
    const since = Date.parse(c.ifModifiedSince)
    const modified = Date.parse(lastModified)
    return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since
  }
  return false
}

/** The entity tag without its weakness marker: If-None-Match compares weakly. */
function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag
}

/** A single `bytes=` range; several ranges or another unit are ignored (the full response is served). */
function byteRange(value: string, length: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(value)
  if (!m) return undefined
  const [, first = '', last = ''] = m
  if (first === '' && last === '') return undefined
  let start: number
  let end: number
  if (first === '') {
    const suffix = Number(last)
    if (suffix === 0) return 'unsatisfiable'
    start = Math.max(0, length - suffix)
    end = length - 1
  } else {
    start = Number(first)
    end = last === '' ? length - 1 : Math.min(Number(last), length - 1)
    if (last !== '' && Number(last) < start) return undefined
  }
  if (start >= length) return 'unsatisfiable'
  return { start, end }
}
