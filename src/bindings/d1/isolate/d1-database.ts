// The D1Database a loaded Worker sees (module `__workerhive/d1-database.js`, imported by the
// bindings module in the Worker's own isolate). It speaks D1's binding protocol to the host's
// D1Binding entrypoint with fetch() alone, which exists under every compatibility date: POST
// `query` or `execute` with `?resultsFormat=`, a body of one `{sql, params}` or an array of them,
// and the session bookmark in a header both ways. Results, errors (`D1_ERROR: …`, `D1_TYPE_ERROR`,
// `D1_COLUMN_NOTFOUND`, `D1_EXEC_ERROR`) and the type mapping are Cloudflare's D1 binding's.
// Runs in the customer's isolate: it imports nothing (a test keeps these constants equal to wire.ts).

export const D1_ORIGIN = 'http://d1.workerhive.invalid/'
export const D1_BOOKMARK_HEADER = 'x-cf-d1-session-commit-token'

type Meta = Record<string, unknown> & { duration: number }
type Upstream = { success?: boolean; error?: string; meta?: Meta; results?: unknown }
type Rows = { columns: string[]; rows: unknown[][] }
type Format = 'ROWS_AND_COLUMNS' | 'NONE'

const FIRST_PRIMARY = 'first-primary'
const FIRST_UNCONSTRAINED = 'first-unconstrained'

function d1Error(prefix: string, message: string): Error {
  return new Error(prefix + ': ' + message, { cause: new Error(message) })
}

/** A session: where calls go and the newest bookmark seen (null: always the primary, no bookmark). */
class D1DatabaseSession {
  #raw: Fetcher
  #mark: string | null
  #fixed: boolean

  constructor(raw: Fetcher, mark: string | null, fixed = false) {
    this.#raw = raw
    this.#mark = mark
    this.#fixed = fixed
  }

  prepare(sql: string): D1PreparedStatement {
    return new D1PreparedStatement(this, sql, [])
  }

  async batch(statements: D1PreparedStatement[]): Promise<unknown[]> {
    const answers = await this.send('query', statements.map((s) => s.wire()), 'ROWS_AND_COLUMNS')
    const list = Array.isArray(answers) ? answers : [answers]
    throwIfFailed(list[0])
    return list.map(toObjects)
  }

