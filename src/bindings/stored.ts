import type { StoredBinding } from '../storage/store.js'

/** A stored binding's string field, '' when absent (stored bindings passed their schema once). */
export const field = (b: StoredBinding, key: string): string => (typeof b[key] === 'string' ? (b[key] as string) : '')

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
