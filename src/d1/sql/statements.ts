import { isWord, significant, tokenize, type Token } from './lexer.js'

/**
 * Splits SQL text into statements on `;`, as D1's query API does server-side, keeping a
 * `CREATE TRIGGER … BEGIN … END;` body (whose statements end in `;` too) in one piece. Empty
 * statements (only whitespace or comments) are dropped.
 */
export function splitStatements(sql: string): string[] {
  const tokens = tokenize(sql)
  const out: string[] = []
  let from = 0
  let current: Token[] = []
  // Inside a trigger body: how many BEGIN/CASE are open.
  let depth = 0
  const flush = (end: number): void => {
    if (significant(current).length > 0) out.push(sql.slice(from, end).trim())
    current = []
    from = end
  }
  for (const t of tokens) {
    if (t.kind === 'semicolon' && depth === 0) {
      flush(t.start)
      from = t.start + 1
      continue
    }
    current.push(t)
    if (t.kind !== 'word') continue
    const sig = significant(current)
    if (isTrigger(sig)) {
      if (isWord(t, 'BEGIN', 'CASE')) depth++
      else if (isWord(t, 'END') && depth > 0) depth--
    }
  }
  flush(sql.length)
  return out
}

/** CREATE [TEMP|TEMPORARY] TRIGGER … */
function isTrigger(sig: Token[]): boolean {
  if (!isWord(sig[0], 'CREATE')) return false
  const second = isWord(sig[1], 'TEMP', 'TEMPORARY') ? sig[2] : sig[1]
  return isWord(second, 'TRIGGER')
}

/**
 * D1 binds parameters by position: `?` takes the next number, `?NNN` the number given (SQLite's
 * rule), and named ones (`:x`, `@x`, `$x`) count like `?`. better-sqlite3 binds a plain array only
 * to anonymous `?`, so this rewrites every parameter to `?` and lays the values out in the order
 * they appear. `count` is how many values the statement expects (its highest number).
 */
export function positionalParameters(sql: string): { sql: string; order: number[]; count: number } {
  let max = 0
  const named = new Map<string, number>()
  const order: number[] = []
  let text = ''
  for (const t of tokenize(sql)) {
    if (t.kind !== 'param') {
      text += t.text
      continue
    }
    let index: number
    if (t.text === '?') index = ++max
    else if (t.text.startsWith('?')) index = Number(t.text.slice(1))
    else {
      index = named.get(t.text) ?? ++max
      named.set(t.text, index)
    }
    max = Math.max(max, index)
    order.push(index)
    text += '?'
  }
  return { sql: text, order, count: max }
}

/** The statement's leading keywords, upper-cased, past comments (`EXPLAIN QUERY PLAN` included). */
export function leadingWords(sql: string, n: number): string[] {
  return significant(tokenize(sql))
    .slice(0, n)
    .map((t) => (t.kind === 'word' ? t.text.toUpperCase() : t.text))
}
