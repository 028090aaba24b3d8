import type { Config } from '../../config/config.js'
import type { Keyring } from '../../secrets/sealer.js'
import type { Store } from '../../storage/store.js'
import type { Clock } from '../../util/clock.js'
import type { Logger } from '../../util/logger.js'
import { AcmeIssuer } from './acme.js'
import { DevCa } from './dev-ca.js'
import { EdgeCertificates } from './edge-certificates.js'
import { edgeTlsControl, type EdgeTlsControl } from './edge-tls.js'
import type { HttpsListener } from './terminator.js'

export { listenHttps, type HttpsListener } from './terminator.js'

export interface EdgeHttps {
  readonly port: number
  /** The development CA's certificate (`curl --cacert`), for `*.localhost`. */
  readonly devCaPath: string
  readonly control: EdgeTlsControl
  /** Renews the ACME certificates due now (the hourly pass; tests call it). */
  renewDue(): Promise<void>
  stop(): Promise<void>
}

/**
 * The edge's HTTPS once the edge runs: the listener (bound earlier, with the other ports) starts
 * handing decrypted connections to workerd's `tls` socket, certificates come from the store or the
 * data dir's development CA, and ACME orders and renewals run when a directory is configured.
 */
export async function startEdgeHttps(deps: {
  listener: HttpsListener
  plainPort: number
  config: Pick<Config, 'dataDir' | 'acmeDirectoryUrl' | 'acmeEmail' | 'acmeCaFile'>
  store: Store
  keyring: Keyring
  clock: Clock
  log: Logger
  /** Pushes the routing table to every node's edge (ACME's HTTP-01 answers travel in it). */
  routesChanged: () => Promise<void>
  /** Renewals run on a timer (false under an injected clock). */
  timed: boolean
}): Promise<EdgeHttps> {
  const { config, store, keyring, clock } = deps
  const log = deps.log.child({ component: 'https' })
  const devCa = await DevCa.open(config.dataDir)
  const certificates = new EdgeCertificates({ store, keyring, devCa, log })
  // Another node's change (an upload, a renewal, a deletion) reaches this node's cache here.
  store.changes?.subscribe((change) => {
    if (change.kind === 'routes' || change.kind === 'everything') certificates.forgetAll()
  })
  const issuer = config.acmeDirectoryUrl
    ? new AcmeIssuer({
        options: { directoryUrl: config.acmeDirectoryUrl, ...(config.acmeEmail ? { email: config.acmeEmail } : {}), ...(config.acmeCaFile ? { caFile: config.acmeCaFile } : {}) },
        store,
        keyring,
        certificates,
        routesChanged: deps.routesChanged,
        clock,
        log,
      })
    : undefined
  if (issuer && deps.timed) issuer.start()
  deps.listener.serve({ plainPort: deps.plainPort, certificates })
  log.info({ port: deps.listener.port, acme: config.acmeDirectoryUrl ?? 'off' }, 'edge HTTPS listening')
  return {
    port: deps.listener.port,
    devCaPath: devCa.certificatePath,
    control: edgeTlsControl({ certificates, ...(issuer ? { issuer } : {}), log }),
    renewDue: async () => issuer?.renewDue(),
    async stop() {
      await issuer?.stop()
      await deps.listener.close()
    },
  }
}
