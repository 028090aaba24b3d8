import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAccount, createToken } from '../../src/bootstrap.js'
import { loadConfig, type ConfigInput } from '../../src/config/config.js'
import { startPlatform, type Platform } from '../../src/main.js'
import type { AccountId } from '../../src/domain/ids.js'
import type { Clock } from '../../src/util/clock.js'
import type { Logger } from '../../src/util/logger.js'

export interface TestPlatform {
  platform: Platform
  dataDir: string
  accountId: AccountId
  token: string
  /** fetch against the API with the first account's token; `path` starts after /client/v4. */
  api(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>
  /** JSON helper: returns status and the parsed envelope. */
  json(path: string, init?: RequestInit & { token?: string | null }): Promise<{ status: number; body: any }>
  /** A second account, for isolation tests. */
  otherAccount(): Promise<{ accountId: AccountId; token: string }>
  close(): Promise<void>
}

/**
 * Starts the real platform on free ports in a fresh data dir (or `overrides.dataDir`, to start again
 * on a stopped platform's data; close() removes it); `clock` lets a test move time (KV expiration);
 * `log` receives the platform's log records (a test that reads them passes a logger of its own).
 */
export async function startTestPlatform(overrides: ConfigInput = {}, clock?: Clock, log?: Logger): Promise<TestPlatform> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'workerhive-test-'))
  const config = loadConfig({ dataDir, apiPort: 0, edgePort: 0, logLevel: 'silent', ...overrides }, {})
  const platform = await startPlatform(config, { ...(clock ? { clock } : {}), ...(log ? { log } : {}) })
  const { accountId, apiToken: token } = platform.credentials
  const api = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const headers = new Headers(init.headers)
    const t = init.token === undefined ? token : init.token
    if (t !== null && !headers.has('authorization') && !headers.has('x-auth-key')) headers.set('authorization', `Bearer ${t}`)
    return fetch(`${platform.apiUrl}${path}`, { ...init, headers })
  }
  return {
    platform,
    dataDir,
    accountId,
    token,
    api,
    async json(path, init) {
      const res = await api(path, init)
      const text = await res.text()
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        body = text
      }
      return { status: res.status, body }
    },
    async otherAccount() {
      const email = `other-${Math.random().toString(36).slice(2)}@example.com`
      const { accountId: id } = await createAccount(platform.store, { name: email, email })
      return { accountId: id, token: await createToken(platform.store, id, 'test') }
    },
    async close() {
      await platform.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export const jsonBody = (value: unknown): RequestInit => ({
  body: JSON.stringify(value),
  headers: { 'content-type': 'application/json' },
})
