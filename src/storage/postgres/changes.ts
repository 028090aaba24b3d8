import type { Client } from 'pg'
import { randomUUID } from 'node:crypto'
import type { ChangeFeed, StoreChange } from '../store.js'

/**
 * Cross-node cache invalidation over LISTEN/NOTIFY. A change made through node A's API is
 * published on a channel of the store's schema; every other node hears it and drops what its edge
 * cached. A listener that loses its connection reconnects and reports `everything` changed, since
 * notifications sent meanwhile are lost.
 */
export async function postgresChanges(opts: { url: string; schema?: string; publish: (sql: string, params: unknown[]) => Promise<unknown> }): Promise<ChangeFeed & { close(): Promise<void> }> {
  const { default: pg } = await import('pg')
  const origin = randomUUID()
  const channel = `workerhive_changes_${opts.schema ?? 'public'}`.slice(0, 63)
  const listeners: Array<(c: StoreChange) => void> = []
  let client: Client | undefined
  let closed = false
  let retry: ReturnType<typeof setTimeout> | undefined

  const deliver = (change: StoreChange): void => {
    for (const l of listeners) l(change)
  }

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: opts.url })
    c.on('notification', (msg) => {
      if (msg.channel !== channel || !msg.payload) return
      const { origin: from, change } = JSON.parse(msg.payload) as { origin: string; change: StoreChange }
      if (from !== origin) deliver(change)
    })
    c.on('error', () => reconnect())
    c.on('end', () => reconnect())
    await c.connect()
    await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
    client = c
  }

  const reconnect = (): void => {
    if (closed || retry) return
    client = undefined
    retry = setTimeout(() => {
      retry = undefined
      connect().then(
        () => deliver({ kind: 'everything' }),
        () => reconnect(),
      )
    }, 500)
    retry.unref()
  }

  await connect()
  return {
    async publish(change) {
      await opts.publish('SELECT pg_notify($1, $2)', [channel, JSON.stringify({ origin, change })])
    },
    subscribe(listener) {
      listeners.push(listener)
    },
    async close() {
      closed = true
      clearTimeout(retry)
      await client?.end().catch(() => {})
    },
  }
}
