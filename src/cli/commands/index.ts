import type { Command } from '../command.js'
import { accountCreate, tokenCreate } from './account.js'
import { namespaceCreate, namespaceDelete, namespaceList } from './namespace.js'
import { logs, status } from './operations.js'
import { secretsRotateKey } from './secrets.js'
import { start } from './start.js'
import { routeAdd, routeDelete, routeList, zoneCreate, zoneList } from './zone.js'

/** Every CLI command, one line each. */
export const commands: Command[] = [
  start,
  accountCreate,
  tokenCreate,
  zoneCreate,
  zoneList,
  routeAdd,
  routeList,
  routeDelete,
  namespaceCreate,
  namespaceList,
  namespaceDelete,
  status,
  logs,
  secretsRotateKey,
]
