import type { Command, OptionSpec } from './command.js'

/** Flags every command understands; main handles them before the command runs. */
export const builtinOptions = {
  help: { type: 'boolean', describe: 'Show this help' },
  version: { type: 'boolean', describe: 'Show the version of Workerhive' },
} as const satisfies Record<string, OptionSpec>

export const synopsis = (c: Command): string => {
  const args = (c.args ?? []).map((a) => (a.optional ? `[${a.name}]` : `<${a.name}>`))
  return ['workerhive', ...c.path, ...args, '[options]'].join(' ')
}

/** `workerhive <command> --help`. */
export function commandHelp(c: Command): string {
  const lines = [`Usage: ${synopsis(c)}`, '', c.describe]
  if (c.args?.length) lines.push('', 'Arguments:', ...table(c.args.map((a) => [`<${a.name}>`, a.describe])))
  const options = { ...c.options, ...builtinOptions }
  lines.push('', 'Options:', ...table(Object.entries(options).map(([name, o]) => [flag(name, o), o.describe])))
  lines.push('', 'Example:', `  workerhive ${c.example}`)
  return lines.join('\n') + '\n'
}

/** `workerhive --help`, or `workerhive <noun> --help` for the commands of one noun. */
export function overview(commands: Command[], noun?: string): string {
  const shown = noun ? commands.filter((c) => c.path[0] === noun) : commands
  return [
    `Usage: workerhive ${noun ?? '<command>'}${noun ? ' <command>' : ''} [options]`,
    '',
    'Commands:',
    ...table(shown.map((c) => [c.path.join(' '), c.describe])),
    '',
    `\`workerhive ${noun ? `${noun} ` : ''}<command> --help\` shows a command's arguments and options; \`workerhive --version\` the version.`,
  ].join('\n') + '\n'
}

const flag = (name: string, o: OptionSpec): string => (o.type === 'string' ? `--${name} ${o.value ?? 'VALUE'}` : `--${name}`)

function table(rows: Array<[string, string]>): string[] {
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`)
}
