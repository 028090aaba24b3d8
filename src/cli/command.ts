import type { ParseArgsConfig } from 'node:util'

/** A CLI command as data: `path` is noun then verb. `run` answers an exit code (-1: keep running). */
export interface Command {
  path: string[]
  usage?: string
  describe: string
  options?: NonNullable<ParseArgsConfig['options']>
  run(input: { values: Record<string, string | boolean | undefined | Array<string | boolean>>; args: string[] }): Promise<number>
}

export const defineCommand = (c: Command): Command => c

/** Flags every command that opens the data dir or reaches the API understands. */
export const commonOptions = {
  'data-dir': { type: 'string' },
  'api-port': { type: 'string' },
  'edge-port': { type: 'string' },
  host: { type: 'string' },
} as const
