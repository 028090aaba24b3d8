import { isWord, significant, tokenize, type Token } from './lexer.js'

/**
 * What D1 refuses, decided before a statement runs. better-sqlite3 exposes no authorizer, so the
 * rule is checked on the statement's own tokens, which is sound because the engine prepares each
 * statement alone (better-sqlite3 refuses text with two statements) and SQLite allows ATTACH,
 * DETACH, PRAGMA, VACUUM and transaction control only as a statement's first keyword (never inside
 * a trigger, a CTE or a subquery). `EXPLAIN [QUERY PLAN]` is looked through. The rest of D1's
 * fence is SQLite's own: `load_extension()` stays disabled (better-sqlite3 enables only the C
 * API), and defensive mode refuses writes to sqlite_master even with writable_schema.
 */
export function refusal(sql: string): string | undefined {
  let sig = significant(tokenize(sql))
  if (isWord(sig[0], 'EXPLAIN')) sig = isWord(sig[1], 'QUERY') && isWord(sig[2], 'PLAN') ? sig.slice(3) : sig.slice(1)
  const first = sig[0]
  if (isWord(first, 'ATTACH', 'DETACH', 'VACUUM')) return NOT_AUTHORIZED
  if (isWord(first, 'BEGIN', 'COMMIT', 'END', 'ROLLBACK', 'SAVEPOINT', 'RELEASE')) return NOT_AUTHORIZED
  if (isWord(first, 'PRAGMA')) return pragmaRefusal(sig.slice(1))
  return undefined
}

/** SQLite's authorizer message, which is what D1 answers for what it forbids. */
export const NOT_AUTHORIZED = 'not authorized: SQLITE_AUTH'

/** The PRAGMAs D1 documents as supported; any other is refused. */
export const D1_PRAGMAS: ReadonlySet<string> = new Set([
  'table_list',
  'table_info',
  'table_xinfo',
  'index_list',
  'index_info',
  'index_xinfo',
  'foreign_key_list',
  'foreign_key_check',
  'foreign_keys',
  'defer_foreign_keys',
  'case_sensitive_like',
  'ignore_check_constraints',
  'legacy_alter_table',
  'recursive_triggers',
  'reverse_unordered_selects',
  'quick_check',
  'optimize',
])

function pragmaRefusal(rest: Token[]): string | undefined {
  let name = rest[0]
  // PRAGMA schema.name: only the main database exists for a D1 database.
  if (rest[1]?.text === '.') {
    if (!isWord(rest[0], 'main')) return NOT_AUTHORIZED
    name = rest[2]
  }
  if (name?.kind !== 'word' || !D1_PRAGMAS.has(name.text.toLowerCase())) return NOT_AUTHORIZED
  return undefined
}
