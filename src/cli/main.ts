import { parseArgs } from 'node:util'
import { commands } from './commands/index.js'

/** `workerhive <noun> <verb> [flags]`. Each command is data in ./commands; this only dispatches. */
export async function main(argv: string[]): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('-'))
  const command =
    commands.find((c) => c.path.length === 2 && c.path[0] === words[0] && c.path[1] === words[1]) ??
    commands.find((c) => c.path.length === 1 && c.path[0] === words[0])
  if (!command || argv.includes('--help') && !command) {
    printUsage()
    return words.length === 0 || argv.includes('--help') ? 0 : 1
  }
  const { values, positionals } = parseArgs({
    args: argv,
    options: command.options ?? {},
    allowPositionals: true,
    strict: true,
  })
  return command.run({ values, args: positionals.slice(command.path.length) })
}

/** What happened, and how to fix it where we know. */
function explain(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  // node_modules/.bin/node (wrangler's Node 24, a devDependency) shadows the system Node for npx and
  // npm scripts; better-sqlite3 was built for the Node that ran `npm install`.
  if (err instanceof Error && (err as { code?: string }).code === 'ERR_DLOPEN_FAILED' && message.includes('NODE_MODULE_VERSION')) {
    return `better-sqlite3 was built for another Node.js than this one (${process.version}). Run Workerhive with the Node that ran \`npm install\` (\`npm start\` does), or rebuild it for this one with \`npm rebuild better-sqlite3\`.`
  }
  return message
}

function printUsage(): void {
  const lines = commands.map((c) => `  workerhive ${c.path.join(' ')}${c.usage ? ' ' + c.usage : ''}\n      ${c.describe}`)
  process.stdout.write(`Usage:\n${lines.join('\n')}\n`)
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
