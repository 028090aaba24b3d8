import { runStoreConformance } from '../../src/storage/conformance.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'

runStoreConformance({
  name: 'sqlite',
  open: async (clock) => openSqliteStore({ file: ':memory:', clock }),
})
