import type { Context } from 'hono'
import { malformedBody } from '../domain/errors.js'

/** Reads a JSON body or answers Cloudflare's "could not parse" error. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text()
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
