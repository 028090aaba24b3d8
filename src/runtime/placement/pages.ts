import { createHash } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { PageStore, StoredPage } from '../../storage/placement-store.js'

/** Another owner replicated since this node last did: its copy is stale and must not be served. */
export class ReplicaFenced extends Error {}

export interface PageReplicaOptions {
  store: PageStore
  /** Bytes per replicated page (SQLite's default page size, so one changed row is one page). @default 4096 */
  pageSize?: number
  /** Pages read from the store per round trip when rebuilding. @default 1024 */
  sliceSize?: number
}

/** What this node last replicated of a resource: the stored version and each page's hash. */
interface Replicated {
  version: number
  hashes: string[]
}

/**
 * Replication of a resource's file (a D1 database, a Durable Object's storage) to the shared store,
 * page by page: bytes of a file in, bytes of a file out, whatever the file holds.
 *
 * - `replicate(resource, file)`, by the owner after each write and before it acknowledges it: the
 *   file's pages are hashed and compared with what it last replicated, and the changed ones are
 *   written with a version bump in one store transaction. The store refuses the write when the
 *   version moved (another owner wrote): ReplicaFenced. On any failure the replica forgets the
 *   resource, so the caller steps down and the next owner rebuilds.
 * - `restore(resource, file)`, by a new owner before its first call: the file is rebuilt from the
 *   stored pages (written beside it, fsynced, renamed over it). With no stored image the local file
 *   stays as it is and the first replicate sends it whole.
 *
 * The file must be quiet and complete while either runs (for SQLite: no transaction open and the
 * WAL checkpointed into the main file). Hashing reads the whole file, so a write costs a read of
 * the database; reading the WAL's frame headers would name the changed pages instead.
 */
export class PageReplica {
  readonly #store: PageStore
  readonly #pageSize: number
  readonly #sliceSize: number
  readonly #known = new Map<string, Replicated>()

  constructor(options: PageReplicaOptions) {
    this.#store = options.store
    this.#pageSize = options.pageSize ?? 4096
    this.#sliceSize = options.sliceSize ?? 1024
  }

  /** Writes the pages of `file` that changed since the last replication; answers the new version. */
  async replicate(resource: string, file: string): Promise<number> {
    try {
      const known = this.#known.get(resource) ?? { version: 0, hashes: [] }
      const { hashes, changed } = await this.#diff(file, known.hashes)
      const version = await this.#store.writePages({ resource, fromVersion: known.version, pageSize: this.#pageSize, pageCount: hashes.length, pages: changed })
      if (version === undefined) throw new ReplicaFenced(`${resource} was replicated by another node since version ${known.version}`)
      this.#known.set(resource, { version, hashes })
      return version
    } catch (err) {
      this.#known.delete(resource)
      throw err
    }
  }

  /**
   * Makes `file` the stored image of the resource, unless this node replicated that very version
   * last (its file is the image). Answers the version the file now holds (0: none was stored).
   * `beforeReplace` runs just before the rebuilt file takes the old one's place: close handles and
   * remove companions (a SQLite WAL left beside it would be replayed onto the rebuilt file).
   */
  async restore(resource: string, file: string, beforeReplace: () => Promise<void> = async () => {}): Promise<number> {
    const image = await this.#store.getImage(resource)
    if (!image) {
      this.#known.delete(resource)
      return 0
    }
    if (this.#known.get(resource)?.version === image.version) return image.version
    this.#known.delete(resource)
    await mkdir(dirname(file), { recursive: true, mode: 0o700 })
    const scratch = `${file}.restore`
    const handle = await open(scratch, 'w', 0o600)
    const hashes: string[] = []
    try {
      for (let from = 0; from < image.pageCount; ) {
        const slice = await this.#store.readPages(resource, from, this.#sliceSize)
        if (slice.length === 0) break
        for (const page of slice) {
          await handle.write(page.data, 0, page.data.byteLength, page.no * image.pageSize)
          hashes[page.no] = hashOf(page.data)
        }
        from = slice.at(-1)!.no + 1
      }
      await handle.sync()
    } finally {
      await handle.close()
    }
    await beforeReplace()
    await rename(scratch, file)
    // Hashes follow this node's page size; an image written with another is sent whole next time.
    if (image.pageSize === this.#pageSize && hashes.length === image.pageCount && !hashes.includes(undefined as never))
      this.#known.set(resource, { version: image.version, hashes })
    return image.version
  }

  /** Forgets what was replicated (this node stepped down). */
  forget(resource: string): void {
    this.#known.delete(resource)
  }

  /** Drops the stored image (the resource was deleted). */
  async drop(resource: string): Promise<void> {
    this.#known.delete(resource)
    await this.#store.deleteImage(resource)
  }

  async #diff(file: string, before: readonly string[]): Promise<{ hashes: string[]; changed: StoredPage[] }> {
    const hashes: string[] = []
    const changed: StoredPage[] = []
    const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined
      throw err
    })
    if (!handle) return { hashes, changed }
    try {
      const block = Buffer.alloc(this.#pageSize * 256)
      for (let offset = 0; ; ) {
        const { bytesRead } = await handle.read(block, 0, block.length, offset)
        if (bytesRead === 0) break
        for (let at = 0; at < bytesRead; at += this.#pageSize) {
          const data = block.subarray(at, Math.min(at + this.#pageSize, bytesRead))
          const no = (offset + at) / this.#pageSize
          const hash = hashOf(data)
          hashes.push(hash)
          if (before[no] !== hash) changed.push({ no, data: new Uint8Array(data) })
        }
        offset += bytesRead
      }
    } finally {
      await handle.close()
    }
    return { hashes, changed }
  }
}

const hashOf = (data: Uint8Array): string => createHash('sha1').update(data).digest('base64')

/** Removes a file and its SQLite companions (a deleted resource, or a copy about to be rebuilt). */
export async function removeSqliteFile(file: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(file + suffix, { force: true })
}
