import Database from 'better-sqlite3'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { deserialize } from 'node:v8'
import type { PageStore } from '../storage/placement-store.js'
import { facetBytesOfHeader } from './placement/object-files.js'

/** Where each object's host keeps its address (src/bindings/durable-object-namespace/objects.worker.ts). */
const ADDRESS_KEY = 'workerhive:address'
const HOST_FILE = /^([0-9a-f]{64})\.sqlite$/

/** A SQLite database's size as SQLite counts it (pages in use, WAL included), 0 when unreadable. */
function databaseBytes(file: string, read: (db: Database.Database) => number): number {
  let db: Database.Database | undefined
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
    return read(db)
  } catch {
    return 0
  } finally {
    db?.close()
  }
}

const pagesInUse = (db: Database.Database): number => (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number)

/**
 * The customer storage of the Durable Objects in workerd's storage directory `dir`, in bytes per
 * Durable Object namespace: each object's facet databases (its `ctx.storage`), found through its
 * host's database, which records the object's address. The host's own database and the facet
 * index are Workerhive's bookkeeping and not counted.
 */
export async function objectStorageByNamespace(dir: string): Promise<Map<string, number>> {
  const names = await readdir(dir).catch(() => [] as string[])
  const out = new Map<string, number>()
  for (const name of names) {
    const key = HOST_FILE.exec(name)?.[1]
    if (!key) continue
    let namespaceId = ''
    databaseBytes(join(dir, name), (db) => {
      const row = db.prepare('SELECT value FROM _cf_KV WHERE key = ?').get(ADDRESS_KEY) as { value: Buffer } | undefined
      const address = row ? (deserialize(row.value) as { namespaceId?: unknown }) : undefined
      if (typeof address?.namespaceId === 'string') namespaceId = address.namespaceId
      return 0
    })
    if (!namespaceId) continue
    let bytes = 0
    for (const facet of names) {
      if (facet.startsWith(`${key}.`) && facet.endsWith('.sqlite') && facet !== name) bytes += databaseBytes(join(dir, facet), pagesInUse)
    }
    out.set(namespaceId, (out.get(namespaceId) ?? 0) + bytes)
  }
  return out
}

/**
 * Several nodes: the same figure from the objects' replicated images in the shared store (each
 * node holds only the objects it owns), read from each image's header page: its facet databases'
 * sizes as they were when the object was last replicated (after its last call that changed them).
 */
export async function objectStorageFromImages(pages: Pick<PageStore, 'firstPages'>): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  for (const { resource, data } of await pages.firstPages('do:')) {
    // `do:<namespace>:<object id>` (runtime/placement/objects.ts).
    const namespaceId = resource.split(':')[1]
    if (namespaceId) out.set(namespaceId, (out.get(namespaceId) ?? 0) + facetBytesOfHeader(data))
  }
  return out
}
