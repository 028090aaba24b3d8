import { randomBytes } from 'node:crypto'

/**
 * Import uploads and export downloads: wrangler moves the file itself to a presigned URL, so each
 * transfer is a secret token (the URL's last segment) naming one database of one account, valid
 * for an hour. Kept in memory: a restart drops transfers in progress and wrangler starts again.
 */
export interface Transfer {
  kind: 'import' | 'export'
  accountId: string
  databaseId: string
  /** Import: the MD5 hex wrangler announced; export: unused. */
  etag?: string
  /** Import: the uploaded SQL once it has arrived; export: the dump. */
  body?: string
  expiresAt: number
}

const TTL_MS = 60 * 60 * 1000

export class Transfers {
  readonly #byToken = new Map<string, Transfer>()
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  open(t: Omit<Transfer, 'expiresAt'>): string {
    this.#sweep()
    const token = randomBytes(24).toString('base64url')
    this.#byToken.set(token, { ...t, expiresAt: this.#now() + TTL_MS })
    return token
  }

  get(token: string): Transfer | undefined {
    this.#sweep()
    return this.#byToken.get(token)
  }

  /** An import's upload of the database's, by its file name (the token). */
  importOf(accountId: string, databaseId: string, token: string): Transfer | undefined {
    const t = this.get(token)
    return t && t.kind === 'import' && t.accountId === accountId && t.databaseId === databaseId ? t : undefined
  }

  close(token: string): void {
    this.#byToken.delete(token)
  }

  #sweep(): void {
    const now = this.#now()
    for (const [token, t] of this.#byToken) if (t.expiresAt <= now) this.#byToken.delete(token)
  }
}
