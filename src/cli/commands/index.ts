import type { Command } from '../command.js'
import { accountCreate, tokenCreate } from './account.js'
import { start } from './start.js'

/** Every CLI command, one line each. */
export const commands: Command[] = [start, accountCreate, tokenCreate]
