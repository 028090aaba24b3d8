import { createPrivateKey, X509Certificate } from 'node:crypto'

export interface CertificateFacts {
  issuer: string
  notBefore: number
  notAfter: number
}

/** Why a certificate and key cannot be served for a hostname; thrown by checkCertificatePair. */
export class CertificateProblem extends Error {}

/**
 * Checks a PEM chain and key as an uploaded custom certificate must be: parseable, the leaf first,
 * its key the one given, valid now and naming the hostname. Answers what the store keeps of it.
 */
export function checkCertificatePair(certificatePem: string, keyPem: string, hostname: string, now: number): CertificateFacts {
  let leaf: X509Certificate
  try {
    leaf = new X509Certificate(certificatePem)
  } catch {
    throw new CertificateProblem('custom_certificate is not a PEM certificate')
  }
  let key
  try {
    key = createPrivateKey(keyPem)
  } catch {
    throw new CertificateProblem('custom_key is not a PEM private key')
  }
  if (!leaf.checkPrivateKey(key)) throw new CertificateProblem('the certificate and the private key do not match')
  const facts = factsOf(leaf)
  if (facts.notAfter <= now) throw new CertificateProblem('the certificate has expired')
  if (!leaf.checkHost(hostname)) throw new CertificateProblem(`the certificate is not valid for ${hostname}`)
  return facts
}

/** Issuer and validity of a PEM chain's first certificate. */
export function certificateFacts(certificatePem: string): CertificateFacts {
  return factsOf(new X509Certificate(certificatePem))
}

const factsOf = (leaf: X509Certificate): CertificateFacts => ({
  issuer: leaf.issuer.replace(/\n/g, ', '),
  notBefore: Date.parse(leaf.validFrom),
  notAfter: Date.parse(leaf.validTo),
})

/** When to renew: a third of the lifetime before expiry, at most 30 days before (Let's Encrypt's advice). */
export function renewalTime(notBefore: number, notAfter: number): number {
  return notAfter - Math.min(30 * 86_400_000, Math.floor((notAfter - notBefore) / 3))
}
