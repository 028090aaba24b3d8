import { existsSync } from 'node:fs'
import { credentialsFile } from '../bootstrap.js'
import { CliError } from './errors.js'

/**
 * Commands that read a data dir (operator commands, and API commands without credentials in the
 * environment) need one that `workerhive start` made: opening a mistyped path would create a
 * new, empty database there. Every start writes credentials.json, with either store.
 */
export function requireDataDir(dataDir: string): void {
  const fix = `\`workerhive start --data-dir ${dataDir}\` creates one there, or pass the --data-dir of an existing one`
  if (!existsSync(dataDir)) throw new CliError(`no data dir at ${dataDir}: ${fix}`)
  if (!existsSync(credentialsFile(dataDir)))
    throw new CliError(`${dataDir} is not a Workerhive data dir (no credentials.json in it): ${fix}`)
}
