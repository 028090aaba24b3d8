import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { commands } from '../../src/cli/commands/index.js'
import { runCli, type CliResult } from '../helpers/cli.js'
import { putScript } from '../helpers/edge.js'
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js'

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }

/**
 * `npm exec -- workerhive …` in the package, with the npm that runs the tests when there is one.
 * npm links the package into its npx cache for this, and a directory package gets its `prepare`
 * script run there the first time: a whole `npm run build` (about 25 s of CPU, as much as the rest
 * of this file) rewriting dist/ while other test files run from it. --ignore-scripts leaves the
 * test run's own build alone; the PATH npm exec gives the command, what is tested here, is the same.
 */
function npmExec(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const npmCli = process.env.npm_execpath
  const [file, argv] = npmCli?.endsWith('npm-cli.js') ? [process.execPath, [npmCli]] : ['npm', []]
  return new Promise((done) => {
    const options = { env, timeout: 60_000, killSignal: 'SIGKILL' as const }
    execFile(file, [...argv, 'exec', '--no', '--ignore-scripts', '--', 'workerhive', ...args], options, (err, stdout, stderr) => {
      done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })
    })
  })
}

describe('workerhive CLI as a newcomer runs it', () => {
  let t: TestPlatform
  const scratch = mkdtempSync(join(tmpdir(), 'workerhive-cli-usage-'))
  /** No CLOUDFLARE_* variables: the commands find the platform through its data dir. */
  const bare = { PATH: process.env.PATH }
  before(async () => {
    t = await startTestPlatform()
  })
  after(async () => {
    await t.close()
    rmSync(scratch, { recursive: true, force: true })
  })

  it('runs with node_modules/.bin first on PATH, as npm exec puts it', async () => {
    assert.equal(existsSync('node_modules/.bin/node'), false, 'no dependency links a node binary into node_modules/.bin')
    const PATH = `${resolve('node_modules/.bin')}:${process.env.PATH}`
    const shown = await runCli(['--version'], { env: { PATH }, viaShebang: true })
    assert.deepEqual(shown, { code: 0, stdout: `${version}\n`, stderr: '' })
    // An operator command loads better-sqlite3, a native module built for the Node of `npm install`.
    const token = await runCli(['token', 'create', '--data-dir', t.dataDir], { env: { PATH }, viaShebang: true })
    assert.equal(token.code, 0, token.stderr)
    assert.match(token.stdout, /^export CLOUDFLARE_ACCOUNT_ID=[0-9a-f]{32}\nexport CLOUDFLARE_API_TOKEN=\S+\n$/)

    const viaNpm = await npmExec(['token', 'create', '--data-dir', t.dataDir], process.env)
    assert.equal(viaNpm.code, 0, viaNpm.stderr)
    assert.match(viaNpm.stdout, /^export CLOUDFLARE_ACCOUNT_ID=/)
  })

  it('has --help and --version on every command and every noun', async () => {
    for (const command of commands) {
      const name = command.path.join(' ')
      const help = await runCli([...command.path, '--help'], { env: bare })
      assert.equal(help.code, 0, `${name} --help: ${help.stderr}`)
      assert.ok(help.stdout.startsWith(`Usage: workerhive ${name}`), help.stdout)
      for (const option of Object.keys(command.options ?? {})) assert.ok(help.stdout.includes(`--${option}`), `${name} --help lists --${option}`)
      assert.ok(help.stdout.includes(`workerhive ${command.example}`), `${name} --help shows an example`)
      const shown = await runCli([...command.path, '--version'], { env: bare })
      assert.deepEqual(shown, { code: 0, stdout: `${version}\n`, stderr: '' }, `${name} --version`)
    }
    const overview = await runCli(['--help'], { env: bare })
    assert.equal(overview.code, 0)
    for (const command of commands) assert.ok(overview.stdout.includes(command.path.join(' ')))
    const zone = await runCli(['zone', '--help'], { env: bare })
    assert.equal(zone.code, 0)
    assert.match(zone.stdout, /zone create .*\n {2}zone list /)
    assert.doesNotMatch(zone.stdout, /namespace/)
    const noVerb = await runCli(['zone'], { env: bare })
    assert.equal(noVerb.code, 2)
    assert.match(noVerb.stderr, /^workerhive zone: which command\?\n/)
  })

  it('says what is wrong with a flag in one sentence, with exit status 2', async () => {
    const cases: Array<[string[], NodeJS.ProcessEnv, string]> = [
      [['start', '--api-port', 'abc'], {}, 'workerhive start: --api-port must be a number, not "abc"\n'],
      [['start', '--api-port', '70000'], {}, 'workerhive start: --api-port must be at most 65535, not "70000"\n'],
      [['start', '--log-level', 'loud'], {}, 'workerhive start: --log-level must be one of debug, info, warn, error, silent, not "loud"\n'],
      [['start'], { WORKERHIVE_EDGE_PROCESSES: '0' }, 'workerhive start: WORKERHIVE_EDGE_PROCESSES must be at least 1, not "0"\n'],
      [['zone', 'list', '--bogus'], {}, 'workerhive zone list: unknown option --bogus; `workerhive zone list --help` lists the options\n'],
      [['zone', 'list', '--data-dir'], {}, 'workerhive zone list: --data-dir needs a value; `workerhive zone list --help` lists the options\n'],
      [['status', '--json=yes'], {}, 'workerhive status: --json takes no value\n'],
      [['logs', 'a', 'b'], {}, 'workerhive logs: unexpected argument "b"; usage: workerhive logs <script> [options]\n'],
      [['frobnicate'], {}, 'workerhive: unknown command "frobnicate"; `workerhive --help` lists the commands\n'],
    ]
    for (const [args, env, stderr] of cases) {
      const dataDir = join(scratch, 'never-created')
      const res = await runCli([...args, ...(args[0] === 'start' ? ['--data-dir', dataDir] : [])], { env: { ...bare, ...env } })
      assert.deepEqual(res, { code: 2, stdout: '', stderr }, args.join(' '))
      assert.equal(existsSync(dataDir), false, 'a refused start creates nothing')
    }
  })

  it('refuses a data dir that does not exist instead of creating an empty one', async () => {
    const missing = join(scratch, 'typo')
    const expected = `no data dir at ${missing}: \`workerhive start --data-dir ${missing}\` creates one there, or pass the --data-dir of an existing one\n`
    for (const args of [['account', 'create', 'ops@example.com'], ['token', 'create'], ['zone', 'list']]) {
      const res = await runCli([...args, '--data-dir', missing], { env: bare })
      assert.deepEqual(res, { code: 1, stdout: '', stderr: `workerhive ${args.slice(0, 2).join(' ')}: ${expected}` })
    }
    // The default data dir is ./.workerhive: run where there is none.
    const res = await runCli(['namespace', 'list'], { env: bare, cwd: scratch })
    assert.equal(res.code, 1)
    assert.match(res.stderr, /^workerhive namespace list: no data dir at .*\/\.workerhive: /)
    assert.equal(existsSync(missing), false)
    assert.equal(existsSync(join(scratch, '.workerhive')), false)
  })

  it('reaches the API address the data dir remembers, and prints JSON for scripts', async () => {
    // The platform listens on a random port: only the address `start` remembered leads to it.
    const local = (args: string[]) => runCli([...args, '--data-dir', t.dataDir, '--json'], { env: bare })
    const parsed = async (args: string[]): Promise<any> => {
      const res = await local(args)
      assert.equal(res.code, 0, `${args.join(' ')}: ${res.stderr}`)
      return JSON.parse(res.stdout)
    }
    const created = await parsed(['namespace', 'create', 'production'])
    assert.equal(created.namespace_name, 'production')
    const namespaces = await parsed(['namespace', 'list'])
    assert.deepEqual(namespaces.map((n: any) => [n.namespace_id, n.script_count]), [[created.namespace_id, 0]])

    const zone = await parsed(['zone', 'create', 'example.net'])
    assert.deepEqual((await parsed(['zone', 'list'])).map((z: any) => [z.id, z.name]), [[zone.id, 'example.net']])
    assert.deepEqual(await parsed(['route', 'list']), [])

    const status = await parsed(['status'])
    assert.ok(status.processes.some((p: any) => p.role === 'edge' && p.state === 'ready'), JSON.stringify(status))
    await putScript(t, `/accounts/${t.accountId}/workers/scripts/quiet`, `export default { fetch() { return new Response('ok') } }`)
    assert.deepEqual(await parsed(['logs', 'quiet']), [])
  })
})
