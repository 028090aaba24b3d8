/** Script tags and tag filters, as the seed document describes them. */
export const MAX_TAGS_PER_SCRIPT = 8
export const MAX_TAG_LENGTH = 256

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

export function tagProblem(tag: string): string | undefined {
  if (tag.length === 0) return 'Tag names must not be empty'
  if (tag.length > MAX_TAG_LENGTH) return `Tag names must be at most ${MAX_TAG_LENGTH} characters`
  if (tag.includes(',') || tag.includes('&')) return `Tag '${tag}' contains ',' or '&', which are not allowed`
  if (CONTROL.test(tag)) return `Tag '${tag}' contains control characters`
  return undefined
}

/** Validates a complete tag set; duplicates collapse. Returns the set or the first problem. */
export function normaliseTags(tags: readonly string[]): { tags: string[] } | { problem: string } {
  const unique = [...new Set(tags)]
  for (const tag of unique) {
    const problem = tagProblem(tag)
    if (problem) return { problem }
  }
  if (unique.length > MAX_TAGS_PER_SCRIPT)
    return { problem: `A script can have at most ${MAX_TAGS_PER_SCRIPT} tags (got ${unique.length})` }
  return { tags: unique }
}

export interface TagFilter {
  /** Tags a script must have. */
  yes: string[]
  /** Tags a script must not have. */
  no: string[]
}

/** Parses `a:yes,b:no`; `undefined` when the filter is malformed. */
export function parseTagFilter(raw: string): TagFilter | { problem: string } {
  const filter: TagFilter = { yes: [], no: [] }
  for (const clause of raw.split(',')) {
    const at = clause.lastIndexOf(':')
    if (at <= 0) return { problem: `Invalid tag filter clause '${clause}': expected '<tag>:yes' or '<tag>:no'` }
    const tag = clause.slice(0, at)
    const mode = clause.slice(at + 1).toLowerCase()
    if (mode === 'yes') filter.yes.push(tag)
    else if (mode === 'no') filter.no.push(tag)
    else return { problem: `Invalid tag filter clause '${clause}': expected '<tag>:yes' or '<tag>:no'` }
  }
  return filter
}

export const matchesTagFilter = (tags: readonly string[], filter: TagFilter): boolean =>
  filter.yes.every((t) => tags.includes(t)) && filter.no.every((t) => !tags.includes(t))
