import type { Logger } from '../../util/logger.js'
import type { AcmeIssuer } from './acme.js'
import type { EdgeCertificates } from './edge-certificates.js'

/** What the API tells the edge's HTTPS about hostnames. */
export interface EdgeTlsControl {
  /** A hostname now served (an active custom hostname, a Custom Domain): orders its certificate if it has none. */
  serve(hostname: string): Promise<void>
  /** An uploaded certificate and key, already checked against each other and the hostname. */
  upload(hostname: string, certificatePem: string, keyPem: string): Promise<void>
  /** A hostname no longer served: its certificate goes. */
  drop(hostname: string): Promise<void>
  /** The certificate served for the hostname, if any. */
  certificate(hostname: string): Promise<{ source: string; issuer: string; notBefore: number; notAfter: number } | undefined>
}

/**
 * The API's handle on the edge's certificates: uploads are stored at once; a hostname that starts
 * being served gets an ACME order in the background (when a directory is configured) unless it has
 * a certificate; a hostname no longer served loses its certificate.
 */
export function edgeTlsControl(deps: { certificates: EdgeCertificates; issuer?: AcmeIssuer; log: Logger }): EdgeTlsControl {
  const { certificates, issuer } = deps
  return {
    async serve(hostname) {
      // HTTP-01 cannot prove a wildcard (RFC 8555 §8.3): those need an uploaded certificate.
      if (!issuer || hostname.startsWith('*.') || (await certificates.has(hostname))) return
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
