import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { DevCa } from '../../src/runtime/https/dev-ca.js'

/** Whether Debian's pebble (Let's Encrypt's test ACME server) and its DNS test server are installed. */
export const hasPebble = (): boolean =>
  spawnSync('pebble', ['-h']).error === undefined && spawnSync('pebble-challtestsrv', ['-h']).error === undefined

/** A free loopback port (bound and released: pebble needs the number before the edge binds it). */
export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export interface Pebble {
  directoryUrl: string
  /** CA of pebble's own HTTPS (for the ACME client). */
  caFile: string
  /** The root that signs the certificates pebble issues, as PEM (for `curl --cacert`). */
  issuingRoot(): Promise<string>
  stop(): Promise<void>
}

/**
 * Starts pebble on loopback with a config written here, validating HTTP-01 for real: its DNS is
 * pebble-challtestsrv answering 127.0.0.1 for every name, and it fetches the challenge from
 * `httpPort` (the edge's port), so the edge itself answers it.
 */
export async function startPebble(httpPort: number): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), 'workerhive-pebble-'))
  const ca = await DevCa.open(dir)
  const leaf = await ca.leaf('localhost')
  writeFileSync(join(dir, 'pebble.pem'), leaf.certificatePem)
  writeFileSync(join(dir, 'pebble.key'), leaf.keyPem)
  const [acmePort, managementPort, dnsPort, challManagementPort] = [await freePort(), await freePort(), await freePort(), await freePort()]
  writeFileSync(
    join(dir, 'pebble.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: join(dir, 'pebble.pem'),
        privateKey: join(dir, 'pebble.key'),
        httpPort,
        tlsPort: await freePort(),
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  )
  const children: ChildProcess[] = []
  const dns = spawn(
    'pebble-challtestsrv',
    ['-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${challManagementPort}`],
    { stdio: 'ignore' },
  )
  children.push(dns)
  const pebble = spawn('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dnsPort}`], {
    stdio: 'ignore',
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
  })
  children.push(pebble)
  const dispatcher = new Agent({ connect: { ca: readFileSync(ca.certificatePath, 'utf8') } })
  const directoryUrl = `https://localhost:${acmePort}/dir`
  const stop = async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    await dispatcher.close()
    rmSync(dir, { recursive: true, force: true })
  }
  // Ready once the directory answers (pebble takes a moment to generate its keys).
  for (let i = 0; ; i++) {
    try {
      const res = await request(directoryUrl, { dispatcher })
      await res.body.text()
      if (res.statusCode === 200) break
    } catch (err) {
      if (i >= 100) {
        await stop()
        throw err
      }
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    directoryUrl,
    caFile: ca.certificatePath,
    async issuingRoot() {
      const res = await request(`https://localhost:${managementPort}/roots/0`, { dispatcher })
      return res.body.text()
    },
    stop,
  }
}
