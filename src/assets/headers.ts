import { compilePattern, matchPattern, patternProblem, substitute, type CompiledPattern } from './rules.js'

export interface HeaderRule {
  path: string
  set: Array<[string, string]>
  unset: string[]
}

export const MAX_HEADER_RULES = 100

/** An HTTP field name (RFC 9110 token). */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** A field value: visible Latin-1 and spaces (what a Headers object accepts), no controls but tab. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

/**
 * Parses a `_headers` file: a line starting with `/` or `https://` opens a rule, indented
 * `Name: value` lines add headers to it, `! Name` lines remove headers. Invalid lines are skipped
 * (a rule with an invalid path, with its lines), as Cloudflare skips them.
 */
export function parseHeaders(text: string): HeaderRule[] {
  const rules: HeaderRule[] = []
  let current: HeaderRule | undefined
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    if (line.startsWith('/') || /^https?:\/\//i.test(line)) {
      current = undefined
      if (rules.length === MAX_HEADER_RULES || patternProblem(line) !== undefined) continue
      current = { path: line, set: [], unset: [] }
      rules.push(current)
      continue
    }
    if (!current) continue
    if (line.startsWith('!')) {
      const name = line.slice(1).trim().toLowerCase()
      if (FIELD_NAME.test(name)) current.unset.push(name)
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (!FIELD_NAME.test(name) || !FIELD_VALUE.test(value)) continue
    const existing = current.set.find(([n]) => n === name)
    if (existing) existing[1] = `${existing[1]}, ${value}`
    else current.set.push([name, value])
  }
  return rules
}

const compiled = new WeakMap<HeaderRule, CompiledPattern>()

/** Applies every matching rule in file order: removals first, then set (first time) or append. */
export function applyHeaderRules(rules: HeaderRule[], url: URL, headers: Headers): void {
  const touched = new Set<string>()
  for (const rule of rules) {
    let pattern = compiled.get(rule)
    if (!pattern) compiled.set(rule, (pattern = compilePattern(rule.path)))
    const captured = matchPattern(pattern, url)
    if (!captured) continue
    for (const name of rule.unset) headers.delete(name)
    for (const [name, template] of rule.set) {
      // A captured piece of the URL could hold what a header value may not: then the rule's value is skipped.
      const value = substitute(template, captured)
      if (!FIELD_VALUE.test(value)) continue
      try {
        if (touched.has(name)) headers.append(name, value)
        else headers.set(name, value)
        touched.add(name)
      } catch {
        // A value Headers still refuses: the rule's other headers apply.
      }
    }
  }
}
