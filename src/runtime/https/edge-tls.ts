import type { EdgeTlsControl } from '../../api/context.js'
import type { Logger } from '../../util/logger.js'
import type { AcmeIssuer } from './acme.js'
import type { EdgeCertificates } from './edge-certificates.js'

/**
 * The API's handle on the edge's certificates: uploads are stored at once; a hostname that starts
 * being served gets an ACME order in the background (when a directory is configured) unless it has
 * a certificate; a hostname no longer served loses its certificate.
 */
export function edgeTlsControl(deps: { certificates: EdgeCertificates; issuer?: AcmeIssuer; log: Logger }): EdgeTlsControl {
  const { certificates, issuer } = deps
  return {
    async serve(hostname) {
      if (!issuer || (await certificates.has(hostname))) return
      void issuer.issue(hostname)
    },
    upload: (hostname, certificatePem, keyPem) => certificates.put(hostname, 'custom', certificatePem, keyPem),
    drop: (hostname) => certificates.remove(hostname),
    async certificate(hostname) {
      const c = await certificates.has(hostname)
      return c && { source: c.source, issuer: c.issuer, notBefore: c.notBefore, notAfter: c.notAfter }
    },
  }
}
