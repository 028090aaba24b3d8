/** A flag of a command; `--help` prints `describe`. */
export interface OptionSpec {
  type: 'string' | 'boolean'
  describe: string
  /** The value's placeholder in help (`--api-port PORT`). @default "VALUE" */
  value?: string
}

/** A positional argument, in order. */
export interface ArgSpec {
  name: string
  describe: string
  optional?: boolean
}

export type OptionValues = Record<string, string | boolean | undefined>

/**
 * A CLI command as data: `path` is noun then verb. `run` answers an exit code (-1: keep running),
 * or throws a CliError (exit 1) or a UsageError (exit 2) that main prints after the command's name.
 */
export interface Command {
  path: string[]
  describe: string
  args?: ArgSpec[]
  options?: Record<string, OptionSpec>
  /** A full command line without `workerhive`, shown in help and after a missing argument. */
  example: string
  run(input: { values: OptionValues; args: string[] }): Promise<number>
}

export const defineCommand = (c: Command): Command => c

export const dataDirOption = {
  'data-dir': {
    type: 'string',
    value: 'DIR',
    describe: 'Data dir of a platform started here (default ./.workerhive, or WORKERHIVE_DATA_DIR)',
  },
} as const satisfies Record<string, OptionSpec>

/** For scripts: the API's result as JSON on stdout instead of text. */
export const jsonOption = {
  json: { type: 'boolean', describe: 'Print the result as JSON' },
} as const satisfies Record<string, OptionSpec>

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** Prints `value` for `--json` and answers exit status 0. */
export const printJson = (value: unknown): number => {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n')
  return 0
}
