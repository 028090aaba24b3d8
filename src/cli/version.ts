import { readFileSync } from 'node:fs'

/** The package's version, from the package.json two folders above dist/src/cli/. */
export const version: string = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version
