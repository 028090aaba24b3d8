import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/** What a SigV4-signed request states about its signature (header or presigned query). */
export interface SignedRequest {
  accessKeyId: string
  /** `YYYYMMDD/region/service/aws4_request`. */
  scope: string
  date: string
  region: string
  service: string
  /** `YYYYMMDDTHHMMSSZ`. */
  amzDate: string
  signedHeaders: string[]
  signature: string
  /** The hex SHA-256 of the body, or UNSIGNED-PAYLOAD. */
  payloadHash: string
  /** Presigned URLs: seconds the URL is valid for. */
  expires?: number
  presigned: boolean
}

const CREDENTIAL = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/

/** The signature a request carries, or a reason it carries none that can be checked. */
export function parseSignature(method: string, url: URL, headers: Headers): SignedRequest | { problem: 'missing' | 'malformed' } {
  const q = url.searchParams
  if (q.get('X-Amz-Algorithm') !== null) {
    if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return { problem: 'malformed' }
    const cred = CREDENTIAL.exec(q.get('X-Amz-Credential') ?? '')
    const amzDate = q.get('X-Amz-Date') ?? ''
    const signature = q.get('X-Amz-Signature') ?? ''
    const expires = Number(q.get('X-Amz-Expires') ?? '')
    if (!cred || !/^\d{8}T\d{6}Z$/.test(amzDate) || !signature || !Number.isInteger(expires)) return { problem: 'malformed' }
    return {
      accessKeyId: cred[1]!, date: cred[2]!, region: cred[3]!, service: cred[4]!, scope: `${cred[2]}/${cred[3]}/${cred[4]}/aws4_request`,
      amzDate, signature, expires, presigned: true,
      signedHeaders: (q.get('X-Amz-SignedHeaders') ?? 'host').split(';'),
      payloadHash: headers.get('x-amz-content-sha256') ?? 'UNSIGNED-PAYLOAD',
    }
  }
  const auth = headers.get('authorization')
  if (auth === null) return { problem: 'missing' }
  const m = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]+)\s*$/i.exec(auth)
  const cred = m && CREDENTIAL.exec(m[1]!)
  const amzDate = headers.get('x-amz-date') ?? ''
  if (!m || !cred || !/^\d{8}T\d{6}Z$/.test(amzDate)) return { problem: 'malformed' }
  void method
  return {
    accessKeyId: cred[1]!, date: cred[2]!, region: cred[3]!, service: cred[4]!, scope: `${cred[2]}/${cred[3]}/${cred[4]}/aws4_request`,
    amzDate, signature: m[3]!.toLowerCase(), presigned: false,
    signedHeaders: m[2]!.toLowerCase().split(';'),
    payloadHash: headers.get('x-amz-content-sha256') ?? 'UNSIGNED-PAYLOAD',
  }
}

/** RFC 3986 encoding, as SigV4 canonicalises: everything but unreserved characters. */
const rfc3986 = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

const decodeSafe = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** The canonical request and the string SigV4 signs for it. */
export function stringToSign(method: string, url: URL, headers: Headers, signed: SignedRequest): string {
  // S3 signs the path as sent, each segment encoded once (no normalisation of `.` or `//`).
  const path = url.pathname.split('/').map((seg) => rfc3986(decodeSafe(seg))).join('/')
  const query = [...url.searchParams]
    .filter(([k]) => !(signed.presigned && k === 'X-Amz-Signature'))
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  const canonicalHeaders = signed.signedHeaders
    .map((name) => `${name}:${(headers.get(name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('')
  const payload = signed.presigned ? 'UNSIGNED-PAYLOAD' : signed.payloadHash
  const canonical = [method, path, query, canonicalHeaders, signed.signedHeaders.join(';'), payload].join('\n')
  return ['AWS4-HMAC-SHA256', signed.amzDate, signed.scope, createHash('sha256').update(canonical).digest('hex')].join('\n')
}

/** Whether the request was signed with `secret`. */
export function signatureMatches(method: string, url: URL, headers: Headers, signed: SignedRequest, secret: string): boolean {
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest()
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, signed.date), signed.region), signed.service), 'aws4_request')
  const expected = createHmac('sha256', key).update(stringToSign(method, url, headers, signed)).digest()
  const given = Buffer.from(signed.signature, 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** The request time a signature states, in ms. */
export const amzDateMs = (amzDate: string): number =>
  Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15))
