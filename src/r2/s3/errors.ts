import { ApiError } from '../../domain/errors.js'
import { escapeXml } from './xml.js'

/** The S3 code of each R2 error (Cloudflare's R2 error table pairs them). */
const S3_CODES: Record<number, string> = {
  10001: 'InternalError',
  10002: 'Unauthorized',
  10003: 'AccessDenied',
  10004: 'BucketAlreadyExists',
  10005: 'InvalidBucketName',
  10006: 'NoSuchBucket',
  10007: 'NoSuchKey',
  10008: 'BucketNotEmpty',
  10011: 'EntityTooSmall',
  10012: 'MetadataTooLarge',
  10018: 'ExpiredRequest',
  10020: 'InvalidObjectName',
  10022: 'InvalidMaxKeys',
  10024: 'NoSuchUpload',
  10025: 'InvalidPart',
  10029: 'InvalidArgument',
  10031: 'PreconditionFailed',
  10035: 'SignatureDoesNotMatch',
  10037: 'BadDigest',
  10039: 'InvalidRange',
  10048: 'InvalidPart',
  10059: 'NoSuchCORSConfiguration',
  100100: 'EntityTooLarge',
}

/** An S3 error that is no R2 registry entry (auth failures): its own S3 code. */
export class S3Failure extends ApiError {
  readonly s3Code: string
  constructor(status: number, s3Code: string, message: string) {
    super(status, 10003, message)
    this.s3Code = s3Code
  }
}

/** An error as S3 answers it: XML with the S3 code, R2's status. */
export function s3ErrorResponse(e: ApiError, resource?: string): Response {
  const code = e instanceof S3Failure ? e.s3Code : (S3_CODES[e.code] ?? 'InternalError')
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(e.message)}</Message>` +
    (resource ? `<Resource>${escapeXml(resource)}</Resource>` : '') +
    '</Error>'
  return new Response(body, { status: e.status, headers: { 'content-type': 'application/xml' } })
}
