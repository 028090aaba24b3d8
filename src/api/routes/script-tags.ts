import { readTextLimited } from '../body.js'
import { Hono } from 'hono'
import { matchesTagFilter, MAX_TAGS_PER_SCRIPT, normaliseTags, tagProblem } from '../../domain/tags.js'
import type { ApiDeps, ApiEnv } from '../context.js'
import { ok } from '../envelope.js'
import { invalidTags, malformedBody } from '../../domain/errors.js'
import { notifyEdge } from '../scripts/change.js'
import { loadScript, namespaceScriptLocator, scriptParam, type ScriptLocator } from '../scripts/locator.js'
import { tagFilterParam } from '../scripts/tag-filter.js'

/**
 * `.../scripts/:script/tags[/:tag]`, the seed document's tag table. The edge reads tags only for
 * the `scriptTags` of TraceItems sent to Tail Workers, but a change still reaches it before the
 * answer, like any other.
 */
export function scriptTagRoutes(deps: ApiDeps, locator: ScriptLocator): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>()
  const tags = `${locator.collection}/:script/tags`

  // With `?tags=a:yes,b:no` the answer is whether the script matches, as the seed describes.
  app.get(tags, async (c) => {
    const where = await locator.scope(c)
    const { script } = await loadScript(deps.store, locator, where, scriptParam(c))
    const filter = tagFilterParam(c.req.query('tags'))
    return c.json(ok(filter ? matchesTagFilter(script.tags, filter) : script.tags))
  })

  app.put(tags, async (c) => {
    const where = await locator.scope(c)
    const name = scriptParam(c)
    const result = normaliseTags(parseTagList(await readTextLimited(c)))
    if ('problem' in result) throw invalidTags(result.problem)
    const script = await deps.store.scripts.setTags(where, name, result.tags)
    if (!script) throw locator.scriptNotFound(name, where)
    await notifyEdge(deps, where, name)
    return c.json(ok(script.tags))
  })

  app.put(`${tags}/:tag`, async (c) => {
    const where = await locator.scope(c)
    const name = scriptParam(c)
    const tag = c.req.param('tag') ?? ''
    const problem = tagProblem(tag)
    if (problem) throw invalidTags(problem)
    const added = await deps.store.scripts.addTag(where, name, tag, MAX_TAGS_PER_SCRIPT)
    if (!added) throw locator.scriptNotFound(name, where)
    if (added.outcome === 'full')
      throw invalidTags(
        `A script can have at most ${MAX_TAGS_PER_SCRIPT} tags; remove one before adding '${tag}'`,
      )
    await notifyEdge(deps, where, name)
    return c.json(ok(null))
  })

  app.delete(`${tags}/:tag`, async (c) => {
    const where = await locator.scope(c)
    const name = scriptParam(c)
    if (!(await deps.store.scripts.removeTag(where, name, c.req.param('tag') ?? '')))
      throw locator.scriptNotFound(name, where)
    await notifyEdge(deps, where, name)
    return c.json(ok(null))
  })

  return app
}

/**
 * The body of `PUT .../tags`: a JSON array of strings (the SDK; `null` clears), or the seed's
 * `['TAG1', 'TAG2', 'TAG3']` sent as application/javascript, whose single quotes are not JSON.
 */
export function parseTagList(body: string): string[] {
  const text = body.trim()
  if (text === '') throw malformedBody('the body is empty; expected an array of tags')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    value = parseQuotedList(text)
  }
  if (value === null) return []
  if (!Array.isArray(value) || !value.every((t) => typeof t === 'string'))
    throw malformedBody("expected an array of tag strings, such as [\"a\", \"b\"] or ['a', 'b']")
  return value
}

const QUOTED = /\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*/y

/** `[ 'a', "b" ]` with either quote; undefined when the text is anything else. */
function parseQuotedList(text: string): string[] | undefined {
  if (!text.startsWith('[') || !text.endsWith(']')) return undefined
  const inner = text.slice(1, -1)
  const items: string[] = []
  let at = 0
  while (inner.slice(at).trim() !== '') {
    QUOTED.lastIndex = at
    const m = QUOTED.exec(inner)
    if (!m) return undefined
    items.push((m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1'))
    at = QUOTED.lastIndex
    if (inner[at] === ',') at++
    else if (inner.slice(at).trim() !== '') return undefined
  }
  return items
}

export const namespaceScriptTagRoutes = (deps: ApiDeps): Hono<ApiEnv> =>
  scriptTagRoutes(deps, namespaceScriptLocator(deps))
