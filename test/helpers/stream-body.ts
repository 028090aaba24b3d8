import { request as httpRequest } from 'node:http'

export const MB = 1024 * 1024

export interface StreamedPost {
  port: number
  path: string
  headers: Record<string, string>
  /** Bytes to send, as 1 MB chunks of `fill` (one buffer reused: the test never holds the body). */
  total: number
  /** Chunked transfer encoding instead of a Content-Length. */
  chunked: boolean
  fill: string
}

/**
 * POSTs a large body as a stream and resolves with the first answer: the server may answer before
 * the upload ends, and then the rest is not sent.
 */
export function streamPost(p: StreamedPost): Promise<{ status: number; text: string }> {
  const chunk = Buffer.alloc(MB, p.fill)
  return new Promise((resolve, reject) => {
    const headers = { ...p.headers, ...(p.chunked ? {} : { 'content-length': String(p.total) }) }
    const req = httpRequest({ host: '127.0.0.1', port: p.port, path: p.path, method: 'POST', headers })
    let answered = false
    req.on('response', (res) => {
      answered = true
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (text += d))
      res.on('end', () => {
        req.destroy()
        resolve({ status: res.statusCode ?? 0, text })
      })
      res.on('error', () => resolve({ status: res.statusCode ?? 0, text }))
    })
    req.on('error', (err) => {
      if (!answered) reject(err)
    })
    let sent = 0
    const pump = () => {
      while (sent < p.total && !answered && !req.destroyed) {
        sent += chunk.length
        if (!req.write(chunk)) return void req.once('drain', pump)
      }
      if (sent >= p.total && !answered) req.end()
    }
    pump()
  })
}
