import { scriptTooLarge, type ApiError } from '../../domain/errors.js'

/**
 * Reads a request body, refusing it (413, code 10027) as soon as it is known to be larger than
 * `limit`: up front from Content-Length, else while streaming, so a chunked body cannot fill memory.
 * `scriptLimit` is the limit the message names (the script's, without multipart framing); `tooLarge`
 * says what was too large when it is not a script.
 */
export async function readBodyLimited(
  request: Request,
  limit: number,
  scriptLimit: number,
  tooLarge: (size: number, limit: number) => ApiError = scriptTooLarge,
): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? NaN)
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(declared, scriptLimit)
  if (!request.body) return new Uint8Array()
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel()
      throw tooLarge(total, scriptLimit)
    }
    chunks.push(value)
  }
  const body = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    body.set(c, at)
    at += c.byteLength
  }
  return body
}
