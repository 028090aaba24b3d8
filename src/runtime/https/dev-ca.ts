import { webcrypto, X509Certificate } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'

type CryptoKey = webcrypto.CryptoKey
type CryptoKeyPair = webcrypto.CryptoKeyPair

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const
const DAY = 86_400_000

/** A key pair and certificate as PEM. */
export interface PemPair {
  certificatePem: string
  keyPem: string
}

/**
 * The local development CA: generated once into the data dir (`tls/dev-ca.pem`, its key beside it,
 * 0600), it signs a certificate for any `*.localhost` name the edge is asked for, so
 * `curl --cacert <data dir>/tls/dev-ca.pem https://app.acct.localhost:<port>/` works with no ACME.
 */
export class DevCa {
  readonly certificatePath: string
  readonly #ca: PemPair
  #caKey: CryptoKey | undefined
  readonly #leaves = new Map<string, Promise<PemPair>>()

  private constructor(certificatePath: string, ca: PemPair) {
    this.certificatePath = certificatePath
    this.#ca = ca
  }

  /** Loads the data dir's CA, creating it on first use. */
  static async open(dataDir: string): Promise<DevCa> {
    const dir = join(dataDir, 'tls')
    const certificatePath = join(dir, 'dev-ca.pem')
    const keyPath = join(dir, 'dev-ca.key')
    if (existsSync(certificatePath) && existsSync(keyPath))
      return new DevCa(certificatePath, { certificatePem: readFileSync(certificatePath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') })
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair
    const now = Date.now()
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: 'CN=Workerhive development CA',
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 3650 * DAY),
      keys,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    })
    const ca = { certificatePem: cert.toString('pem') + '\n', keyPem: await keyToPem(keys.privateKey) }
    writeFileSync(keyPath, ca.keyPem, { mode: 0o600 })
    writeFileSync(certificatePath, ca.certificatePem)
    return new DevCa(certificatePath, ca)
  }

  /** Whether this CA signs for the name: only `localhost` and names under it, which never leave the machine. */
  static covers(hostname: string): boolean {
    return hostname === 'localhost' || hostname.endsWith('.localhost')
  }

  /** A certificate for one name, made on first use and kept (the most recent thousand names). */
  leaf(hostname: string): Promise<PemPair> {
    let made = this.#leaves.get(hostname)
    if (!made) {
      // SNI names are the client's choice: the cache forgets its oldest name rather than grow.
      if (this.#leaves.size >= 1000) this.#leaves.delete(this.#leaves.keys().next().value!)
      made = this.#issue(hostname)
      this.#leaves.set(hostname, made)
      made.catch(() => this.#leaves.delete(hostname))
    }
    return made
  }

  async #issue(hostname: string): Promise<PemPair> {
    this.#caKey ??= await webcrypto.subtle.importKey('pkcs8', pemBody(this.#ca.keyPem), ALG, false, ['sign'])
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair
    const issuer = new X509Certificate(this.#ca.certificatePem).subject.replace(/\n/g, ', ')
    const now = Date.now()
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${hostname}`,
      issuer,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 365 * DAY),
      publicKey: keys.publicKey,
      signingKey: this.#caKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: hostname }]),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      ],
    })
    return { certificatePem: cert.toString('pem') + '\n' + this.#ca.certificatePem, keyPem: await keyToPem(keys.privateKey) }
  }
}

const serial = (): string => Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1')

const pemBody = (pem: string): Buffer => Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')

async function keyToPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key))
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`
}
