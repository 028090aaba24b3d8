import { parseTagFilter, type TagFilter } from '../../domain/tags.js'
import { invalidInput } from '../../domain/errors.js'

/** The `?tags=a:yes,b:no` query parameter, checked; undefined when absent or empty. */
export function tagFilterParam(raw: string | undefined): TagFilter | undefined {
  if (raw === undefined || raw === '') return undefined
  const filter = parseTagFilter(raw)
  if ('problem' in filter) throw invalidInput(filter.problem)
  return filter
}
