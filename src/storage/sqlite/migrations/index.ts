import { core } from './001-core.js'
import { kv } from './002-kv.js'
import { versionHandlers } from './003-version-handlers.js'
import { assets } from './004-assets.js'
import { containment } from './005-containment.js'
import { tokenPolicies } from './006-token-policies.js'
import { schedules } from './007-schedules.js'
import { eventRetention } from './008-event-retention.js'
import { customHostnames } from './009-custom-hostnames.js'
import { usage } from './010-usage.js'
import { edgeTls } from './011-edge-tls.js'
import { r2 } from './013-r2.js'
import { durableObjects } from './015-durable-objects.js'
import { d1, placementLeases } from './012-d1.js'
import { queues } from './014-queues.js'
import { placementPages } from './016-placement-pages.js'
import { storageUsage, usageOperations } from './017-storage-usage.js'
import { objectAlarms } from './018-object-alarms.js'
import { storageSamples } from './019-storage-samples.js'
import { objectRows } from './020-object-rows.js'

/** Applied in order, each once, inside a transaction; `PRAGMA user_version` records the last one. */
export const migrations: ReadonlyArray<{ version: number; sql: string }> = [
  { version: 1, sql: core },
  { version: 2, sql: kv },
  { version: 3, sql: versionHandlers },
  { version: 4, sql: assets },
  { version: 5, sql: containment },
  { version: 6, sql: tokenPolicies },
  { version: 7, sql: schedules },
  { version: 8, sql: eventRetention },
  { version: 9, sql: customHostnames },
  { version: 10, sql: usage },
  { version: 11, sql: edgeTls },
  { version: 12, sql: d1 + placementLeases },
  { version: 13, sql: r2 },
  { version: 14, sql: queues },
  { version: 15, sql: durableObjects },
  { version: 16, sql: placementPages },
  { version: 17, sql: storageUsage + usageOperations },
  { version: 18, sql: objectAlarms },
  { version: 19, sql: storageSamples },
  { version: 20, sql: objectRows },
]
