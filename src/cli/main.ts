import { commands } from './commands/index.js'
import { CliError, UsageError } from './errors.js'
import { commandHelp, overview } from './help.js'
import { parseCommandLine } from './parse.js'
import { version } from './version.js'

/** `workerhive <noun> <verb> [args] [flags]`. Each command is data in ./commands; this only dispatches. */
export async function main(argv: string[]): Promise<number> {
  const word = (a: string | undefined) => (a !== undefined && !a.startsWith('-') ? a : undefined)
  const noun = word(argv[0])
  const verb = word(argv[1])
  if (noun === 'help') return main([...argv.slice(1), '--help'])
  const command =
    commands.find((c) => c.path.length === 2 && c.path[0] === noun && c.path[1] === verb) ??
    commands.find((c) => c.path.length === 1 && c.path[0] === noun)
  if (!command) return withoutCommand(argv, noun, verb)
  try {
    const input = parseCommandLine(command, argv.slice(command.path.length))
    if (input.values.help) return print(commandHelp(command))
    if (input.values.version) return print(`${version}\n`)
    return await command.run(input)
  } catch (err) {
    if (!(err instanceof CliError)) throw err
    process.stderr.write(`workerhive ${command.path.join(' ')}: ${err.message}\n`)
    return err instanceof UsageError ? 2 : 1
  }
}

/** No command matched: the overview when asked for, else what is wrong with the words given. */
function withoutCommand(argv: string[], noun: string | undefined, verb: string | undefined): number {
  const asked = (...flags: string[]) => argv.some((a) => flags.includes(a))
  const isNoun = noun !== undefined && commands.some((c) => c.path.length === 2 && c.path[0] === noun)
  if (verb === undefined && asked('--version')) return print(`${version}\n`)
  if (noun === undefined) {
    if (argv.length === 0 || asked('--help', '-h')) return print(overview(commands))
    return fail(`unknown option ${argv[0]}; \`workerhive --help\` lists the commands`)
  }
  if (!isNoun) return fail(`unknown command "${noun}"; \`workerhive --help\` lists the commands`)
  if (verb === undefined && asked('--help', '-h')) return print(overview(commands, noun))
  process.stderr.write(
    verb === undefined
      ? `workerhive ${noun}: which command?\n\n`
      : `workerhive ${noun}: unknown command "${verb}"\n\n`,
  )
  process.stderr.write(overview(commands, noun))
  return 2
}

function print(text: string): number {
  process.stdout.write(text)
  return 0
}

function fail(message: string): number {
  process.stderr.write(`workerhive: ${message}\n`)
  return 2
}

/** What happened, and how to fix it where we know. */
function explain(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  // A Node other than the one that ran `npm install` (better-sqlite3 is a native module built for
  // it), e.g. a node binary that some other package links into node_modules/.bin.
  if (err instanceof Error && (err as { code?: string }).code === 'ERR_DLOPEN_FAILED' && message.includes('NODE_MODULE_VERSION')) {
    return `better-sqlite3 was built for another Node.js than this one (${process.version}). Run Workerhive with the Node that ran \`npm install\` (\`npm start\` does), or rebuild it for this one with \`npm rebuild better-sqlite3\`.`
  }
  return message
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`workerhive: ${explain(err)}\n`)
    process.exitCode = 1
  },
)
