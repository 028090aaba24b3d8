import { readFileSync } from 'node:fs'
import https from 'node:https'
import * as acme from 'acme-client'
import { open, seal, type Keyring } from '../../secrets/sealer.js'
import type { Store } from '../../storage/store.js'
import type { Clock } from '../../util/clock.js'
import type { Logger } from '../../util/logger.js'
import type { EdgeCertificates } from './edge-certificates.js'

const HOUR = 3_600_000

export interface AcmeOptions {
  directoryUrl: string
  email?: string
  /** PEM CA certificates trusted for the directory's own HTTPS (a test or private CA). */
  caFile?: string
}

/**
 * Orders certificates from an ACME directory (acme-client) for the edge's hostnames, answering
 * HTTP-01 from the edge: the key authorization goes into the store and the routing table, so
 * whichever node the CA reaches serves it. The account key lives in the store, sealed, so every
 * node orders as one account. Renewals are claimed in the store (a conditional update of the
 * certificate's renewal time), so one node renews each certificate, and a failed order is
 * retried an hour later.
 */
export class AcmeIssuer {
  readonly #opts: AcmeOptions
  readonly #store: Store
  readonly #keyring: Keyring
  readonly #certificates: EdgeCertificates
  readonly #routesChanged: () => Promise<void>
  readonly #clock: Clock
  readonly #log: Logger
  readonly #running = new Map<string, Promise<boolean>>()
  #client: Promise<acme.Client> | undefined
  #timer: NodeJS.Timeout | undefined

  constructor(deps: {
    options: AcmeOptions
    store: Store
    keyring: Keyring
    certificates: EdgeCertificates
    /** Pushes the routing table (with the challenge answers) to the edge, this node's and others'. */
    routesChanged: () => Promise<void>
    clock: Clock
    log: Logger
  }) {
    this.#opts = deps.options
    this.#store = deps.store
    this.#keyring = deps.keyring
    this.#certificates = deps.certificates
    this.#routesChanged = deps.routesChanged
    this.#clock = deps.clock
    this.#log = deps.log
    if (this.#opts.caFile) acme.axios.defaults.httpsAgent = new https.Agent({ ca: readFileSync(this.#opts.caFile) })
  }

  /** Orders a certificate for the hostname unless one is being ordered; true once it is stored. */
  issue(hostname: string): Promise<boolean> {
    const name = hostname.toLowerCase()
    let running = this.#running.get(name)
    if (!running) {
      running = this.#order(name).finally(() => this.#running.delete(name))
      this.#running.set(name, running)
    }
    return running
  }

  /** Renews what is due now, each certificate by the one node that claims it. */
  async renewDue(): Promise<void> {
    const now = this.#clock.now()
    for (const due of await this.#store.tls.renewalsDue(now, 20)) {
      if (!(await this.#store.tls.claimRenewal(due.hostname, due.renewAt, now + HOUR))) continue
      await this.issue(due.hostname)
    }
  }

  start(): void {
    const tick = () => void this.renewDue().catch((err) => this.#log.warn({ err }, 'ACME renewal pass failed'))
    tick()
    this.#timer = setInterval(tick, HOUR)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    await Promise.allSettled(this.#running.values())
  }

  async #order(hostname: string): Promise<boolean> {
    const log = this.#log.child({ hostname })
    const tokens: string[] = []
    try {
      const client = await this.#account()
      const [key, csr] = await acme.crypto.createCsr({ commonName: hostname, altNames: [hostname] }, await acme.crypto.createPrivateEcdsaKey())
      const chain = await client.auto({
        csr,
        ...(this.#opts.email ? { email: this.#opts.email } : {}),
        termsOfServiceAgreed: true,
        challengePriority: ['http-01'],
        // The CA checks the answer itself; a self-check from here would need the hostname's DNS.
        skipChallengeVerification: true,
        challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
          tokens.push(challenge.token)
          await this.#store.tls.putChallenge(challenge.token, keyAuthorization)
          await this.#routesChanged()
        },
        challengeRemoveFn: async (_authz, challenge) => {
          await this.#store.tls.deleteChallenge(challenge.token)
        },
      })
      await this.#certificates.put(hostname, 'acme', chain, key.toString())
      log.info({}, 'ACME certificate issued')
      return true
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'ACME order failed; retried at the next renewal pass')
      return false
    } finally {
      for (const token of tokens) await this.#store.tls.deleteChallenge(token).catch(() => undefined)
      if (tokens.length) await this.#routesChanged().catch(() => undefined)
    }
  }

  #account(): Promise<acme.Client> {
    this.#client ??= (async () => {
      const fresh = seal(this.#keyring.current, (await acme.crypto.createPrivateEcdsaKey()).toString())
      const sealed = await this.#store.tls.acmeAccountKey(this.#opts.directoryUrl, fresh)
      return new acme.Client({ directoryUrl: this.#opts.directoryUrl, accountKey: open(this.#keyring, sealed) })
    })()
    this.#client.catch(() => (this.#client = undefined))
    return this.#client
  }
}
