import { Agent, request } from 'undici'
import { HEADER_INTERNAL_SECRET } from '../shared/headers.js'

/**
 * Keep-alive connections to the workerd control sockets, like fetch()'s global pool, but through
 * undici's plain request(): an upload makes several control calls (its startup check, one cache
 * invalidation per process), and fetch()'s WHATWG streams and objects cost several times as much
 * Node CPU per call.
 */
const controlAgent = new Agent({ keepAliveTimeout: 4_000 })

export interface ControlAnswer {
  status: number
  text(): Promise<string>
  json<T>(): Promise<T>
  /** Reads the body to its end, so the connection goes back to the pool. */
  discard(): Promise<void>
}

/** POSTs a JSON body to a workerd process's control socket. Rejects when the connection fails. */
export async function postControl(port: number, path: string, secret: string, body: string, signal?: AbortSignal): Promise<ControlAnswer> {
  const res = await request(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { [HEADER_INTERNAL_SECRET]: secret, 'content-type': 'application/json' },
    body,
    signal,
    dispatcher: controlAgent,
  })
  return {
    status: res.statusCode,
    text: () => res.body.text(),
    json: <T>() => res.body.json() as Promise<T>,
    discard: async () => void (await res.body.dump()),
  }
}
