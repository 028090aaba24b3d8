import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import { runStoreConformance } from './conformance/suite.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'

runStoreConformance({
  name: 'sqlite',
  open: async (clock) => openSqliteStore({ file: ':memory:', clock }),
})

// On a file, every write answers after its group commit's fsync (src/storage/sqlite/durability.ts).
const dirs: string[] = []
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})
runStoreConformance({
  name: 'sqlite (file)',
  open: async (clock) => {
    const dir = mkdtempSync(join(tmpdir(), 'workerhive-store-'))
    dirs.push(dir)
    return openSqliteStore({ dataDir: dir, clock })
  },
})
