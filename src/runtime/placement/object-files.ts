import Database from 'better-sqlite3'
import { open, readdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * One Durable Object's files in workerd's storage directory, packed into one file (a bundle) so
 * that a single page image in the shared store holds them all and replicates them atomically:
 * the host's database (its alarm, its address), the facet index (`<key>.facets`) and each facet's
 * database (the customer's storage), all named after the ObjectHost's id (`key`).
 *
 * Layout: a header page (JSON: each section's name and length), then each section padded to a
 * whole page. The facet databases go last, so an object whose storage grows changes the pages at
 * its end, not every page after a shifted one.
 *
 * SQLite files are read with SQLite (a read transaction on a second connection: workerd keeps them
 * open in WAL mode), so each section is one consistent database whatever the WAL holds.
 */
const PAGE = 4096

interface Section {
  name: string
  bytes: number
}

/** The names of the object's files in `dir`, host database and index first. */
async function objectFiles(dir: string, key: string): Promise<string[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter(
    (n) => n.startsWith(`${key}.`) && (n.endsWith('.sqlite') || n.endsWith('.facets')),
  )
  const rank = (n: string) => (n === `${key}.facets` ? 0 : n === `${key}.sqlite` ? 1 : 2)
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true }))
}

function snapshotSqlite(file: string): Buffer {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    return db.serialize()
  } finally {
    db.close()
  }
}

/**
 * The customer storage in a bundle, in bytes, from its header page alone: its facet databases
 * (`<key>.<n>.sqlite`), not the host's database (`<key>.sqlite`) nor the facet index. 0 when the
 * page is not a bundle's header.
 */
export function facetBytesOfHeader(page: Uint8Array): number {
  const end = page.indexOf(0)
  try {
    const header = JSON.parse(Buffer.from(page.subarray(0, end === -1 ? page.byteLength : end)).toString('utf8')) as { sections?: Section[] }
    return (header.sections ?? []).filter((s) => s.name.endsWith('.sqlite') && s.name.split('.').length > 2).reduce((n, s) => n + s.bytes, 0)
  } catch {
    return 0
  }
}

/** The bundle of the object `key` in `dir`; an object with no files yet gives a header only. */
export async function packObject(dir: string, key: string): Promise<Buffer> {
  const sections: Section[] = []
  const bodies: Buffer[] = []
  for (const name of await objectFiles(dir, key)) {
    const body = name.endsWith('.sqlite') ? snapshotSqlite(join(dir, name)) : await readFile(join(dir, name))
    sections.push({ name, bytes: body.byteLength })
    bodies.push(body)
  }
  const header = Buffer.from(JSON.stringify({ v: 1, sections }))
  if (header.byteLength > PAGE) throw new Error(`Durable Object ${key} has too many files to replicate`)
  const padded = (b: Buffer) => Math.ceil(b.byteLength / PAGE) * PAGE
  const out = Buffer.alloc(PAGE + bodies.reduce((n, b) => n + padded(b), 0))
  header.copy(out, 0)
  let at = PAGE
  for (const body of bodies) {
    body.copy(out, at)
    at += padded(body)
  }
  return out
}

/**
 * Replaces the object's files in `dir` by the bundle's (the object must not be open in workerd):
 * each written beside, then renamed over the old one, with no WAL or shared memory left that
 * SQLite would replay onto it; files of the object the bundle does not name go.
 */
export async function unpackObject(dir: string, key: string, bundle: Buffer): Promise<void> {
  const end = bundle.subarray(0, PAGE).indexOf(0)
  const { sections } = JSON.parse(bundle.subarray(0, end < 0 ? PAGE : end).toString()) as { sections: Section[] }
  const keep = new Set(sections.map((s) => s.name))
  for (const name of await objectFiles(dir, key)) if (!keep.has(name)) await removeWithCompanions(join(dir, name))
  let at = PAGE
  for (const { name, bytes } of sections) {
    if (name.includes('/') || !name.startsWith(`${key}.`)) throw new Error(`bad file name in a replicated Durable Object: ${name}`)
    const file = join(dir, name)
    const handle = await open(`${file}.restore`, 'w', 0o600)
    try {
      await handle.write(bundle.subarray(at, at + bytes))
      await handle.sync()
    } finally {
      await handle.close()
    }
    await removeWithCompanions(file)
    await rename(`${file}.restore`, file)
    at += Math.ceil(bytes / PAGE) * PAGE
  }
}

async function removeWithCompanions(file: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(file + suffix, { force: true })
}
