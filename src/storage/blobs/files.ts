import { createReadStream } from 'node:fs'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { hexId } from '../../util/ids.js'
import type { R2BlobStore, R2Segment } from '../r2-store.js'

/**
 * Object bodies as files under `dir` (`<dir>/<2 hex>/<blob id>`), for a store only one node opens
 * (SQLite). A body is streamed to `<dir>/tmp/<id>`, fsynced, then renamed into place, so a crash
 * never leaves a half-written blob under a name an object refers to.
 */
export function fileBlobStore(dir: string): R2BlobStore {
  const pathOf = (blob: string): string => {
    if (!/^[0-9a-f]{32}$/.test(blob)) throw new Error(`not a blob id: ${blob}`)
    return join(dir, blob.slice(0, 2), blob)
  }
  return {
    async write(body) {
      const blob = hexId()
      const tmpDir = join(dir, 'tmp')
      await mkdir(tmpDir, { recursive: true })
      const tmp = join(tmpDir, blob)
      const file = await open(tmp, 'wx', 0o600)
      let size = 0
      try {
        for await (const chunk of body) {
          let written = 0
          while (written < chunk.byteLength) {
            const { bytesWritten } = await file.write(chunk, written, chunk.byteLength - written)
            written += bytesWritten
          }
          size += chunk.byteLength
        }
        await file.sync()
      } catch (e) {
        await file.close()
        await rm(tmp, { force: true })
        throw e
      }
      await file.close()
      const final = pathOf(blob)
      await mkdir(join(dir, blob.slice(0, 2)), { recursive: true })
      await rename(tmp, final)
      return { blob, size } satisfies R2Segment
    },
    read(blob, start, end) {
      if (end <= start) return (async function* () {})()
      // highWaterMark: reads in 1 MiB pieces; the stream's consumer sets the pace.
      return createReadStream(pathOf(blob), { start, end: end - 1, highWaterMark: 1024 * 1024 })
    },
    async delete(blobs) {
      await Promise.all(blobs.map((b) => rm(pathOf(b), { force: true })))
    },
  }
}
