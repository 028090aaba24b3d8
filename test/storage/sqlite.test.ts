import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runStoreConformance } from './conformance/suite.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'

runStoreConformance({
  name: 'sqlite',
  open: async (clock) => openSqliteStore({ file: ':memory:', clock }),
})

// On a file, every write answers after its group commit's fsync (src/storage/sqlite/durability.ts).
runStoreConformance({
  name: 'sqlite (file)',
  open: async (clock) => openSqliteStore({ dataDir: mkdtempSync(join(tmpdir(), 'workerhive-store-')), clock }),
})
