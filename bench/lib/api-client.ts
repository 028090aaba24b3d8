import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'

/** A v4 envelope as far as the bench reads it. */
export interface Envelope {
  success: boolean
  errors: Array<{ code: number; message: string }>
  result: unknown
  result_info?: Record<string, unknown>
}

export interface ApiResponse {
  status: number
  /** The envelope (a stand-in holding the text when the answer is not JSON, e.g. a KV value). */
  body: Envelope
  text: string
  ms: number
}

/**
 * A keep-alive client of the v4 API with the account's token, timing each call from the request
 * to the end of the answer.
 */
export class ApiClient {
  readonly #pool: Pool
  readonly #token: string
  readonly #prefix: string

  constructor(apiUrl: string, token: string, connections = 8) {
    const url = new URL(apiUrl)
    this.#pool = new Pool(url.origin, { connections, headersTimeout: 60_000, bodyTimeout: 60_000 })
    this.#token = token
    this.#prefix = url.pathname.replace(/\/$/, '')
  }

  async call(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    path: string,
    body?: { contentType: string; data: string | Buffer },
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` }
    if (body) headers['content-type'] = body.contentType
    const started = performance.now()
    const res = await this.#pool.request({ method, path: this.#prefix + path, headers, body: body?.data })
    const text = await res.body.text()
    const ms = performance.now() - started
    return { status: res.statusCode, body: parseEnvelope(text), text, ms }
  }

  json(method: 'PUT' | 'POST', path: string, value: unknown): Promise<ApiResponse> {
    return this.call(method, path, { contentType: 'application/json', data: JSON.stringify(value) })
  }

  close(): Promise<void> {
    return this.#pool.close()
  }
}

function parseEnvelope(text: string): Envelope {
  try {
    return JSON.parse(text) as Envelope
  } catch {
    return { success: false, errors: [{ code: 0, message: text.slice(0, 200) }], result: null }
  }
}

/** The API has no such route (yet): 404 "No route" / "Could not route", or 405. */
export function isMissingRoute(res: ApiResponse): boolean {
  const code = res.body.errors?.[0]?.code
  return res.status === 405 || (res.status === 404 && (code === 7000 || code === 7003))
}

/**
 * A Worker upload as Cloudflare's clients send it: multipart/form-data with a `metadata` part and
 * one ES module part. Built by hand so the client spends next to nothing per upload (it shares the
 * API's Node thread).
 */
export function workerUpload(code: string, metadata: Record<string, unknown>): { contentType: string; data: Buffer } {
  const boundary = `----workerhive-bench-${randomBytes(8).toString('hex')}`
  const meta = JSON.stringify({ main_module: 'index.js', compatibility_date: '2026-01-01', ...metadata })
  const data = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n` +
        `Content-Type: application/json\r\n\r\n${meta}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="index.js"; filename="index.js"\r\n` +
        'Content-Type: application/javascript+module\r\n\r\n',
    ),
    Buffer.from(code),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { contentType: `multipart/form-data; boundary=${boundary}`, data }
}
