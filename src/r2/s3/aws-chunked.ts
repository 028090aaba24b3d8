/**
 * S3's `aws-chunked` content encoding, which SDKs use to stream a body of known length with a
 * trailing checksum (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`) or signed chunks
 * (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`): `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n` … up to a
 * zero-size chunk, then trailer lines. Yields the bytes alone, as they arrive. Chunk signatures are
 * not checked (the request's own signature is); a malformed frame throws.
 */
export function isAwsChunked(h: Headers): boolean {
  return (h.get('content-encoding') ?? '').split(',').some((e) => e.trim() === 'aws-chunked') ||
    (h.get('x-amz-content-sha256') ?? '').startsWith('STREAMING-')
}

/** The Content-Encoding to store: the client's own, without the transfer framing. */
export function storedContentEncoding(h: Headers): string | null {
  const rest = (h.get('content-encoding') ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '' && e !== 'aws-chunked')
  return rest.length ? rest.join(', ') : null
}

export async function* decodeAwsChunked(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  let buf = Buffer.alloc(0)
  let remaining = -1 // bytes left of the current chunk's data; -1: reading a size line
  let done = false
  const it = body[Symbol.asyncIterator]()
  const more = async (): Promise<boolean> => {
    const next = await it.next()
    if (next.done) return false
    buf = buf.length ? Buffer.concat([buf, Buffer.from(next.value)]) : Buffer.from(next.value)
    return true
  }
  for (;;) {
    if (remaining < 0) {
      const eol = buf.indexOf('\r\n')
      if (eol < 0) {
        if (!(await more())) throw new Error('aws-chunked body ended inside a chunk header')
        continue
      }
      const size = parseInt(buf.subarray(0, eol).toString('latin1').split(';')[0]!, 16)
      if (!Number.isInteger(size) || size < 0) throw new Error('malformed aws-chunked chunk header')
      buf = buf.subarray(eol + 2)
      if (size === 0) {
        done = true
        break
      }
      remaining = size
    }
    if (buf.length === 0 && !(await more())) throw new Error('aws-chunked body ended inside a chunk')
    const take = Math.min(remaining, buf.length)
    if (take > 0) {
      yield buf.subarray(0, take)
      buf = buf.subarray(take)
      remaining -= take
    }
    if (remaining === 0) {
      while (buf.length < 2) if (!(await more())) throw new Error('aws-chunked chunk lacks its CRLF')
      buf = buf.subarray(2)
      remaining = -1
    }
  }
  // The trailer (checksums) and the final CRLF are read and dropped.
  if (done) while (await more()) buf = Buffer.alloc(0)
}
