import type { Config } from '../config/config.js'
import type { Clock } from '../util/clock.js'
import { openSqliteStore } from './sqlite/index.js'
import type { Store } from './store.js'

/** Opens the store the configuration asks for. */
export async function openStore(config: Pick<Config, 'storage' | 'dataDir' | 'postgresUrl'>, clock?: Clock): Promise<Store> {
  if (config.storage === 'postgres') {
    throw new Error('The PostgreSQL store is not available yet; start with --storage sqlite (the default).')
  }
  return openSqliteStore({ dataDir: config.dataDir, ...(clock ? { clock } : {}) })
}
