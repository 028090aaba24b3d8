import { runStoreConformance } from './conformance/suite.js'
import { openSqliteStore } from '../../src/storage/sqlite/index.js'

runStoreConformance({
  name: 'sqlite',
  open: async (clock) => openSqliteStore({ file: ':memory:', clock }),
})
