import { performance } from 'node:perf_hooks'
import { Client } from 'undici'

export interface ProbeResponse {
  status: number
  text: string
  ms: number
}

/**
 * One keep-alive connection sending one request at a time, each timed from send to the end of the
 * body: how cold starts and deploys are observed (a client that waits for each answer). A failed
 * request comes back as status 0 with the error's message, so loops can count failures.
 */
export class HttpProbe {
  readonly #client: Client

  constructor(origin: string, readonly host?: string, timeoutMs = 10_000) {
    this.#client = new Client(origin, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, pipelining: 1 })
  }

  async get(path: string, method: 'GET' | 'PUT' = 'GET', body?: string): Promise<ProbeResponse> {
    const started = performance.now()
    try {
      const res = await this.#client.request({
        method,
        path,
        body,
        headers: this.host ? { host: this.host } : {},
      })
      const text = await res.body.text()
      return { status: res.statusCode, text, ms: performance.now() - started }
    } catch (err) {
      return { status: 0, text: err instanceof Error ? err.message : String(err), ms: performance.now() - started }
    }
  }

  close(): Promise<void> {
    return this.#client.close()
  }
}
