import { spawn, spawnSync, type ChildProcess } from 'node:child_process'

/**
 * A network namespace the test makes for itself: a veth pair with a /30 of 10.200.x.0 (the host
 * end here, the other end inside), and a tiny HTTP server inside that answers every request with
 * its method, path and headers as JSON. Tests target only these addresses, never another address
 * of the machine. `create()` answers why not when the machine does not allow network namespaces.
 */
export interface TestNetns {
  name: string
  /** The host end of the veth pair (an address of this machine while the namespace lives). */
  hostAddress: string
  /** The namespace's end, where the echo server listens. */
  innerAddress: string
  port: number
  /** The CIDR both ends share. */
  cidr: string
  close(): void
}

export async function createTestNetns(): Promise<TestNetns | string> {
  const id = Math.floor(Math.random() * 60) * 4 // the base of a /30 inside 10.200.<third>.0/24
  const third = 1 + Math.floor(Math.random() * 250)
  const name = `whtest${process.pid % 100000}${third}`
  const hostIf = `whh${process.pid % 10000}${third}`.slice(0, 15)
  const innerIf = `whi${process.pid % 10000}${third}`.slice(0, 15)
  const hostAddress = `10.200.${third}.${id + 1}`
  const innerAddress = `10.200.${third}.${id + 2}`
  const port = 18080
  const run = (...args: string[]): string | undefined => {
    const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' })
    return r.status === 0 ? undefined : `${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`
  }
  const cleanup = () => {
    spawnSync('ip', ['netns', 'del', name])
    spawnSync('ip', ['link', 'del', hostIf])
  }
  const steps = [
    ['ip', 'netns', 'add', name],
    ['ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', innerIf],
    ['ip', 'link', 'set', innerIf, 'netns', name],
    ['ip', 'addr', 'add', `${hostAddress}/30`, 'dev', hostIf],
    ['ip', 'link', 'set', hostIf, 'up'],
    ['ip', 'netns', 'exec', name, 'ip', 'addr', 'add', `${innerAddress}/30`, 'dev', innerIf],
    ['ip', 'netns', 'exec', name, 'ip', 'link', 'set', innerIf, 'up'],
    ['ip', 'netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up'],
  ]
  for (const step of steps) {
    const failed = run(...step)
    if (failed) {
      cleanup()
      return `network namespaces are not permitted here (${failed})`
    }
  }
  const server: ChildProcess = spawn(
    'ip',
    ['netns', 'exec', name, process.execPath, '-e', ECHO_SERVER, innerAddress, String(port)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const listening = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000)
    server.stdout!.once('data', () => {
      clearTimeout(timer)
      resolve(true)
    })
    server.once('exit', () => resolve(false))
  })
  const close = () => {
    server.kill('SIGKILL')
    cleanup()
  }
  if (!listening) {
    close()
    return 'the echo server in the test network namespace did not start'
  }
  return { name, hostAddress, innerAddress, port, cidr: `${hostAddress.replace(/\.\d+$/, `.${id}`)}/30`, close }
}

const ECHO_SERVER = `
const http = require('node:http')
const [address, port] = process.argv.slice(1)
http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }))
}).listen(Number(port), address, () => process.stdout.write('listening\\n'))
`
