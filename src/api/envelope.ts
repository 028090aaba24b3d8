import type { CfError } from '../domain/errors.js'

/** The v4 envelope every JSON answer travels in. */
export interface Envelope<T> {
  success: boolean
  errors: CfError[]
  messages: Array<{ code: number; message: string }>
  result: T
  result_info?: ResultInfo
}

export type ResultInfo =
  | { page: number; per_page: number; count: number; total_count: number; total_pages: number }
  | { count: number; cursor: string }

export const ok = <T>(result: T, resultInfo?: ResultInfo): Envelope<T> => ({
  success: true,
  errors: [],
  messages: [],
  result,
  ...(resultInfo ? { result_info: resultInfo } : {}),
})

/** Longest error message an answer carries: messages quote input, and input can be huge. */
export const MAX_ERROR_MESSAGE = 512

export const fail = (errors: CfError[]): Envelope<null> => ({
  success: false,
  errors: errors.map((e) => ({ ...e, message: truncate(e.message) })),
  messages: [],
  result: null,
})

/** Page-style listing: `page` past the end answers an empty array, which is how the SDK stops. */
export function paginate<T>(items: T[], page: number, perPage: number): { items: T[]; info: ResultInfo } {
  const start = (page - 1) * perPage
  const slice = items.slice(start, start + perPage)
  return {
    items: slice,
    info: {
      page,
      per_page: perPage,
      count: slice.length,
      total_count: items.length,
      total_pages: Math.max(1, Math.ceil(items.length / perPage)),
    },
  }
}

/** A message cut to MAX_ERROR_MESSAGE characters, saying so. */
export function truncate(message: string): string {
  return message.length <= MAX_ERROR_MESSAGE ? message : `${message.slice(0, MAX_ERROR_MESSAGE)}… (truncated)`
}
