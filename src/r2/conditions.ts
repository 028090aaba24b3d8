/**
 * R2's conditional operations (`onlyIf`), as RFC 7232 reads them: If-Match / If-None-Match decide
 * over If-Unmodified-Since / If-Modified-Since when both are given. Etags are compared unquoted; a
 * weak condition (`W/"…"`) matches only If-None-Match.
 */
export interface R2EtagCondition {
  value: string
  type: 'strong' | 'weak' | 'wildcard'
}

export interface R2Conditional {
  etagMatches?: R2EtagCondition[]
  etagDoesNotMatch?: R2EtagCondition[]
  /** Milliseconds since the epoch. */
  uploadedBefore?: number
  uploadedAfter?: number
  secondsGranularity?: boolean
}

/** An etag list as a header or the binding gives it: `"a", W/"b", *`, or an array of them. */
export function parseEtags(raw: string | string[] | undefined): R2EtagCondition[] | undefined {
  if (raw === undefined) return undefined
  const items = Array.isArray(raw) ? raw : raw.split(',')
  return items
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s): R2EtagCondition => {
      if (s === '*') return { value: '*', type: 'wildcard' }
      const weak = s.startsWith('W/')
      const bare = (weak ? s.slice(2) : s).replace(/^"(.*)"$/, '$1')
      return { value: bare, type: weak ? 'weak' : 'strong' }
    })
}

const includes = (conds: R2EtagCondition[], etag: string, weakOk: boolean): boolean =>
  conds.some((c) => c.type === 'wildcard' || (c.value === etag && (c.type === 'strong' || weakOk)))

/** Whether the operation may go ahead on this object (undefined: there is none). */
export function conditionHolds(cond: R2Conditional, object: { etag: string; uploaded: number } | undefined): boolean {
  if (!object) return cond.etagMatches === undefined && cond.uploadedAfter === undefined
  const trunc = (ms: number) => (cond.secondsGranularity ? Math.floor(ms / 1000) * 1000 : ms)
  const uploaded = trunc(object.uploaded)
  const ifMatch = cond.etagMatches === undefined || includes(cond.etagMatches, object.etag, false)
  const ifNoneMatch = cond.etagDoesNotMatch === undefined || !includes(cond.etagDoesNotMatch, object.etag, true)
  const ifUnmodified =
    cond.uploadedBefore === undefined || uploaded < trunc(cond.uploadedBefore) || (cond.etagMatches !== undefined && ifMatch)
  const ifModified =
    cond.uploadedAfter === undefined || uploaded > trunc(cond.uploadedAfter) || (cond.etagDoesNotMatch !== undefined && ifNoneMatch)
  return ifMatch && ifNoneMatch && ifUnmodified && ifModified
}

/** The condition an HTTP request's headers state (the S3 endpoint, `onlyIf: request.headers`). */
export function conditionFromHeaders(h: { get(name: string): string | null }): R2Conditional | undefined {
  const date = (name: string) => {
    const v = h.get(name)
    if (v === null) return undefined
    const ms = Date.parse(v)
    return Number.isNaN(ms) ? undefined : ms
  }
  const cond: R2Conditional = {
    ...(h.get('if-match') !== null ? { etagMatches: parseEtags(h.get('if-match')!) } : {}),
    ...(h.get('if-none-match') !== null ? { etagDoesNotMatch: parseEtags(h.get('if-none-match')!) } : {}),
    ...(date('if-unmodified-since') !== undefined ? { uploadedBefore: date('if-unmodified-since')! + 1000 } : {}),
    ...(date('if-modified-since') !== undefined ? { uploadedAfter: date('if-modified-since')! } : {}),
    secondsGranularity: true,
  }
  return Object.keys(cond).length > 1 ? cond : undefined
}
