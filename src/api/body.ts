import type { Context } from 'hono'
import { bodyTooLarge, malformedBody } from '../domain/errors.js'
import { readBodyLimited } from './upload/read-body.js'

/**
 * The largest JSON body a route reads unless it names its own limit: every JSON document of the
 * API is small (settings, names, lists); KV's bulk routes take Cloudflare's 100 MB.
 */
export const JSON_BODY_LIMIT = 1024 * 1024
export const BULK_BODY_LIMIT = 100 * 1024 * 1024

/**
 * A body as text, refused with 413 as soon as it is known to be larger than `limit` (up front from
 * Content-Length, else while it streams), so an oversized body is never held whole.
 */
export async function readTextLimited(c: Context, limit: number = JSON_BODY_LIMIT): Promise<string> {
  return new TextDecoder().decode(await readBodyLimited(c.req.raw, limit, limit, bodyTooLarge))
}

/** Reads a JSON body (at most `limit` bytes) or answers Cloudflare's "could not parse" error. */
export async function readJson(c: Context, limit: number = JSON_BODY_LIMIT): Promise<unknown> {
  const text = await readTextLimited(c, limit)
  if (text.trim() === '') throw malformedBody('the body is empty; expected JSON')
  try {
    return JSON.parse(text)
  } catch (e) {
    throw malformedBody(`the body is not valid JSON (${(e as Error).message})`)
  }
}

/** Reads a JSON object body. */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const value = await readJson(c)
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformedBody('expected a JSON object')
  return value as Record<string, unknown>
}

/** Parses a positive integer query parameter, falling back to `fallback`, clamped to [min, max]. */
export function intParam(raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n)) return fallback
  return Math.min(max, Math.max(min, Math.trunc(n)))
}