  getBookmark(): string | null {
    if (this.#fixed || this.#mark === FIRST_PRIMARY || this.#mark === FIRST_UNCONSTRAINED) return null
    return this.#mark
  }

  /** One call; bookmarks only move forward (concurrent calls may answer out of order). */
  async send(op: 'query' | 'execute', body: unknown, format: Format): Promise<Upstream | Upstream[]> {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (this.#mark) headers[D1_BOOKMARK_HEADER] = this.#mark
    const res = await this.#raw.fetch(D1_ORIGIN + op + '?resultsFormat=' + format, { method: 'POST', headers, body: JSON.stringify(body) })
    const mark = res.headers.get(D1_BOOKMARK_HEADER)
    if (mark && !this.#fixed) {
      const current = this.getBookmark()
      if (current === null || current.localeCompare(mark) < 0) this.#mark = mark
    }
    const text = await res.text()
    try {
      return JSON.parse(text) as Upstream | Upstream[]
    } catch {
      throw d1Error('D1_ERROR', 'Failed to parse body as JSON, got: ' + text)
    }
  }
}

/** The database itself: every call goes to the primary and carries no bookmark. */
class D1Database {
  #raw: Fetcher
  #primary: D1DatabaseSession

  constructor(raw: Fetcher) {
    this.#raw = raw
    this.#primary = new D1DatabaseSession(raw, null, true)
  }

  prepare(sql: string): D1PreparedStatement {
    return this.#primary.prepare(sql)
  }

  batch(statements: D1PreparedStatement[]): Promise<unknown[]> {
    return this.#primary.batch(statements)
  }

  /** Statements one per line, run one after the other; the first failure names its line. */
  async exec(query: string): Promise<{ count: number; duration: number }> {
    const lines = query.trim().split('\n')
    const answers = await this.#primary.send('execute', lines.map((sql) => ({ sql, params: [] })), 'NONE')
    const list = Array.isArray(answers) ? answers : [answers]
    let duration = 0
    for (const [i, r] of list.entries()) {
      if (r.error !== undefined) throw d1Error('D1_EXEC_ERROR', 'Error in line ' + (i + 1) + ': ' + lines[i] + ': ' + r.error)
      duration += r.meta?.duration ?? 0
    }
    return { count: list.length, duration }
  }

  withSession(constraintOrBookmark?: string): D1DatabaseSession {
    const mark = constraintOrBookmark?.trim()
    return new D1DatabaseSession(this.#raw, mark ? mark : FIRST_UNCONSTRAINED)
  }

  /** Cloudflare removed dump() with alpha databases; it fails there too. */
  async dump(): Promise<ArrayBuffer> {
    throw d1Error('D1_DUMP_ERROR', 'dump() is not supported; use `wrangler d1 export`')
  }
}

class D1PreparedStatement {
  #session: D1DatabaseSession
  readonly statement: string
  readonly params: unknown[]

  constructor(session: D1DatabaseSession, statement: string, params: unknown[]) {
    this.#session = session
    this.statement = statement
    this.params = params
  }

  /** D1's type mapping: numbers and strings as they are, booleans as 1/0, bytes as a BLOB. */
  bind(...values: unknown[]): D1PreparedStatement {
    const mapped = values.map((v) => {
      if (typeof v === 'number' || typeof v === 'string') return v
      if (typeof v === 'boolean') return v ? 1 : 0
      if (v === null) return null
      if (Array.isArray(v) && v.every((b) => typeof b === 'number' && b >= 0 && b < 256)) return v
      if (v instanceof ArrayBuffer) return Array.from(new Uint8Array(v))
      if (ArrayBuffer.isView(v)) return Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
      throw d1Error('D1_TYPE_ERROR', "Type '" + typeof v + "' not supported for value '" + String(v) + "'")
    })
    return new D1PreparedStatement(this.#session, this.statement, mapped)
  }

  wire(): { sql: string; params: unknown[] } {
    return { sql: this.statement, params: this.params }
  }

  async first(column?: string): Promise<unknown> {
    const rows = toObjects(await this.#one('ROWS_AND_COLUMNS')).results as Array<Record<string, unknown>>
    const row = rows[0]
    if (row === undefined) return null
    if (column === undefined) return row
    if (row[column] === undefined) throw d1Error('D1_COLUMN_NOTFOUND', 'Column not found (' + column + ')')
    return row[column]
  }

  async all(): Promise<unknown> {
    return toObjects(await this.#one('ROWS_AND_COLUMNS'))
  }

  async run(): Promise<unknown> {
    return toObjects(await this.#one('ROWS_AND_COLUMNS'))
  }

  async raw(options?: { columnNames?: boolean }): Promise<unknown[]> {
    const answer = await this.#one('ROWS_AND_COLUMNS')
    const { columns, rows } = (answer.results ?? { columns: [], rows: [] }) as Rows
    return options?.columnNames ? [columns, ...rows] : rows
  }

  async #one(format: Format): Promise<Upstream> {
    const answer = await this.#session.send('query', this.wire(), format)
    const one = Array.isArray(answer) ? answer[0] : answer
    throwIfFailed(one)
    return one as Upstream
  }
}

function throwIfFailed(r: Upstream | undefined): void {
  if (r === undefined) throw d1Error('D1_ERROR', 'Something went wrong')
  if (r.error !== undefined) throw d1Error('D1_ERROR', r.error)
}

/** Rows and columns into an array of objects: `{success, meta, results}` as D1Result has it. */
function toObjects(r: Upstream): { success: true; meta: Meta; results: unknown[] } {
  const meta = (r.meta ?? { duration: 0 }) as Meta
  const results = r.results
  if (results === undefined) return { success: true, meta, results: [] }
  if (Array.isArray(results)) return { success: true, meta, results }
  const { columns, rows } = results as Rows
  return { success: true, meta, results: rows.map((row) => Object.fromEntries(row.map((cell, i) => [columns[i], cell]))) }
}

export function d1DatabaseOf(raw: Fetcher): D1Database {
  return new D1Database(raw)
}
