import type { Config } from '../config/config.js'
import type { Clock } from '../util/clock.js'
import { openPostgresStore } from './postgres/index.js'
import { openSqliteStore } from './sqlite/index.js'
import type { Store } from './store.js'

/** Opens the store the configuration asks for. */
export async function openStore(
  config: Pick<Config, 'storage' | 'dataDir' | 'postgresUrl' | 'postgresSchema'>,
  clock?: Clock,
): Promise<Store> {
  if (config.storage === 'postgres') {
    if (!config.postgresUrl) {
      throw new Error(
        '--storage postgres needs a connection string: pass --postgres-url ' +
          'postgres://user@host:5432/database (or set WORKERHIVE_POSTGRES_URL).',
      )
    }
    // The postgres driver imports `pg` only when it opens, so SQLite platforms never load it.
    return openPostgresStore({
      url: config.postgresUrl,
      ...(config.postgresSchema ? { schema: config.postgresSchema } : {}),
      ...(clock ? { clock } : {}),
    })
  }
  return openSqliteStore({ dataDir: config.dataDir, ...(clock ? { clock } : {}) })
}
