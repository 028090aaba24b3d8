/**
 * A small SQLite lexer: just enough to find statement boundaries, the keywords a statement starts
 * with and its parameters, never fooled by quotes or comments. It follows SQLite's tokenizer rules
 * for strings ('…' with '' escapes), quoted identifiers ("…", `…`, […]), comments (-- and /* *\/),
 * blob literals (x'…') and parameters (?, ?NNN, :name, @name, $name).
 */
export type TokenKind = 'word' | 'string' | 'ident' | 'param' | 'semicolon' | 'comment' | 'space' | 'other'

export interface Token {
  kind: TokenKind
  text: string
  /** Offset in the source. */
  start: number
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  const push = (kind: TokenKind, end: number): void => {
    tokens.push({ kind, text: sql.slice(i, end), start: i })
    i = end
  }
  while (i < sql.length) {
    const c = sql[i]!
    const next = sql[i + 1]
    if (/\s/.test(c)) {
      let j = i + 1
      while (j < sql.length && /\s/.test(sql[j]!)) j++
      push('space', j)
    } else if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i)
      push('comment', nl === -1 ? sql.length : nl + 1)
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2)
      push('comment', end === -1 ? sql.length : end + 2)
    } else if (c === "'") {
      push('string', quoted(sql, i, "'"))
    } else if ((c === 'x' || c === 'X') && next === "'") {
      i++
      const start = i - 1
      const end = quoted(sql, i, "'")
      tokens.push({ kind: 'string', text: sql.slice(start, end), start })
      i = end
    } else if (c === '"' || c === '`') {
      push('ident', quoted(sql, i, c))
    } else if (c === '[') {
      const end = sql.indexOf(']', i)
      push('ident', end === -1 ? sql.length : end + 1)
    } else if (c === ';') {
      push('semicolon', i + 1)
    } else if (c === '?') {
      let j = i + 1
      while (j < sql.length && /[0-9]/.test(sql[j]!)) j++
      push('param', j)
    } else if ((c === ':' || c === '@' || c === '$') && next !== undefined && WORD_START.test(next)) {
      let j = i + 1
      while (j < sql.length && (WORD_PART.test(sql[j]!) || sql[j] === ':')) j++
      push('param', j)
    } else if (WORD_START.test(c)) {
      let j = i + 1
      while (j < sql.length && WORD_PART.test(sql[j]!)) j++
      push('word', j)
    } else {
      push('other', i + 1)
    }
  }
  return tokens
}

/** The end (exclusive) of a quoted run starting at `i`, where a doubled quote is an escape. */
function quoted(sql: string, i: number, q: string): number {
  let j = i + 1
  while (j < sql.length) {
    if (sql[j] === q) {
      if (sql[j + 1] === q) j += 2
      else return j + 1
    } else j++
  }
  return sql.length
}

/** Tokens that mean something: no whitespace, no comments. */
export const significant = (tokens: Token[]): Token[] => tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment')

export const isWord = (t: Token | undefined, ...words: string[]): boolean =>
  t !== undefined && t.kind === 'word' && words.includes(t.text.toUpperCase())
