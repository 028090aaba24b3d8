export const encodeCursor = (lastName: string): string => Buffer.from(lastName, 'utf8').toString('base64url')
export const decodeCursor = (cursor: string): string => Buffer.from(cursor, 'base64url').toString('utf8')

/** Drivers read one row past the page: its presence says there is more. */
export const pageOf = <T>(rows: T[], limit: number): { items: T[]; more: boolean } => ({
  items: rows.slice(0, limit),
  more: rows.length > limit,
})
