import { createSecureContext, type SecureContext } from 'node:tls'
import { open, seal, type Keyring } from '../../secrets/sealer.js'
import type { EdgeCertificate, Store } from '../../storage/store.js'
import type { Logger } from '../../util/logger.js'
import { certificateFacts, renewalTime } from './certificate-pem.js'
import { DevCa } from './dev-ca.js'

/** How long a hostname with no certificate is remembered as such (new ones also clear it at once). */
const MISS_TTL_MS = 10_000
/** Cached contexts at most: SNI names are the client's choice, so the cache must not grow with them. */
const MAX_CACHED = 10_000

/**
 * The certificates the edge's HTTPS serves, one per hostname (SNI): from the store (uploaded or
 * issued by ACME, the key sealed like a secret, so every node serves them), else for `*.localhost`
 * from the data dir's development CA. Secure contexts are cached per hostname; a change made here
 * drops its entry, one made on another node arrives through `forgetAll()` (the store's change feed).
 */
export class EdgeCertificates {
  readonly #store: Store
  readonly #keyring: Keyring
  readonly #devCa: DevCa | undefined
  readonly #log: Logger
  readonly #contexts = new Map<string, { context: Promise<SecureContext | undefined>; at: number }>()

  constructor(deps: { store: Store; keyring: Keyring; devCa?: DevCa; log: Logger }) {
    this.#store = deps.store
    this.#keyring = deps.keyring
    this.#devCa = deps.devCa
    this.#log = deps.log
  }

  get devCaPath(): string | undefined {
    return this.#devCa?.certificatePath
  }

  /** The context to serve `servername` with; undefined ends the handshake (no certificate here). */
  context(servername: string): Promise<SecureContext | undefined> {
    const hostname = servername.toLowerCase().replace(/\.$/, '')
    const cached = this.#contexts.get(hostname)
    if (cached && (cached.at === 0 || Date.now() - cached.at < MISS_TTL_MS)) return cached.context
    if (this.#contexts.size >= MAX_CACHED) this.#contexts.clear()
    const context = this.#load(hostname)
    const entry = { context, at: 0 }
    this.#contexts.set(hostname, entry)
    // A miss is kept briefly, so a certificate issued on another node is found without the feed.
    void context.then(
      (c) => (entry.at = c ? 0 : Date.now()),
      () => this.#contexts.delete(hostname),
    )
    return context
  }

  async #load(hostname: string): Promise<SecureContext | undefined> {
    const stored = await this.#store.tls.certificate(hostname)
    if (stored) return createSecureContext({ cert: stored.certificatePem, key: open(this.#keyring, stored.sealedKey) })
    if (this.#devCa && DevCa.covers(hostname)) {
      const pair = await this.#devCa.leaf(hostname)
      return createSecureContext({ cert: pair.certificatePem, key: pair.keyPem })
    }
    return undefined
  }

  /** Whether the edge serves a certificate of its own store for the hostname. */
  async has(hostname: string): Promise<EdgeCertificate | undefined> {
    return this.#store.tls.certificate(hostname)
  }

  /** Stores (or replaces) a hostname's certificate; served from the next handshake on. */
  async put(hostname: string, source: EdgeCertificate['source'], certificatePem: string, keyPem: string): Promise<void> {
    const facts = certificateFacts(certificatePem)
    await this.#store.tls.putCertificate({
      hostname,
      source,
      certificatePem,
      sealedKey: seal(this.#keyring.current, keyPem),
      ...facts,
      renewAt: renewalTime(facts.notBefore, facts.notAfter),
    })
    this.forget(hostname)
    this.#log.info({ hostname, source, notAfter: new Date(facts.notAfter).toISOString() }, 'edge certificate stored')
  }

  async remove(hostname: string): Promise<void> {
    await this.#store.tls.deleteCertificate(hostname)
    this.forget(hostname)
  }

  forget(hostname: string): void {
    this.#contexts.delete(hostname.toLowerCase())
  }

  forgetAll(): void {
    this.#contexts.clear()
  }
}
