import { createHash, randomBytes, randomUUID } from 'node:crypto'

/** 32 lowercase hex characters: Cloudflare's format for account, zone and KV namespace ids. */
export const hexId = (): string => randomBytes(16).toString('hex')

export const uuid = (): string => randomUUID()

/** A secret for humans and clients to paste: url-safe, 40 characters, like Cloudflare's tokens. */
export const secretToken = (): string => randomBytes(30).toString('base64url')

export const sha256Hex = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex')
