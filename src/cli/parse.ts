import { parseArgs } from 'node:util'
import type { Command, OptionValues } from './command.js'
import { UsageError } from './errors.js'
import { builtinOptions, synopsis } from './help.js'

/**
 * The flags and arguments after a command's words, checked against what the command declares:
 * an unknown flag, a flag without its value, a missing or extra argument is one UsageError.
 */
export function parseCommandLine(command: Command, argv: string[]): { values: OptionValues; args: string[] } {
  const specs = { ...command.options, ...builtinOptions }
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(specs).map(([name, o]) => [name, name === 'help' ? { type: o.type, short: 'h' } : { type: o.type }]),
      ),
      allowPositionals: true,
      strict: true,
    })
  } catch (err) {
    throw new UsageError(explainParseError(err, command))
  }
  const values = parsed.values as OptionValues
  const args = parsed.positionals
  if (values.help || values.version) return { values, args }
  const declared = command.args ?? []
  const missing = declared.slice(args.length).find((a) => !a.optional)
  if (missing) throw new UsageError(`missing <${missing.name}>, e.g. \`workerhive ${command.example}\``)
  if (args.length > declared.length)
    throw new UsageError(`unexpected argument "${args[declared.length]}"; usage: ${synopsis(command)}`)
  return { values, args }
}

/** node:util's messages suggest positionals after `--`; ours name the flag and the fix. */
function explainParseError(err: unknown, command: Command): string {
  const { code, message } = err as { code?: string; message: string }
  const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? 'an option'
  const help = `\`workerhive ${command.path.join(' ')} --help\` lists the options`
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${flag}; ${help}`
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (message.includes('does not take an argument')) return `${flag} takes no value`
    if (message.includes('ambiguous')) return `${flag} needs a value; write ${flag}=VALUE for a value that starts with "-"`
    return `${flag} needs a value; ${help}`
  }
  throw err
}
