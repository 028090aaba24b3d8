import { malformedBody, type ApiError } from '../../domain/errors.js'
import { readBodyLimited } from './read-body.js'

/**
 * Reads a multipart/form-data body with the platform's own parser (undici's `Response.formData()`),
 * within the size limit; a body it cannot parse is Cloudflare's "could not parse" (10026).
 */
export async function readMultipart(
  request: Request,
  limit: number,
  scriptLimit: number,
  tooLarge?: (size: number, limit: number) => ApiError,
): Promise<FormData> {
  const contentType = request.headers.get('content-type') ?? ''
  const body = await readBodyLimited(request, limit, scriptLimit, tooLarge)
  try {
    return await new Response(body, { headers: { 'content-type': contentType } }).formData()
  } catch {
    const hint = /boundary=/i.test(contentType) ? '' : ' (the Content-Type has no boundary)'
    throw malformedBody(`the multipart/form-data body could not be parsed${hint}`)
  }
}

/** The text of a form part, whether it was sent as a plain field or as a file. */
export const partText = async (part: File | string): Promise<string> =>
  typeof part === 'string' ? part : part.text()
