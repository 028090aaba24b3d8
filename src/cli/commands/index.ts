import type { Command } from '../command.js'
import { accountCreate, tokenCreate } from './account.js'
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
]
