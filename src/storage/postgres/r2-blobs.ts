import { hexId } from '../../util/ids.js'
import type { R2BlobStore } from '../r2-store.js'
import type { Db } from './database.js'

/** Every chunk but a blob's last holds exactly this many bytes, so an offset names its chunk. */
export const R2_CHUNK_BYTES = 1024 * 1024

/**
 * Object bodies in the shared database, for a cluster: every node serves every object. A body is
 * streamed in 1 MiB chunks (one row each, never more than a chunk in memory) and read back chunk by
 * chunk. A write that fails midway deletes what it wrote.
 */
export function postgresBlobStore(db: Db): R2BlobStore {
  const insert = 'INSERT INTO r2_chunks (blob, seq, data) VALUES ($1, $2, $3)'
  return {
    async write(body) {
      const blob = hexId()
      let seq = 0
      let size = 0
      let pending: Buffer[] = []
      let pendingBytes = 0
      const flush = async (all: boolean) => {
        while (pendingBytes >= R2_CHUNK_BYTES || (all && pendingBytes > 0)) {
          const joined = Buffer.concat(pending)
          const take = Math.min(R2_CHUNK_BYTES, joined.byteLength)
          await db.run(insert, [blob, seq++, joined.subarray(0, take)])
          const rest = joined.subarray(take)
          pending = rest.byteLength > 0 ? [rest] : []
          pendingBytes = rest.byteLength
        }
      }
      try {
        for await (const chunk of body) {
          pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
          pendingBytes += chunk.byteLength
          size += chunk.byteLength
          if (pendingBytes >= R2_CHUNK_BYTES) await flush(false)
        }
        await flush(true)
      } catch (e) {
        await db.run('DELETE FROM r2_chunks WHERE blob = $1', [blob])
        throw e
      }
      return { blob, size }
    },
    read(blob, start, end) {
      return (async function* () {
        let offset = start
        while (offset < end) {
          const seq = Math.floor(offset / R2_CHUNK_BYTES)
          const row = await db.one<{ data: Buffer }>('SELECT data FROM r2_chunks WHERE blob = $1 AND seq = $2', [blob, seq])
          if (!row) throw new Error(`blob ${blob} is missing chunk ${seq}`)
          const from = offset - seq * R2_CHUNK_BYTES
          const to = Math.min(row.data.byteLength, end - seq * R2_CHUNK_BYTES)
          if (to <= from) throw new Error(`blob ${blob} is shorter than expected`)
          yield new Uint8Array(row.data.buffer, row.data.byteOffset + from, to - from)
          offset += to - from
        }
      })()
    },
    async delete(blobs) {
      if (blobs.length > 0) await db.run('DELETE FROM r2_chunks WHERE blob = ANY($1::text[])', [blobs])
    },
  }
}
